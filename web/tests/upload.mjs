// "Your data" in real Chromium (issue 23, must-show 1 and 2): `hubsel
// serve` with no flags, then the Chiang Mai registry as XLSX (written by
// rust_xlsxwriter, its `lat` header renamed so that it must be mapped by
// hand), the districts as a zipped Shapefile made by ogr2ogr in UTM 47N
// with a cp874 DBF, and the province's roads; the hubs must be those of
// `hubsel run` on the same files with the command the page gives; the 49
// blank-coordinate rows are in the rejects table, told in Thai. Then bad
// uploads, each with a clear message while the server keeps serving. Last,
// the national province picker: the country's 928 districts, Chiang Mai
// picked, the same hubs as `hubsel run` on the province (screenshot:
// out/upload-provinces.png).
//
// node web/tests/upload.mjs HUBSEL_BINARY CSV_TO_XLSX_BINARY OUT_DIR
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [bin, xlsxBin, outArg] = process.argv.slice(2);
const hubsel = path.resolve(bin);
const toXlsx = path.resolve(xlsxBin);
const out = path.resolve(outArg);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const real = path.resolve(repo, "../shared/data/real");
const registry = path.join(real, "chiangmai_obec_2022.csv");
if (!fs.existsSync(registry) || !fs.existsSync(path.join(real, "th_districts.geojson"))) {
  console.log(`skipped: ${registry} (../shared/data/real) is absent`);
  process.exit(0);
}
const { chromium } = require("playwright-core");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

let failures = 0;
function check(ok, what, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || detail === undefined ? "" : `: ${detail}`}`);
  if (!ok) failures += 1;
}

// ---- the files, as a planner would have them ----
const files = path.join(out, "files");
fs.mkdirSync(files);
const LAT = "ละติจูด";
const xlsx = path.join(files, "chiangmai_obec_2022.xlsx");
execFileSync(toXlsx, [registry, xlsx, `lat=${LAT}`]);
const all = JSON.parse(fs.readFileSync(path.join(real, "th_districts.geojson"), "utf8"));
const cm = { type: "FeatureCollection", features: all.features.filter((f) => f.properties.pro_code === "50") };
fs.writeFileSync(path.join(out, "cm.geojson"), JSON.stringify(cm));
execFileSync("ogr2ogr", ["-f", "ESRI Shapefile", "-t_srs", "EPSG:32647", "-lco", "ENCODING=CP874",
  path.join(files, "amphoe.shp"), path.join(out, "cm.geojson")]);
const shpParts = ["shp", "shx", "dbf", "prj", "cpg"].map((e) => `amphoe.${e}`);
execFileSync("zip", ["-q", "amphoe.zip", ...shpParts], { cwd: files });
const roads = path.join(files, "roads.geojson");
fs.copyFileSync(path.join(repo, "fixtures/province/roads.geojson"), roads);
check(fs.readFileSync(path.join(files, "amphoe.cpg"), "utf8").trim().toUpperCase() === "CP874", "the DBF is cp874");
check(fs.readFileSync(path.join(files, "amphoe.prj"), "utf8").includes("UTM_Zone_47N"), "the .prj is UTM 47N");

// The bad ones (python3's zipfile writes the names as given).
const bad = path.join(out, "bad");
fs.mkdirSync(bad);
execFileSync("python3", ["-c", `
import zipfile, sys
d = sys.argv[1]
with zipfile.ZipFile(d + "/traversal.zip", "w") as z:
    z.writestr("../../evil.shp", b"x"); z.writestr("evil.shx", b"x"); z.writestr("evil.dbf", b"x")
