// The workbench page of `hubsel serve`. Every text goes in with
// textContent (never innerHTML), so Thai names show as written.
"use strict";

const WORDS = {
  th: {
    title: "hubsel — เลือกโรงเรียนคุณภาพประจำอำเภอ",
    scenario: "ฉากทัศน์", strategy: "วิธีเลือก", limit: "เวลาเดินทางสูงสุด (นาที)",
    hubs_per: "จำนวนโรงเรียนแม่ข่ายต่ออำเภอ", hubs_per_province: "จำนวนโรงเรียนแม่ข่ายต่อจังหวัด",
    hubs_per_run: "จำนวนโรงเรียนแม่ข่ายทั้งพื้นที่", hubs_by_district: "ไม่ได้กำหนด hubs_per_group: อำเภอละ", primary: "ประถม", secondary: "มัธยม",
    constraints: "เงื่อนไข", min_students: "นักเรียนขั้นต่ำ", weights: "น้ำหนักเกณฑ์",
    ahp: "เมทริกซ์ AHP", cr: "อัตราส่วนความสอดคล้อง (CR)", click_mode: "คลิกโรงเรียนเพื่อ",
    mode_inspect: "ดูข้อมูล", mode_require: "บังคับเป็นแม่ข่าย", mode_exclude: "ห้ามเป็นแม่ข่าย",
    required: "บังคับ", excluded: "ห้าม", run: "คำนวณ", running: "กำลังคำนวณ…", done: "เสร็จ", done_routes: "เสร็จ (คลิกอำเภอเพื่อดูเส้นทาง)",
    explain: "คำอธิบาย", explain_hint: "คลิกโรงเรียนแม่ข่ายหรืออำเภอบนแผนที่",
    saved: "ฉากทัศน์ที่บันทึก", save_name: "ชื่อ", save: "บันทึก", compare: "เปรียบเทียบ",
    export: "ส่งออก TOML", download: "ดาวน์โหลดผล (zip)", hubs: "โรงเรียนแม่ข่าย",
    search: "ค้นหาโรงเรียน (ชื่อหรือรหัส)", district: "อำเภอ", level: "ระดับ", hub: "แม่ข่าย",
    member: "เครือข่าย", "stand-alone": "โรงเรียนเดี่ยว", rejected: "ไม่ใช้", role: "บทบาท",
    students: "นักเรียน", travel: "เวลาเดินทาง", minutes: "นาที", reason: "เหตุผล",
    score: "คะแนน", rank: "อันดับ", of: "จาก", runner_up: "อันดับรอง", margin: "ส่วนต่าง",
    stability: "ความมั่นคงของน้ำหนัก", stability_none: "ไม่มีน้ำหนักเดียวที่เปลี่ยนผลได้",
    parts: "ส่วนประกอบคะแนน", candidates: "ผู้สมัครเรียงตามคะแนน", share: "สัดส่วนภายในเวลาที่กำหนด",
    members: "สมาชิก", forced: "บังคับโดยฉากทัศน์", no_diff: "ไม่มีอำเภอที่แม่ข่ายต่างกัน",
    diff_count: "อำเภอที่แม่ข่ายต่างกัน", schools: "โรงเรียน", mean: "เฉลี่ย",
    within: "ภายในเวลา", legend_share: "สัดส่วนภายในเวลา", legend_route: "เส้นทาง (นาที)",
    problems: "ปัญหาในฉากทัศน์", school: "โรงเรียน", line: "บรรทัด", hub_p: "แม่ข่ายประถม", hub_s: "แม่ข่ายมัธยม",
  },
  en: {
    title: "hubsel — quality hub schools per district",
    scenario: "Scenario", strategy: "Strategy", limit: "Travel limit (min)",
    hubs_per: "Hubs per district", hubs_per_province: "Hubs per province",
    hubs_per_run: "Hubs over the whole run", hubs_by_district: "no hubs_per_group: per district", primary: "Primary", secondary: "Secondary",
    constraints: "Constraints", min_students: "Minimum students", weights: "Criterion weights",
    ahp: "AHP matrix", cr: "Consistency ratio (CR)", click_mode: "Clicking a school will",
    mode_inspect: "inspect it", mode_require: "require it as a hub", mode_exclude: "exclude it as a hub",
    required: "Required", excluded: "Excluded", run: "Run", running: "running…", done: "done", done_routes: "done (click a district for its routes)",
    explain: "Explanation", explain_hint: "Click a hub or a district on the map",
    saved: "Saved scenarios", save_name: "Name", save: "Save", compare: "Compare",
    export: "Export TOML", download: "Download outputs (zip)", hubs: "Hubs",
    search: "Search a school (name or code)", district: "District", level: "Level", hub: "hub",
    member: "member", "stand-alone": "stand-alone", rejected: "rejected", role: "Role",
    students: "Students", travel: "Travel", minutes: "min", reason: "Reason",
    score: "Score", rank: "Rank", of: "of", runner_up: "Runner-up", margin: "Margin",
    stability: "Weight stability", stability_none: "no single weight change flips it",
    parts: "Score parts", candidates: "Candidates by score", share: "Share within the limit",
    members: "Members", forced: "required by the scenario", no_diff: "No district's hubs differ",
    diff_count: "Districts whose hubs differ", schools: "schools", mean: "mean",
    within: "within the limit", legend_share: "Share within the limit", legend_route: "Routes (min)",
    problems: "Problems in the scenario", school: "School", line: "line", hub_p: "Primary hub", hub_s: "Secondary hub",
  },
};

