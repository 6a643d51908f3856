// "Your data": the planner's own files (schools, districts, roads) by
// picker or drag and drop, the schools' columns with a preview, loading
// with progress and cancel, and the rejects table (rejects.csv).
// Uses app.js's globals (state, run, el, row, $); text goes in with
// textContent only.
"use strict";

const DW = {
  th: {
    data: "ข้อมูลของคุณ", schools: "โรงเรียน", districts: "อำเภอ (เขต)", roads: "ถนน",
    drop: "ลากไฟล์มาวางที่นี่ หรือเลือกไฟล์",
    fmt_schools: "CSV, XLSX หรือ GeoPackage", fmt_districts: "Shapefile (zip), GeoJSON หรือ GeoPackage",
    fmt_roads: "OSM PBF, Shapefile (zip) หรือ GeoPackage",
    uploading: "กำลังส่งไฟล์…", uploaded: "รับไฟล์แล้ว", too_big: "ไฟล์ใหญ่เกินกว่าที่รับได้",
    mapping: "คอลัมน์ที่ใช้", preview: "ตัวอย่างแถวแรก", auto: "(เลือกเอง)", none: "(ไม่มี)",
    f_id: "รหัสโรงเรียน", f_name: "ชื่อ", f_lon: "ลองจิจูด / x", f_lat: "ละติจูด / y", f_district: "อำเภอ",
    f_level: "ระดับ", f_students: "นักเรียน", f_teachers: "ครู", f_classrooms: "ห้องเรียน", criterion: "เกณฑ์",
    crs: "ระบบพิกัด", crs_degrees: "องศา ละติจูด/ลองจิจูด (WGS 84)", crs_metres: "เมตร: เลือกระบบพิกัด เช่น EPSG:32647 (UTM 47N)",
    crs_none: "ไม่พบคอลัมน์พิกัด", crs_geometry: "จากเรขาคณิตของชั้นข้อมูล",
    load: "เปิดข้อมูล", cancel: "ยกเลิก", loaded: "เปิดข้อมูลแล้ว", cancelled: "ยกเลิกแล้ว ยังใช้ข้อมูลเดิม",
    command: "คำสั่งที่ได้ผลเดียวกัน", rows: "แถว",
    rejects: "แถวที่ไม่ได้ใช้หรือถูกทำเครื่องหมาย", download_rejects: "ดาวน์โหลด rejects.csv",
    r_file: "ไฟล์", r_line: "บรรทัด", r_id: "รหัส", r_name: "ชื่อ", r_field: "ช่อง", r_reason: "เหตุผล", r_action: "ผล",
    refused: "ไม่ใช้", flagged: "ทำเครื่องหมาย", stage: "ขั้นตอน",
    provinces: "จังหวัด", provinces_hint: "เลือกจังหวัดเดียวหรือหลายจังหวัด: เตรียมข้อมูลเฉพาะจังหวัดที่เลือก (ไม่เลือก: ทั้งไฟล์)",
    districts_n: "อำเภอ", picked: "เลือกแล้ว",
  },
  en: {
    data: "Your data", schools: "Schools", districts: "Districts", roads: "Roads",
    drop: "Drop a file here, or choose one",
    fmt_schools: "CSV, XLSX or GeoPackage", fmt_districts: "zipped Shapefile, GeoJSON or GeoPackage",
    fmt_roads: "OSM PBF, zipped Shapefile or GeoPackage",
    uploading: "uploading…", uploaded: "received", too_big: "the file is larger than the workbench takes",
    mapping: "Columns used", preview: "First rows", auto: "(hubsel's choice)", none: "(none)",
    f_id: "school id", f_name: "name", f_lon: "longitude / x", f_lat: "latitude / y", f_district: "district",
    f_level: "level", f_students: "students", f_teachers: "teachers", f_classrooms: "classrooms", criterion: "criterion",
    crs: "Coordinate system", crs_degrees: "latitude/longitude degrees (WGS 84)", crs_metres: "metres: choose the system, e.g. EPSG:32647 (UTM 47N)",
    crs_none: "no coordinate columns found", crs_geometry: "the layer's geometry",
    load: "Open the data", cancel: "Cancel", loaded: "data opened", cancelled: "cancelled; the workbench keeps its data",
    command: "The same run on the command line", rows: "rows",
    rejects: "Rows refused or flagged", download_rejects: "Download rejects.csv",
    r_file: "file", r_line: "line", r_id: "id", r_name: "name", r_field: "field", r_reason: "reason", r_action: "action",
    refused: "refused", flagged: "flagged", stage: "stage",
    provinces: "Provinces", provinces_hint: "Pick one province or several: only those are prepared (none picked: the whole file)",
    districts_n: "districts", picked: "picked",
  },
};
const dw = (k) => DW[state.lang][k] || DW.en[k] || k;
const ROLES = ["schools", "districts", "roads"];
const ACCEPT = {
  schools: ".csv,.txt,.xlsx,.xls,.ods,.gpkg,.geojson,.json",
  districts: ".zip,.geojson,.json,.gpkg",
  roads: ".pbf,.zip,.geojson,.json,.gpkg",
};
const FIELDS = ["id", "name", "lon", "lat", "district", "level", "students", "teachers", "classrooms"];
const data = {
  limits: null, mapping: {}, preview: null, rejects: null, rejectsCsv: null, loading: null, files: {},
  // National districts: their provinces ({code, name, districts}) and the codes picked.
  provinces: [], picked: new Set(),
};
window.hubselData = data;