with zipfile.ZipFile(d + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.shp", bytes(300 << 20)); z.writestr("a.shx", b"x"); z.writestr("a.dbf", b"x")
with zipfile.ZipFile(d + "/nodbf.zip", "w") as z:
    for p in ["shp", "shx", "prj", "cpg"]:
        z.write(sys.argv[2] + "/amphoe." + p, "amphoe." + p)
`, bad, files]);
// 2 GB that take no disk: a sparse file.
const huge = path.join(bad, "huge.csv");
fs.closeSync(fs.openSync(huge, "w"));
fs.truncateSync(huge, 2 * 1024 ** 3);
fs.writeFileSync(path.join(bad, "nocoords.csv"), "id,name,level\n1,โรงเรียนหนึ่ง,primary\n2,โรงเรียนสอง,secondary\n");
execFileSync(toXlsx, [path.join(bad, "nocoords.csv"), path.join(bad, "nocoords.xlsx")]);

// ---- the server, with no input flags ----
const server = spawn(hubsel, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let text = "";
  server.stdout.on("data", (d) => {
    text += d;
    const m = text.match(/http:\/\/\S+/);
    if (m) resolve(m[0]);
  });
  server.on("exit", (code) => reject(new Error(`hubsel serve exited with ${code}`)));
  setTimeout(() => reject(new Error("hubsel serve printed no address in 120 s")), 120000);
});
console.log(`server at ${url}`);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hubsel-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1500, height: 1000 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(120000);
page.on("pageerror", (e) => check(false, "no script error on the page", e.message));

async function uploadAs(role, file) {
  await page.evaluate((r) => { document.getElementById(`data-${r}-status`).className = "pending"; }, role);
  await page.setInputFiles(`#data-${role}-file`, file);
  await page.waitForFunction((r) => {
    const s = document.getElementById(`data-${r}-status`);
    return s.className === "ok" || s.className === "bad";
  }, role);
  // The status says "uploaded" before a schools file's inspection (its
  // column mapping and preview) comes back; the page drops the mapping of
  // the file before at once, so wait for this one's (or its error).
  if (role === "schools") {
    await page.waitForFunction(() => {
      const bad = document.getElementById("data-schools-status").className === "bad";
      return bad || window.hubselData.preview !== null || document.getElementById("data-msg").className === "bad";
    });
  }
  return page.evaluate((r) => {
    const s = document.getElementById(`data-${r}-status`);
    return { ok: s.className === "ok", text: s.textContent, msg: document.getElementById("data-msg").textContent };
  }, role);
}
async function stillServing() {
  const r = await page.evaluate(async () => (await fetch("/api/session")).status);
  return r === 200;
}
const hubKey = (h) => `${h.district}|${h.level}|${h.id}`;