const state = {
  lang: "th", toml: null, file: null, result: null, edits: {}, saved: [],
  runs: 0, busy: false, seq: 0, lastDiff: [], selected: null,
};
window.hubsel = state;

const $ = (id) => document.getElementById(id);
const w = (key) => WORDS[state.lang][key] || key;
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, tag = "td") {
  const tr = el("tr");
  for (const c of cells) {
    const td = el(tag);
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? "" : String(c);
    tr.appendChild(td);
  }
  return tr;
}
const fmt = (x, d = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));

// ---- map ----
const map = L.map("map", { preferCanvas: false, zoomSnap: 0.25 });
const layers = { districts: null, routes: null, schools: null, hubs: null };
const markers = {}; // school id -> marker

// A district without any school has no share: grey and "no schools",
// never 0 % red (issue 25.4).
const NO_SCHOOLS = { th: "ไม่มีโรงเรียน", en: "no schools" };
const NO_SCHOOLS_COLOUR = "#cccccc";
const noSchools = (p) => p.schools === 0 || p.share_in === null || p.share_in === undefined;
const shareText = (p) => (noSchools(p) ? NO_SCHOOLS[state.lang] : `${w("share")}: ${fmt(100 * p.share_in, 0)}%`);
function shareColour(s) {
  if (s === null || s === undefined) return NO_SCHOOLS_COLOUR;
  // 0 red → 0.5 yellow → 1 green
  const t = Math.max(0, Math.min(1, s));
  const r = t < 0.5 ? 215 : Math.round(215 - (t - 0.5) * 2 * 170);
  const g = t < 0.5 ? Math.round(60 + t * 2 * 150) : 210;
  return `rgb(${r},${g},70)`;
}
function routeColour(min, limit) {
  const f = min / limit;
  return f <= 1 / 3 ? "#1a9850" : f <= 2 / 3 ? "#d9a400" : f <= 1 ? "#f46d43" : "#a50026";
}
const ROLE_COLOUR = { member: "#4575b4", "stand-alone": "#d73027", rejected: "#222", hub: "#ffffff" };
const LEVEL_COLOUR = { primary: "#1b7837", secondary: "#762a83" };