function dataMsg(text, bad) {
  const m = $("data-msg");
  m.textContent = text || "";
  m.className = bad ? "bad" : "note";
}

async function session() {
  const r = await fetch("/api/session");
  if (r.ok) {
    const j = await r.json();
    data.limits = j.limits;
  }
}

async function upload(role, file) {
  const status = $(`data-${role}-status`);
  if (data.limits && file.size > data.limits.file) {
    // The server refuses it too (413 before a byte is kept); nothing is sent.
    status.textContent = `${file.name}: ${dw("too_big")} (${Math.round(data.limits.file / 1048576)} MB)`;
    status.className = "bad";
    dataMsg(status.textContent, true);
    return;
  }
  status.textContent = `${file.name}: ${dw("uploading")}`;
  status.className = "note";
  // The previous file's column mapping goes at once: it no longer applies,
  // and the new one is drawn when the new file has been inspected.
  if (role === "schools") { data.preview = null; drawMapping(); }
  let res;
  try {
    res = await fetch(`/api/upload/${role}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "x-hubsel-name": encodeURIComponent(file.name) },
      body: file,
    });
  } catch (e) {
    status.textContent = `${file.name}: ${e}`;
    status.className = "bad";
    dataMsg(status.textContent, true);
    return;
  }
  const j = await res.json().catch(() => ({ error: `${res.status}` }));
  if (!res.ok) {
    delete data.files[role];
    if (role === "districts") { data.provinces = []; data.picked.clear(); drawProvinces(); }
    status.textContent = j.error || `${res.status}`;
    status.className = "bad";
    dataMsg(status.textContent, true);
    if (role === "schools") { data.preview = null; drawMapping(); }
    return;
  }
  data.files[role] = j;
  status.className = "ok";
  status.textContent = `${j.name}: ${dw("uploaded")} (${(j.bytes / 1048576).toFixed(1)} MB)${j.facts.length ? " · " + j.facts.join(" · ") : ""}`;
  dataMsg("");
  if (role === "districts") {
    data.provinces = j.provinces || [];
    data.picked.clear();
    drawProvinces();
  }
  if (role === "schools") { data.mapping = {}; await inspect(); }
}

async function inspect() {
  const r = await api("/api/inspect", { columns: data.mapping, crs: $("data-crs").value || null });
  if (!r.ok) {
    data.preview = null;
    dataMsg(r.body.error || `${r.status}`, true);
  } else {
    data.preview = r.body;
  }
  drawMapping();
}

function drawMapping() {
  const box = $("data-mapping");
  box.textContent = "";
  const p = data.preview;
  if (!p) return;
  box.appendChild(el("b", dw("mapping")));
  const t = el("table");
  for (const f of p.fields) {
    const label = f.criterion ? `${dw("criterion")}: ${f.label ? f.label[state.lang] : f.field}` : dw(`f_${f.field}`);
    if (p.geometry || f.criterion) { t.appendChild(row([label, f.column || dw("none")])); continue; }
    const sel = el("select");
    sel.id = `map-${f.field}`;
    const auto = el("option", `${dw("auto")}${!f.given && f.column ? ": " + f.column : ""}`);
    auto.value = "";
    sel.appendChild(auto);
    for (const h of p.headers) { const o = el("option", h); o.value = h; sel.appendChild(o); }
    sel.value = data.mapping[f.field] || "";
    sel.addEventListener("change", () => {
      if (sel.value) data.mapping[f.field] = sel.value; else delete data.mapping[f.field];
      inspect();
    });
    const found = el("span", f.column ? `→ ${f.column}` : `→ ${dw("none")}`, f.column ? "note" : "bad");
    t.appendChild(row([label, sel, found]));
  }
  box.appendChild(t);
  const crs = p.geometry ? dw("crs_geometry") : dw(`crs_${p.crs.kind}`);
  const c = el("div", `${dw("crs")}: ${crs}`, p.crs && p.crs.kind === "metres" ? "bad" : "note");
  c.id = "data-crs-found";
  box.appendChild(c);
  if (!p.geometry) {
    box.appendChild(el("b", `${dw("preview")} (${p.count} ${dw("rows")})`));
    const wrap = el("div", null, "scroll");
    const pt = el("table");
    pt.id = "data-preview";
    pt.appendChild(row(p.headers, "th"));
    for (const r of p.rows) pt.appendChild(row(r));
    wrap.appendChild(pt);
    box.appendChild(wrap);
  }
}

async function poll() {
  while (data.loading) {
    const r = await fetch("/api/progress").then((x) => x.json()).catch(() => null);
    if (r && r.loading && data.loading) {
      const p = r.progress;
      const bar = $("data-bar");
      bar.max = Math.max(1, p.total);
      bar.value = p.total ? p.done : 0;
      if (!p.total) bar.removeAttribute("value");
      $("data-stage").textContent = `${dw("stage")}: ${p.stage || "…"}${p.total ? ` ${p.done}/${p.total}` : ""}`;
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

async function load() {
  if (data.loading) return;
  const abort = new AbortController();
  data.loading = abort;
  $("data-load").disabled = true;
  $("data-cancel").hidden = false;
  $("data-progress").hidden = false;
  dataMsg("");
  poll();
  let res = null;
  try {
    res = await fetch("/api/load", {
      method: "POST", signal: abort.signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ columns: data.mapping, crs: $("data-crs").value || null, provinces: pickedCodes() }),
    });
  } catch (e) {
    res = null;
  }
  data.loading = null;
  $("data-load").disabled = false;
  $("data-cancel").hidden = true;
  $("data-progress").hidden = true;
  if (!res) { dataMsg(dw("cancelled"), true); return; }
  const j = await res.json().catch(() => ({ error: `${res.status}` }));
  if (!res.ok) {
    const ps = j.problems && j.problems.length ? j.problems.map((p) => `${p.key ? p.key + ": " : ""}${p.message}`) : [];
    dataMsg([j.error, ...ps].filter(Boolean).join(" · "), true);
    return;
  }
  data.command = j.command;
  $("data-command").textContent = j.command;
  $("data-command-box").hidden = false;
  dataMsg(`${dw("loaded")}: ${j.schools} ${dw("schools")}, ${j.districts} ${dw("districts")}, ${j.roads} ${dw("roads")}`);
  state.toml = null; state.file = null; state.result = null; state.edits = {}; state.fitted = false;
  await run();
  await loadRejects();
}

// The picked provinces' codes, in the file's order; none when the
// districts are one province.
function pickedCodes() {
  return data.provinces.length > 1 ? data.provinces.map((p) => p.code).filter((c) => data.picked.has(c)) : [];
}

// The province picker: shown when the districts uploaded span several
// provinces (national files), one checkbox per province with its name
// where the districts carry one.
function drawProvinces() {
  const box = $("data-provinces-box");
  if (!box) return;
  box.textContent = "";
  box.hidden = data.provinces.length < 2;
  if (box.hidden) return;
  const n = pickedCodes().length;
  box.appendChild(el("b", `${dw("provinces")} (${data.provinces.length}) · ${dw("picked")} ${n}`));
  box.appendChild(el("div", dw("provinces_hint"), "note"));
  const list = el("div", null, "scroll provinces");
  list.id = "data-provinces";
  for (const p of data.provinces) {
    const label = el("label");
    const c = el("input");
    c.type = "checkbox";
    c.value = p.code;
    c.checked = data.picked.has(p.code);
    c.addEventListener("change", () => {
      if (c.checked) data.picked.add(p.code); else data.picked.delete(p.code);
      drawProvinces();
    });
    label.append(c, el("span", `${p.name ? `${p.name} ` : ""}(${p.code}) · ${p.districts} ${dw("districts_n")}`));
    list.appendChild(label);
  }
  box.appendChild(list);
}

function parseCsv(text) {
  const rows = [];
  let cur = [""], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cur[cur.length - 1] += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur[cur.length - 1] += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") cur.push("");
    else if (ch === "\n") { rows.push(cur); cur = [""]; }
    else if (ch !== "\r") cur[cur.length - 1] += ch;
  }
  if (cur.length > 1 || cur[0] !== "") rows.push(cur);
  return rows;
}

async function loadRejects() {
  const r = await fetch("/api/rejects", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ toml: state.toml, file: state.file }),
  });
  if (!r.ok) return;
  data.rejectsCsv = await r.text();
  const rows = parseCsv(data.rejectsCsv.replace(/^\uFEFF/, ""));
  const head = rows.shift() || [];
  data.rejects = rows.map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i]])));
  drawRejects();
}

function drawRejects() {
  const box = $("data-rejects");
  box.textContent = "";
  if (!data.rejects) return;
  box.hidden = false;
  box.appendChild(el("h3", `${dw("rejects")} (${data.rejects.length})`));
  const b = el("button", dw("download_rejects"));
  b.type = "button";
  b.id = "data-rejects-download";
  b.addEventListener("click", () => saveBlob(new Blob([data.rejectsCsv], { type: "text/csv" }), "rejects.csv"));
  box.appendChild(b);
  const wrap = el("div", null, "scroll");
  const t = el("table");
  t.id = "data-rejects-table";
  t.appendChild(row(["r_file", "r_line", "r_id", "r_name", "r_field", "r_reason", "r_action"].map(dw), "th"));
  for (const r of data.rejects) {
    // rejects.csv gives every reason in English and Thai (`reason_th`).
    const reason = state.lang === "th" && r.reason_th ? r.reason_th : r.reason;
    t.appendChild(row([r.file, r.line, r.id, r.name, r.field, reason, dw(r.action) || r.action]));
  }
  wrap.appendChild(t);
  box.appendChild(wrap);
}

function buildPanel() {
  const sec = $("data");
  sec.textContent = "";
  const h = el("h2", dw("data"));
  sec.appendChild(h);
  for (const role of ROLES) {
    const zone = el("div", null, "drop");
    zone.id = `data-${role}`;
    zone.appendChild(el("b", `${dw(role)} `));
    zone.appendChild(el("span", `${dw(`fmt_${role}`)} · ${dw("drop")}`, "note"));
    const input = el("input");
    input.type = "file";
    input.id = `data-${role}-file`;
    input.accept = ACCEPT[role];
    input.addEventListener("change", () => { if (input.files[0]) upload(role, input.files[0]); });
    zone.appendChild(input);
    const status = el("div", null, "note");
    status.id = `data-${role}-status`;
    const f = data.files[role];
    if (f) { status.textContent = `${f.name}: ${dw("uploaded")}`; status.className = "ok"; }
    zone.appendChild(status);
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer.files[0]) upload(role, e.dataTransfer.files[0]);
    });
    sec.appendChild(zone);
  }
  const provinces = el("div");
  provinces.id = "data-provinces-box";
  provinces.hidden = true;
  sec.appendChild(provinces);
  const mapping = el("div");
  mapping.id = "data-mapping";
  sec.appendChild(mapping);
  const crsLabel = el("label");
  crsLabel.appendChild(el("span", `${dw("crs")} (EPSG) `));
  const crs = el("input");
  crs.id = "data-crs";
  crs.placeholder = "EPSG:32647";
  crs.value = data.crs || "";
  crs.addEventListener("change", () => { data.crs = crs.value; if (data.preview) inspect(); });
  crsLabel.appendChild(crs);
  sec.appendChild(crsLabel);
  const load1 = el("button", dw("load"));
  load1.type = "button";
  load1.id = "data-load";
  load1.addEventListener("click", load);
  const cancel = el("button", dw("cancel"));
  cancel.type = "button";
  cancel.id = "data-cancel";
  cancel.hidden = true;
  cancel.addEventListener("click", () => { if (data.loading) data.loading.abort(); });
  sec.append(load1, cancel);
  const prog = el("div");
  prog.id = "data-progress";
  prog.hidden = true;
  const bar = el("progress");
  bar.id = "data-bar";
  const stage = el("span", null, "note");
  stage.id = "data-stage";
  prog.append(bar, stage);
  sec.appendChild(prog);
  const msg = el("div", null, "note");
  msg.id = "data-msg";
  sec.appendChild(msg);
  const cmd = el("div", null, "note");
  cmd.id = "data-command-box";
  cmd.hidden = !data.command;
  cmd.appendChild(el("span", `${dw("command")}: `));
  const code = el("code", data.command || "");
  code.id = "data-command";
  cmd.appendChild(code);
  sec.appendChild(cmd);
  const rej = el("div");
  rej.id = "data-rejects";
  rej.hidden = true;
  sec.appendChild(rej);
  drawProvinces();
  drawMapping();
  drawRejects();
}

// The exported scenario carries the column mapping (`[columns]`), which
// `hubsel run --scenario` reads as the --…-col flags.
window.hubselExport = (toml) => {
  const cols = Object.entries(data.mapping);
  if (!data.command || !cols.length || /^\s*\[columns\]/m.test(toml)) return toml;
  return `${toml.replace(/\s*$/, "\n")}\n# The schools' columns as mapped in the workbench.\n[columns]\n${cols.map(([f, c]) => `${f} = ${JSON.stringify(c)}`).join("\n")}\n`;
};

for (const b of ["lang-th", "lang-en"]) $(b).addEventListener("click", () => buildPanel());
buildPanel();
session();