try {
  await page.goto(url);
  await page.waitForFunction(() => window.hubsel.runs >= 1);
  const provinceHubs = await page.evaluate(() => window.hubsel.result.layers.hubs.features.length);
  check(provinceHubs > 0, "the page opens on the embedded province", provinceHubs);

  // ---- must-show 1 ----
  let s = await uploadAs("schools", xlsx);
  check(s.ok, "the registry as XLSX is taken", s.text);
  await page.waitForSelector("#map-lat");
  const latBefore = await page.evaluate(() => window.hubselData.preview.fields.find((f) => f.field === "lat").column);
  check(latBefore === null, "the renamed latitude column is not found by itself", latBefore);
  const previewRows = await page.$$eval("#data-preview tr", (t) => t.length);
  check(previewRows > 2, "the preview shows the first rows", previewRows);
  await page.selectOption("#map-lat", LAT);
  await page.waitForFunction((lat) => {
    const p = window.hubselData.preview;
    return p && p.fields.find((f) => f.field === "lat").column === lat;
  }, LAT);
  // The criteria's rows are named in Thai on the Thai page (not by the
  // engine's keys: classrooms, land_rai, …).
  const criterionRows = await page.$$eval("#data-mapping tr", (rows) =>
    rows.map((r) => r.cells[0].textContent).filter((t) => t.startsWith("เกณฑ์")));
  check(criterionRows.length > 0 && criterionRows.every((t) => /^เกณฑ์: [\u0E00-\u0E7F]/.test(t)),
    "the criteria's rows are named in Thai", criterionRows.join(" | "));
  const crs = await page.textContent("#data-crs-found");
  check(/WGS 84/.test(crs), "the coordinate system found: degrees", crs);
  s = await uploadAs("districts", path.join(files, "amphoe.zip"));
  check(s.ok && /UTM_Zone_47N/.test(s.text) && /CP874/i.test(s.text), "the zipped Shapefile: .prj and .cpg read", s.text);
  s = await uploadAs("roads", roads);
  check(s.ok, "the roads are taken", s.text);
  const runsBefore = await page.evaluate(() => window.hubsel.runs);
  await page.click("#data-load");
  await page.waitForFunction((n) => window.hubsel.runs > n && window.hubselData.rejects, runsBefore);
  const command = await page.textContent("#data-command");
  check(command.includes(`--lat-col ${LAT}`), "the command names the column mapped by hand", command);
  const pageHubs = await page.evaluate(() => window.hubsel.result.layers.hubs.features.map((f) => f.properties));

  // `hubsel run` on the same files, as the page's command says.
  const cli = path.join(out, "cli");
  fs.mkdirSync(cli);
  for (const f of [...shpParts, "chiangmai_obec_2022.xlsx", "roads.geojson"]) fs.copyFileSync(path.join(files, f), path.join(cli, f));
  const args = command.trim().split(/\s+/).slice(1);
  execFileSync(hubsel, [...args, "-q", "--out", "run"], { cwd: cli, stdio: ["ignore", "ignore", "inherit"] });
  const cliHubs = JSON.parse(fs.readFileSync(path.join(cli, "run/hubs.geojson"), "utf8")).features.map((f) => f.properties);
  const a = pageHubs.map(hubKey).sort(), b = cliHubs.map(hubKey).sort();
  check(a.length > 0 && JSON.stringify(a) === JSON.stringify(b), `the page's ${a.length} hubs are hubsel run's`, `${a.length} vs ${b.length}`);

  const rejects = await page.evaluate(() => window.hubselData.rejects);
  const blank = rejects.filter((r) => r.reason.includes("no coordinates"));
  check(blank.length === 49, "the 49 blank-coordinate rows are in the rejects table", blank.length);
  check(blank.every((r) => r.file === "chiangmai_obec_2022.xlsx" && Number(r.line) > 1), "each with its file and sheet row");
  const cliRejects = fs.readFileSync(path.join(cli, "run/rejects.csv"), "utf8");
  const pageCsv = await page.evaluate(() => window.hubselData.rejectsCsv);
  check(pageCsv === cliRejects, "the page's rejects.csv is hubsel run's");
  const tableRows = await page.$$eval("#data-rejects-table tr", (t) => t.length - 1);
  check(tableRows === rejects.length, "every reject is a row of the table", `${tableRows} of ${rejects.length}`);
  // The page is Thai: the table tells each reason in Thai (rejects.csv's
  // `reason_th`), the 49 blank-coordinate rows among them.
  const NO_COORDS_TH = "ไม่มีพิกัด: ช่องลองจิจูดและละติจูดว่าง";
  const cells = await page.$$eval("#data-rejects-table tr", (t) =>
    t.slice(1).map((r) => Array.from(r.cells, (c) => c.textContent)));
  const thaiBlank = cells.filter((c) => c[5] === NO_COORDS_TH);
  check(thaiBlank.length === 49 && blank.every((r) => r.reason_th === NO_COORDS_TH),
    "the 49 blank-coordinate rows are shown in Thai", `${thaiBlank.length} rows say ${NO_COORDS_TH}`);
  check(cells.every((c) => /[\u0E00-\u0E7F]/.test(c[5]) && !/no coordinates/.test(c[5])), "every reason in the table is Thai",
    (cells.find((c) => !/[\u0E00-\u0E7F]/.test(c[5])) || [])[5]);
  await page.click("#lang-en");
  const english = await page.$$eval("#data-rejects-table tr", (t) => t.slice(1).filter((r) => r.cells[5].textContent === "no coordinates: longitude and latitude are blank").length);
  check(english === 49, "…and in English on the English page", english);
  await page.click("#lang-th");
  await page.waitForFunction(() => document.querySelectorAll("#data-rejects-table tr").length > 1);
  const head = await page.$$eval("#data-rejects-table th", (t) => t.map((x) => x.textContent));
  check(head.every((h) => /[\u0E00-\u0E7F]/.test(h)), "the table's headings are Thai", head.join(","));
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#data-rejects-download")]);
  check(dl.suggestedFilename() === "rejects.csv", "rejects.csv downloads");
  const served = await page.evaluate(() => document.body.innerText);
  check(!served.includes(os.tmpdir() + "/hubsel-serve-"), "no server path in the page");
  // The screenshot (docs/img/upload.png), in a taller window: the columns
  // with the one mapped by hand, the coordinate system found, the first
  // rows, the command and the rejects table's first rows in Thai.
  await page.setViewportSize({ width: 1500, height: 1400 });
  await page.evaluate(() => document.getElementById("data-mapping").scrollIntoView());
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, "..", "upload.png") });
  await page.setViewportSize({ width: 1500, height: 1000 });

  // ---- must-show 2: bad uploads ----
  const bads = [
    ["districts", path.join(bad, "traversal.zip"), /leads out of the folder/],
    ["districts", path.join(bad, "bomb.zip"), /zip bomb/],
    ["schools", huge, /larger than the workbench takes|ใหญ่เกินกว่าที่รับได้/],
    ["districts", path.join(bad, "nodbf.zip"), /has no amphoe\.dbf beside it/],
  ];
  for (const [role, file, want] of bads) {
    s = await uploadAs(role, file);
    check(!s.ok && want.test(s.text) && want.test(s.msg), `${path.basename(file)}: refused with a clear message`, s.text);
    check(await stillServing(), `the server keeps serving after ${path.basename(file)}`);
  }
  check(!fs.existsSync(path.join(os.tmpdir(), "evil.shp")) && !fs.existsSync(path.join(bad, "..", "evil.shp")), "nothing written outside");
  // The server refuses 2 GB itself too: the size is declared, nothing is kept.
  const refused413 = await page.evaluate(async () => {
    const r = await fetch("/api/upload/schools", {
      method: "PUT", headers: { "content-type": "application/octet-stream", "x-hubsel-name": "big.csv" },
      body: new Blob([new Uint8Array(8)]),
    });
    return r.status;
  });
  check(refused413 === 200, "a small upload still goes through", refused413);
  s = await uploadAs("schools", path.join(bad, "nocoords.xlsx"));
  const crsNone = await page.textContent("#data-crs-found");
  check(s.ok && /no coordinate columns found|ไม่พบคอลัมน์พิกัด/.test(crsNone), "a spreadsheet without coordinates: said in the preview", crsNone);
  await uploadAs("districts", path.join(files, "amphoe.zip"));
  await page.click("#data-load");
  await page.waitForFunction(() => !window.hubselData.loading && document.getElementById("data-msg").className === "bad");
  const msg = await page.textContent("#data-msg");
  check(/no longitude \(x\) column/.test(msg), "…and loading it says which column is missing", msg);
  check(await stillServing(), "the server keeps serving");
  const runsNow = await page.evaluate(() => window.hubsel.runs);
  await page.click("#run");
  await page.waitForFunction((n) => window.hubsel.runs > n, runsNow);
  const still = await page.evaluate(() => window.hubsel.result.layers.hubs.features.map((f) => `${f.properties.district}|${f.properties.level}|${f.properties.id}`).sort());
  check(JSON.stringify(still) === JSON.stringify(b), "the workbench keeps the data it had");

  // ---- the national province picker: the 928 districts of the country,
  // Chiang Mai picked; only it is prepared, and the hubs are `hubsel run`'s
  // on the province's own files (above) and on the national ones with the
  // page's command (--province 50).
  s = await uploadAs("schools", xlsx);
  check(s.ok, "the registry again", s.text);
  await page.waitForSelector("#map-lat");
  await page.selectOption("#map-lat", LAT);
  await page.waitForFunction((lat) => {
    const p = window.hubselData.preview;
    return p && p.fields.find((f) => f.field === "lat").column === lat;
  }, LAT);
  const national = path.join(files, "th_districts.geojson");
  fs.copyFileSync(path.join(real, "th_districts.geojson"), national);
  s = await uploadAs("districts", national);
  check(s.ok, "the national districts are taken", s.text);
  await page.waitForSelector("#data-provinces input[value='50']");
  const offered = await page.$$eval("#data-provinces label", (t) => t.map((x) => x.textContent));
  const cmLabel = offered.find((t) => t.includes("(50)")) || "";
  check(offered.length === 77, "the picker lists the 77 provinces", offered.length);
  check(cmLabel.startsWith("เชียงใหม่ (50)") && cmLabel.includes("25"), "…by their Thai names, Chiang Mai with its 25 districts", cmLabel);
  await page.check("#data-provinces input[value='50']");
  const picked = await page.evaluate(() => Array.from(window.hubselData.picked));
  check(JSON.stringify(picked) === '["50"]', "Chiang Mai is picked", picked);
  await page.evaluate(() => document.getElementById("data-provinces-box").scrollIntoView());
  await page.screenshot({ path: path.join(out, "..", "upload-provinces.png") });
  const runsNational = await page.evaluate(() => window.hubsel.runs);
  const loadStarted = Date.now();
  await page.click("#data-load");
  await page.waitForFunction((n) => window.hubsel.runs > n && !window.hubselData.loading, runsNational);
  const loadS = (Date.now() - loadStarted) / 1000;
  const national_msg = await page.textContent("#data-msg");
  check(/25 อำเภอ/.test(national_msg), "only Chiang Mai's 25 districts are prepared", national_msg);
  console.log(`     (the national districts cut to Chiang Mai: loaded and run in ${loadS.toFixed(1)} s)`);
  const nationalCommand = (await page.textContent("#data-command")).trim();
  check(/--districts th_districts\.geojson/.test(nationalCommand) && / --province 50$/.test(nationalCommand),
    "the command names the national file and --province 50", nationalCommand);
  const nationalHubs = await page.evaluate(() => window.hubsel.result.layers.hubs.features.map((f) => f.properties));
  const n = nationalHubs.map(hubKey).sort();
  check(JSON.stringify(n) === JSON.stringify(b), `the ${n.length} hubs are hubsel run's on the province's own files`, `${n.length} vs ${b.length}`);
  const cliNational = path.join(out, "cli-national");
  fs.mkdirSync(cliNational);
  for (const f of ["th_districts.geojson", "chiangmai_obec_2022.xlsx", "roads.geojson"]) fs.copyFileSync(path.join(files, f), path.join(cliNational, f));
  execFileSync(hubsel, [...nationalCommand.split(/\s+/).slice(1), "-q", "--out", "run"], { cwd: cliNational, stdio: ["ignore", "ignore", "inherit"] });
  const cliN = JSON.parse(fs.readFileSync(path.join(cliNational, "run/hubs.geojson"), "utf8")).features.map((f) => f.properties).map(hubKey).sort();
  check(JSON.stringify(n) === JSON.stringify(cliN), "…and hubsel run's with the page's command on the national file", `${n.length} vs ${cliN.length}`);
} catch (e) {
  check(false, "the browser test ran to its end", e.stack);
  await page.screenshot({ path: path.join(out, "failure.png") }).catch(() => {});
} finally {
  await context.close();
  server.kill();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(huge, { force: true });
}
console.log(failures ? `check-serve (upload): ${failures} failed` : "check-serve (upload): all passed");
process.exit(failures ? 1 : 0);