function schoolTooltip(p) {
  const lines = [p.name, `${p.id} · ${w(p.role)} · ${w(p.level) || ""}`];
  if (p.students !== null && p.students !== undefined) lines.push(`${w("students")}: ${p.students}`);
  if (p.travel_min !== null && p.travel_min !== undefined) lines.push(`${w("travel")}: ${fmt(p.travel_min)} ${w("minutes")}`);
  if (p.reason) lines.push(`${w("reason")}: ${(state.lang === "th" && p.reason_th) || p.reason}`);
  const div = el("div");
  lines.forEach((l, i) => { const d = el("div", l); if (i === 0) d.style.fontWeight = "bold"; div.appendChild(d); });
  return div;
}

function draw(result) {
  // The server sends each school's reason in Thai beside the layer.
  const th = result.reasons_th || [];
  result.layers.schools.features.forEach((f, i) => { f.properties.reason_th = th[i] || null; });
  for (const k of Object.keys(layers)) if (layers[k]) map.removeLayer(layers[k]);
  const limit = result.scenario.max_travel_minutes;
  const L1 = result.layers;
  layers.districts = L.geoJSON(L1.districts, {
    style: (f) => ({ color: "#555", weight: 1, fillColor: noSchools(f.properties) ? NO_SCHOOLS_COLOUR : shareColour(f.properties.share_in), fillOpacity: 0.45, className: "district" }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      layer.bindTooltip(() => { const d = el("div"); d.appendChild(el("b", p.name)); d.appendChild(el("div", shareText(p))); return d; }, { sticky: true });
      layer.on("click", () => explainDistrict(p.code));
      layer.on("add", () => { const e = layer.getElement(); if (e) e.setAttribute("data-code", p.code); });
    },
  }).addTo(map);
  layers.routes = L.geoJSON(L1.routes, {
    style: (f) => ({ color: routeColour(f.properties.travel_min, limit), weight: 2, opacity: 0.8, interactive: false }),
  }).addTo(map);
  const schoolFeatures = L1.schools.features.filter((f) => f.properties.role !== "hub");
  layers.schools = L.geoJSON({ type: "FeatureCollection", features: schoolFeatures }, {
    pointToLayer: (f, ll) => L.circleMarker(ll, {
      radius: 4, weight: 1, color: "#fff", fillColor: ROLE_COLOUR[f.properties.role] || "#888", fillOpacity: 0.9,
      className: "school-marker",
    }),
    onEachFeature: (f, layer) => bindSchool(f.properties, layer),
  }).addTo(map);
  layers.hubs = L.geoJSON(L1.hubs, {
    pointToLayer: (f, ll) => L.circleMarker(ll, {
      radius: 6 + Math.sqrt(f.properties.members || 0) * 1.6, weight: 3, color: "#fff",
      fillColor: LEVEL_COLOUR[f.properties.level] || "#000", fillOpacity: 0.95, className: "hub-marker",
    }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      const s = L1.schools.features.find((x) => x.properties.id === p.id);
      bindSchool(s ? s.properties : { ...p, role: "hub" }, layer, p);
    },
  }).addTo(map);
  if (!state.fitted) { map.fitBounds(layers.districts.getBounds()); state.fitted = true; }
}

function bindSchool(p, layer, hub) {
  markers[p.id] = layer;
  layer.bindTooltip(() => schoolTooltip(p));
  layer.on("add", () => { const e = layer.getElement(); if (e) { e.setAttribute("data-id", p.id); if (hub) e.setAttribute("data-level", hub.level); } });
  layer.on("click", (ev) => {
    L.DomEvent.stopPropagation(ev);
    const mode = document.querySelector("input[name=mode]:checked").value;
    if (mode === "require" || mode === "exclude") return toggleId(mode, p.id);
    if (hub) explainHub(p.id, hub.level); else explainSchool(p);
  });
}

// ---- panel ----
function fillPanel(s) {
  const strat = $("strategy");
  strat.textContent = "";
  for (const k of s.strategies) { const o = el("option", k); o.value = k; strat.appendChild(o); }
  strat.value = s.strategy;
  $("limit").value = s.max_travel_minutes;
  fillHubs(s);
  $("min-students").value = s.min_students;
  const box = $("weights");
  box.textContent = "";
  const ahp = s.ahp && s.ahp.matrix;
  $("weights-box").hidden = !!ahp;
  $("ahp-box").hidden = !ahp;
  if (!ahp) {
    for (const c of s.criteria) {
      const div = el("div", null, "weight");
      const out = el("output", fmt(c.weight, 3));
      const input = el("input");
      Object.assign(input, { type: "range", min: 0, max: Math.max(1, c.weight), step: 0.005, value: c.weight });
      input.dataset.weight = c.key;
      input.addEventListener("input", () => { out.textContent = fmt(input.value, 3); });
      input.addEventListener("change", () => {
        state.edits.weights = state.edits.weights || {};
        state.edits.weights[c.key] = Math.round(Number(input.value) * 1000) / 1000;
        scheduleRun();
      });
      const label = el("span", null, "criterion");
      label.dataset.criterion = c.key;
      div.append(label, input, out);
      box.appendChild(div);
    }
    labelCriteria(s);
  } else {
    drawAhp(s.ahp);
  }
  state.required = s.required_hubs.slice();
  state.excluded = s.excluded_hubs.slice();
  drawIds();
}

// The sliders' criteria by their names in the chosen language, with what
// each measures as help text (the key stays in the title).
function labelCriteria(s) {
  for (const span of document.querySelectorAll("#weights [data-criterion]")) {
    const c = s.criteria.find((x) => x.key === span.dataset.criterion);
    if (!c) continue;
    span.textContent = c.label ? c.label[state.lang] : c.key;
    span.title = c.about ? `${c.about[state.lang]} (${c.key})` : c.key;
  }
}

// The hub counts the run used, under the key that sets them: per district,
// or per province / over the whole run for a region scenario. A count that
// differs between provinces (no hubs_per_group) shows empty, with how each
// province's count is made.
function fillHubs(s) {
  const h = s.hubs;
  const legend = $("hubs-legend");
  legend.dataset.w = h.key === "hubs_per_district" ? "hubs_per" : s.group_by === "province" ? "hubs_per_province" : "hubs_per_run";
  legend.textContent = w(legend.dataset.w);
  for (const [id, level] of [["hubs-primary", "primary"], ["hubs-secondary", "secondary"]]) {
    const input = $(id);
    input.max = h.key === "hubs_per_district" ? 1000 : 1000000;
    input.value = h[level] === null ? "" : h[level];
    input.placeholder = h[level] === null ? `${h.per_district[level]} × ${w("district")}` : "";
  }
  const note = $("hubs-note");
  note.hidden = h.key === "hubs_per_district" || h.given;
  note.textContent = `${w("hubs_by_district")} ${h.per_district.primary} / ${h.per_district.secondary}`;
}

function drawAhp(a) {
  const t = $("ahp");
  t.textContent = "";
  t.appendChild(row(["", ...a.criteria], "th"));
  a.matrix.forEach((r, i) => {
    const cells = [a.criteria[i]];
    r.forEach((v, j) => {
      const input = el("input");
      Object.assign(input, { type: "number", step: "any", min: 0.111, max: 9, value: +v.toFixed(4) });
      input.dataset.i = i; input.dataset.j = j;
      if (i >= j) input.disabled = true; // the diagonal and the reciprocals follow the upper half
      input.addEventListener("change", () => {
        const m = a.matrix;
        const x = Number(input.value);
        // A judgment is a positive number: anything else puts the cell back.
        if (input.value === "" || !(x > 0) || !Number.isFinite(x)) { input.value = +m[i][j].toFixed(4); return; }
        m[i][j] = x;
        m[j][i] = 1 / x;
        state.edits.ahp_matrix = m;
        drawAhp(a);
        liveCr(m);
        scheduleRun();
      });
      cells.push(input);
    });
    t.appendChild(row(cells));
  });
  $("ahp-cr").textContent = fmt(a.cr, 3);
}

async function liveCr(matrix) {
  const r = await api("/api/ahp", { matrix });
  $("ahp-cr").textContent = r.ok ? `${fmt(r.body.cr, 3)}${r.body.cr > 0.1 ? " > 0.1" : ""}` : r.body.error;
}

function drawIds() {
  for (const [kind, list] of [["required", state.required], ["excluded", state.excluded]]) {
    const box = $(`${kind}-list`);
    box.textContent = "";
    for (const id of list) {
      const chip = el("span", id, "chip");
      const x = el("button", "×");
      x.addEventListener("click", () => toggleId(kind === "required" ? "require" : "exclude", id));
      chip.appendChild(x);
      box.appendChild(chip);
    }
  }
}

function toggleId(mode, id) {
  const key = mode === "require" ? "required" : "excluded";
  const list = state[key];
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1); else list.push(id);
  list.sort();
  state.edits[mode === "require" ? "required_hubs" : "excluded_hubs"] = list.slice();
  drawIds();
  run();
}

function readInputs() {
  const s = state.result.scenario;
  // An empty or unreadable box is no edit.
  const num = (id) => ($(id).value === "" || !Number.isFinite(Number($(id).value)) ? null : Number($(id).value));
  if ($("strategy").value && $("strategy").value !== s.strategy) state.edits.strategy = $("strategy").value;
  if (num("limit") !== null && num("limit") !== s.max_travel_minutes) state.edits.max_travel_minutes = num("limit");
  // An empty count is no edit. A region scenario without hubs_per_group
  // gets it written with both counts, the one not changed as the run used it.
  const hubs = { hubs_primary: [num("hubs-primary"), s.hubs.primary], hubs_secondary: [num("hubs-secondary"), s.hubs.secondary] };
  const changed = Object.values(hubs).some(([v, was]) => v !== null && v !== was);
  const both = s.hubs.key === "hubs_per_group" && !s.hubs.given;
  for (const [key, [v, was]] of Object.entries(hubs)) {
    if (v !== null && (v !== was || (both && changed))) state.edits[key] = v;
  }
  if (num("min-students") !== null && num("min-students") !== s.min_students) state.edits.min_students = num("min-students");
}
for (const id of ["strategy", "limit", "hubs-primary", "hubs-secondary", "min-students"]) {
  $(id).addEventListener("change", () => scheduleRun());
}

let timer = null;
function scheduleRun() { clearTimeout(timer); timer = setTimeout(run, 150); }

async function api(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const type = res.headers.get("content-type") || "";
  return { ok: res.ok, status: res.status, body: type.includes("json") ? await res.json() : await res.blob() };
}

async function run() {
  if (state.result) readInputs();
  const seq = ++state.seq;
  state.busy = true;
  $("status").textContent = w("running");
  const r = await api("/api/run", { toml: state.toml, file: state.file, edits: state.edits });
  if (seq !== state.seq) return; // a newer run was asked meanwhile
  state.busy = false;
  const problems = $("problems");
  problems.textContent = "";
  if (!r.ok) {
    $("status").textContent = `${r.status}`;
    const ps = r.body.problems && r.body.problems.length ? r.body.problems : [{ message: r.body.error }];
    for (const p of ps) problems.appendChild(el("li", `${p.line ? `${w("line")} ${p.line}: ` : ""}${p.key ? `${p.key}: ` : ""}${p.message}`));
    state.edits = {};
    state.errors = (state.errors || 0) + 1;
    return;
  }
  state.edits = {};
  state.toml = r.body.toml;
  state.file = r.body.file;
  state.result = r.body;
  draw(r.body);
  fillPanel(r.body.scenario);
  drawTotals();
  drawHubList();
  if (state.selected) state.selected();
  state.runs += 1;
  $("status").textContent = w(r.body.routes_by_district ? "done_routes" : "done");
}

function drawTotals() {
  const t = state.result.totals;
  $("totals").textContent = `${w("hub_p")} ${t.hubs_primary} · ${w("hub_s")} ${t.hubs_secondary} · ${w("member")} ${t.members} · ${w("stand-alone")} ${t.standalone} · ${w("mean")} ${fmt(t.mean_min)} ${w("minutes")} · ${w("within")} ${fmt(100 * t.share_within, 0)}%`;
}

function districtName(code) {
  const f = state.result.layers.districts.features.find((x) => x.properties.code === code);
  return f ? f.properties.name : code;
}

function drawHubList() {
  const t = $("hub-list");
  t.textContent = "";
  t.appendChild(row([w("district"), w("level"), w("hub"), w("members")], "th"));
  for (const f of state.result.layers.hubs.features) {
    const p = f.properties;
    const tr = row([districtName(p.district), w(p.level), p.name, p.members]);
    tr.className = "hub-row";
    tr.dataset.id = p.id;
    tr.dataset.level = p.level;
    tr.addEventListener("click", () => {
      explainHub(p.id, p.level);
      map.panTo(f.geometry.coordinates.slice().reverse());
      $("explain").scrollIntoView();
    });
    t.appendChild(tr);
  }
}

// ---- explanation ----
function explainHub(id, level) {
  state.selected = () => explainHub(id, level);
  const h = state.result.explain.hubs.find((x) => x.id === id && x.level === level);
  const box = $("explain-body");
  box.textContent = "";
  if (!h) return;
  box.dataset.kind = "hub"; box.dataset.id = id;
  box.appendChild(el("h3", h.name));
  box.appendChild(el("div", `${id} · ${districtName(h.district)} · ${w(h.level)}${h.forced ? ` · ${w("forced")}` : ""}`));
  box.appendChild(el("div", `${w("score")}: ${fmt(h.score, 3)} · ${w("rank")} ${h.rank} ${w("of")} ${h.candidates}`));
  box.appendChild(el("div", `${w("runner_up")}: ${h.runner_up_name || "–"} (${h.runner_up || "–"}) · ${w("margin")}: ${fmt(h.margin, 3)} ${h.margin_unit}`));
  box.appendChild(el("div", `${w("stability")}: ${h.stability ? `${h.stability[0]} ±${fmt(h.stability[1], 3)}` : w("stability_none")}`));
  box.appendChild(el("h4", w("parts")));
  const t = el("table");
  const max = Math.max(1e-9, ...h.parts.map((p) => Math.abs(p[1])));
  for (const [k, v] of h.parts) {
    const bar = el("span", null, "part-bar");
    bar.style.width = `${Math.round(120 * Math.abs(v) / max)}px`;
    t.appendChild(row([k, fmt(v, 3), bar]));
  }
  box.appendChild(t);
  explainDistrict(h.district, true);
}

function explainDistrict(code, append) {
  const d = state.result.explain.districts.find((x) => x.code === code);
  const box = $("explain-body");
  if (!append) {
    state.selected = () => explainDistrict(code);
    box.textContent = "";
    box.dataset.kind = "district"; box.dataset.id = code;
    const f = state.result.layers.districts.features.find((x) => x.properties.code === code);
    box.appendChild(el("h3", `${w("district")} ${d ? d.name : code}`));
    if (f) {
      const p = f.properties;
      box.appendChild(el("div", noSchools(p) ? `${p.schools} ${w("schools")} · ${NO_SCHOOLS[state.lang]}` : `${p.schools} ${w("schools")} · ${shareText(p)} · ${w("mean")} ${fmt(p.mean_min)} ${w("minutes")}`));
      if (p.shortfall) box.appendChild(el("div", p.shortfall));
    }
  }
  if (!append && state.result.routes_by_district) districtRoutes(code);
  if (!d) return;
  for (const l of d.ranked) {
    box.appendChild(el("h4", `${w("candidates")} — ${w(l.level)}`));
    const t = el("table");
    t.className = "ranked";
    t.appendChild(row(["#", w("school"), w("score")], "th"));
    l.candidates.slice(0, 15).forEach((c, i) => {
      const tr = row([i + 1, `${c.hub ? "★ " : ""}${c.name}`, fmt(c.score, 3)]);
      tr.dataset.id = c.id;
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
}

// A large run (the national preset) sends its routes by district.
async function districtRoutes(code) {
  const r = await api("/api/routes", { toml: state.toml, file: state.file, district: code });
  if (!r.ok || !state.result) return;
  const limit = state.result.scenario.max_travel_minutes;
  layers.routes.clearLayers();
  layers.routes.addData(r.body);
  layers.routes.setStyle((f) => ({ color: routeColour(f.properties.travel_min, limit), weight: 2, opacity: 0.8 }));
}

function explainSchool(p) {
  state.selected = null;
  const box = $("explain-body");
  box.textContent = "";
  box.dataset.kind = "school"; box.dataset.id = p.id;
  box.appendChild(schoolTooltip(p));
}

// ---- search ----
$("search").addEventListener("input", () => {
  const q = $("search").value.trim().toLowerCase();
  const ul = $("search-results");
  ul.textContent = "";
  if (!q || !state.result) return;
  const hits = state.result.layers.schools.features
    .filter((f) => f.properties.name.toLowerCase().includes(q) || f.properties.id.toLowerCase().includes(q))
    .slice(0, 20);
  for (const f of hits) {
    const li = el("li", `${f.properties.name} (${f.properties.id})`);
    li.dataset.id = f.properties.id;
    li.addEventListener("click", () => { ul.textContent = ""; focusSchool(f.properties.id); });
    ul.appendChild(li);
  }
});

function focusSchool(id) {
  const m = markers[id];
  if (!m) return;
  map.setView(m.getLatLng(), 14, { animate: false });
  m.bringToFront();
  m.openTooltip();
}
state.focusSchool = focusSchool;
state.showAll = () => map.fitBounds(layers.districts.getBounds());

// ---- saved scenarios, compare, export ----
function hubsOf(result) {
  const by = {};
  for (const f of result.layers.hubs.features) {
    const p = f.properties;
    (by[p.district] = by[p.district] || []).push(`${p.level}:${p.id}`);
  }
  for (const k of Object.keys(by)) by[k].sort();
  return by;
}

$("save").addEventListener("click", () => {
  if (!state.result) return;
  const name = $("save-name").value.trim() || `${w("scenario")} ${state.saved.length + 1}`;
  const hubNames = {};
  for (const f of state.result.layers.hubs.features) hubNames[f.properties.id] = f.properties.name;
  state.saved = state.saved.filter((s) => s.name !== name);
  state.saved.push({ name, toml: state.toml, file: state.file, hubs: hubsOf(state.result), hubNames });
  for (const id of ["cmp-a", "cmp-b"]) {
    const sel = $(id);
    const keep = sel.value;
    sel.textContent = "";
    for (const s of state.saved) { const o = el("option", s.name); o.value = s.name; sel.appendChild(o); }
    sel.value = keep && state.saved.some((s) => s.name === keep) ? keep : name;
  }
  // The scenario just saved goes on the right, the one saved before it on
  // the left: "a" then "b" compares a with b (issue 25.5).
  $("cmp-b").value = name;
  $("cmp-a").value = state.saved.length >= 2 ? state.saved[state.saved.length - 2].name : name;
});

$("compare").addEventListener("click", () => {
  state.compared = [$("cmp-a").value, $("cmp-b").value];
  drawCompare();
});

function drawCompare() {
  const a = state.saved.find((s) => s.name === state.compared[0]);
  const b = state.saved.find((s) => s.name === state.compared[1]);
  if (!a || !b) return;
  const codes = [...new Set([...Object.keys(a.hubs), ...Object.keys(b.hubs)])].sort();
  const differ = codes.filter((c) => JSON.stringify(a.hubs[c] || []) !== JSON.stringify(b.hubs[c] || []));
  state.lastDiff = differ;
  // "level:id": the level never holds ':', an id may ("TH:1001").
  const names = (s, c) => (s.hubs[c] || []).map((x) => { const i = x.indexOf(":"); const lv = x.slice(0, i), id = x.slice(i + 1); return `${w(lv)}: ${s.hubNames[id] || id}`; }).join(", ");
  const t = $("diff");
  t.textContent = "";
  t.appendChild(row([w("district"), a.name, b.name], "th"));
  for (const c of differ) {
    const tr = row([districtName(c), names(a, c), names(b, c)]);
    tr.dataset.code = c;
    t.appendChild(tr);
  }
  if (!differ.length) t.appendChild(row([w("no_diff"), "", ""]));
  layers.districts.eachLayer((layer) => {
    const code = layer.feature.properties.code;
    const hit = differ.includes(code);
    layer.setStyle(hit ? { color: "#e6007e", weight: 4, dashArray: "6 3" } : { color: "#555", weight: 1, dashArray: null });
    const e = layer.getElement();
    if (e) e.classList.toggle("district-diff", hit);
    if (hit) layer.bringToFront();
  });
}

function saveBlob(blob, name) {
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

$("export").addEventListener("click", () => {
  // data.js adds the column mapping of the planner's own data ([columns]).
  const text = window.hubselExport ? window.hubselExport(state.toml) : state.toml;
  if (state.toml) saveBlob(new Blob([text], { type: "application/toml" }), state.file.split(":").pop());
});
$("download").addEventListener("click", async () => {
  const r = await api("/api/zip", { toml: state.toml, file: state.file });
  if (r.ok) saveBlob(r.body, "hubsel-run.zip");
});

// ---- language ----
function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-w]")) e.textContent = w(e.dataset.w);
  $("search").placeholder = w("search");
  if (state.result) { drawTotals(); drawHubList(); labelCriteria(state.result.scenario); if (state.selected) state.selected(); }
  if (state.compared) drawCompare();
  legend.update();
}
$("lang-th").addEventListener("click", () => setLang("th"));
$("lang-en").addEventListener("click", () => setLang("en"));

const legend = L.control({ position: "bottomleft" });
legend.onAdd = () => { legend.div = el("div", null, "legend"); return legend.div; };
legend.update = () => {
  const d = legend.div;
  if (!d) return;
  d.textContent = "";
  const item = (colour, text) => { const r = el("div"); const i = el("i"); i.style.background = colour; r.append(i, el("span", text)); d.appendChild(r); };
  d.appendChild(el("b", w("legend_share")));
  item(shareColour(0), "0%"); item(shareColour(0.5), "50%"); item(shareColour(1), "100%");
  item(NO_SCHOOLS_COLOUR, NO_SCHOOLS[state.lang]);
  d.appendChild(el("b", w("hubs")));
  item(LEVEL_COLOUR.primary, w("primary")); item(LEVEL_COLOUR.secondary, w("secondary"));
  item(ROLE_COLOUR.member, w("member")); item(ROLE_COLOUR["stand-alone"], w("stand-alone"));
  d.appendChild(el("b", w("legend_route")));
  const lim = state.result ? state.result.scenario.max_travel_minutes : 45;
  item(routeColour(lim / 6, lim), `≤ ${fmt(lim / 3, 0)}`); item(routeColour(lim, lim), `≤ ${fmt(lim, 0)}`); item(routeColour(lim * 2, lim), `> ${fmt(lim, 0)}`);
};
legend.addTo(map);

// The Run button runs the scenario as the panel shows it (issue 25.5).
$("run").addEventListener("click", () => { clearTimeout(timer); run(); });

setLang("th");
run();
