// The workbench in real Chromium (Debian's, driven by playwright-core),
// checked against `hubsel run`: every expected value comes from the CLI's
// output files, never from the server.
//
// node web/tests/workbench.mjs HUBSEL_BINARY OUT_DIR
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [bin, outArg] = process.argv.slice(2);
const hubsel = path.resolve(bin);
const out = path.resolve(outArg);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

let failures = 0;
function check(ok, what, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || detail === undefined ? "" : `: ${detail}`}`);
  if (!ok) failures += 1;
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---- the CLI's answers ----
function cliRun(name, scenarioText) {
  const dir = path.join(out, "cli", name);
  fs.mkdirSync(dir, { recursive: true });
  const args = ["run", "-q", "--out", "run"];
  if (scenarioText !== null) {
    fs.writeFileSync(path.join(dir, "scenario.toml"), scenarioText);
    args.push("--scenario", "scenario.toml");
  }
  execFileSync(hubsel, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  return hubsOf(path.join(dir, "run"));
}
function hubsOf(runDir) {
  const g = JSON.parse(fs.readFileSync(path.join(runDir, "hubs.geojson"), "utf8"));
  return g.features.map((f) => f.properties);
}
const hubKey = (h) => `${h.district}|${h.level}|${h.id}`;
const keys = (hubs) => hubs.map(hubKey).sort();
function byDistrict(hubs) {
  const m = {};
  for (const h of hubs) (m[h.district] = m[h.district] || []).push(`${h.level}:${h.id}`);
  for (const k of Object.keys(m)) m[k].sort();
  return m;
}
function differing(a, b) {
  const A = byDistrict(a), B = byDistrict(b);
  return [...new Set([...Object.keys(A), ...Object.keys(B)])].sort().filter((d) => !same(A[d] || [], B[d] || []));
}

const defaultToml = fs.readFileSync(path.join(repo, "fixtures/scenario-default.toml"), "utf8");
const accMean = /(access = "weighted_mean_minutes".*\nweight = )[0-9.]+/;
const weightsToml = defaultToml.replace(accMean, "$11.0");
if (weightsToml === defaultToml) throw new Error("cannot find the acc_mean weight in the default scenario");
const base = cliRun("base", null);
const weighted = cliRun("weights", weightsToml);
const changed = differing(base, weighted);
if (!changed.length) throw new Error("acc_mean = 1.0 changes no district's hub: pick another weight");
const known = changed[0];
// A candidate that is not a hub there: the runner-up of its primary hub.
const hubThere = weighted.find((h) => h.district === known && h.runner_up);
const chosen = hubThere.runner_up;
const requiredToml = weightsToml.replace(/^required_hubs = \[\]/m, `required_hubs = ["${chosen}"]`);
if (requiredToml === weightsToml) throw new Error("cannot find required_hubs in the default scenario");
const required = cliRun("required", requiredToml);
const expectDiff = differing(weighted, required);
console.log(`known district ${known}; required school ${chosen}; districts differing ${expectDiff.join(",")}`);

// ---- the server ----
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
  viewport: { width: 1500, height: 950 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(60000);
const external = [];
page.on("request", (r) => { if (!r.url().startsWith(url) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) external.push(r.url()); });
page.on("pageerror", (e) => check(false, "no script error on the page", e.message));

async function runs() { return page.evaluate(() => window.hubsel.runs); }
async function afterRun(before, action) {
  const errors = await page.evaluate(() => window.hubsel.errors || 0);
  await action();
  await page.waitForFunction(([n, e]) => (window.hubsel.runs > n || (window.hubsel.errors || 0) > e) && !window.hubsel.busy, [before, errors]);
  const problems = await page.locator("#problems").textContent();
  if (problems) throw new Error(`the page shows problems: ${problems}`);
}
async function pageHubs() {
  return page.$$eval("#hub-list tr.hub-row", (rows) => rows.map((r) => ({ id: r.dataset.id, level: r.dataset.level, name: r.children[2].textContent, district: null })));
}
async function drawnHubKeys() {
  // The hub markers on the map, with the district of each from the page's layer.
  const ids = await page.$$eval("path.hub-marker", (ps) => ps.map((p) => `${p.getAttribute("data-level")}:${p.getAttribute("data-id")}`));
  return ids.sort();
}
// A scenario weighted by an [ahp] matrix: the page shows the matrix, a
// changed cell gives a new consistency ratio, and the exported scenario
// through hubsel run has that ratio and the hubs shown.
async function ahpCheck() {
  const dir = path.join(out, "ahp");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "ahp.toml"), [
    'name = "ahp-check"', 'strategy = "score"', "hubs_per_district = { primary = 1, secondary = 1 }",
    "max_travel_minutes = 45.0", "", "[[criteria]]", 'field = "classrooms"', "[[criteria]]", 'field = "teachers"',
    "[[criteria]]", 'access = "weighted_mean_minutes"', "", "[ahp]", 'criteria = ["classrooms", "teachers", "acc_mean"]',
    'matrix = [[1, 3, "1/2"], ["1/3", 1, "1/4"], [2, 4, 1]]', "",
  ].join("\n"));
  const srv = spawn(hubsel, ["serve", "--port", "0", "--scenario", "ahp.toml"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url2 = await new Promise((resolve, reject) => {
      let text = "";
      srv.stdout.on("data", (d) => { text += d; const m = text.match(/http:\/\/\S+/); if (m) resolve(m[0]); });
      srv.on("exit", (code) => reject(new Error(`hubsel serve --scenario ahp.toml exited with ${code}`)));
    });
    await page.goto(url2);
    await page.waitForFunction(() => window.hubsel.runs >= 1);
    check(await page.isVisible("#ahp-box") && !(await page.isVisible("#weights-box")), "an [ahp] scenario shows the matrix instead of the sliders");
    const before = await page.locator("#ahp-cr").textContent();
    const n = await runs();
    const cell = page.locator('#ahp input[data-i="0"][data-j="2"]');
    await afterRun(n, async () => { await cell.fill("1"); await cell.dispatchEvent("change"); });
    await page.waitForTimeout(300);
    const after = await page.locator("#ahp-cr").textContent();
    const [tomlDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const name = tomlDownload.suggestedFilename();
    const runDir = path.join(dir, "page");
    fs.mkdirSync(runDir, { recursive: true });
    await tomlDownload.saveAs(path.join(runDir, name));
    execFileSync(hubsel, ["run", "-q", "--scenario", name, "--out", "run"], { cwd: runDir, stdio: ["ignore", "ignore", "pipe"] });
    const summary = JSON.parse(fs.readFileSync(path.join(runDir, "run", "summary.json"), "utf8"));
    const cr = summary.scenario ? summary.scenario.ahp.cr : summary.ahp.cr;
    check(before !== after && Math.abs(parseFloat(after) - cr) < 0.0005,
      `the consistency ratio after a changed cell (${before} → ${after}) is hubsel run's ${cr}`);
    check(same(await drawnHubKeys(), levelIds(hubsOf(path.join(runDir, "run")))), "the AHP-weighted hubs are hubsel run's on the exported scenario");
  } finally {
    srv.kill();
  }
}

const levelIds = (hubs) => hubs.map((h) => `${h.level}:${h.id}`).sort();

try {
  await page.goto(url);
  await page.waitForFunction(() => window.hubsel.runs >= 1);
  // 1. hub count and Thai names, as `hubsel run` wrote them.
  const drawn = await drawnHubKeys();
  check(drawn.length === base.length, `hub markers drawn: ${drawn.length}, hubsel run: ${base.length}`);
  check(same(drawn, levelIds(base)), "the hub markers are hubsel run's hubs");
  const listed = await pageHubs();
  const names = Object.fromEntries(base.map((h) => [`${h.level}:${h.id}`, h.name]));
  check(listed.length === base.length && listed.every((h) => names[`${h.level}:${h.id}`] === h.name),
    "every hub's Thai name in the hub list is hubsel run's", JSON.stringify(listed.slice(0, 2)));
  check(base.some((h) => /[\u0E00-\u0E7F]/.test(h.name)), "the names are Thai");
  const first = base[0];
  // Search it (the map centres on it, drawn on top), then hover it.
  await page.fill("#search", first.id);
  await page.click(`#search-results li[data-id="${first.id}"]`);
  await page.mouse.move(5, 5);
  await page.hover(`path.hub-marker[data-id="${first.id}"]`);
  const tip = await page.locator(".leaflet-tooltip").last().textContent();
  check(tip.includes(first.name), `hover shows the Thai name ${first.name}`, tip);

  // 2. a weight slider: acc_mean to 1, the known district's hub changes.
  let n = await runs();
  await afterRun(n, () => page.locator('input[data-weight="acc_mean"]').fill("1"));
  let now = await drawnHubKeys();
  check(same(now, levelIds(weighted)), `after the slider the hubs are hubsel run's with acc_mean = 1.0`);
  const knownNow = weighted.filter((h) => h.district === known).map((h) => `${h.level}:${h.id}`).sort();
  const knownBefore = base.filter((h) => h.district === known).map((h) => `${h.level}:${h.id}`).sort();
  check(!same(knownNow, knownBefore) && knownNow.every((k) => now.includes(k)) && !knownBefore.every((k) => now.includes(k)),
    `district ${known}'s hub changed from ${knownBefore} to ${knownNow}`);
  await page.fill("#save-name", "weights");
  await page.click("#save");

  // 3. require a school by clicking it on the map.
  await page.check('input[name=mode][value=require]');
  const chosenName = weighted.find((h) => h.runner_up === chosen).runner_nm;
  await page.fill("#search", chosen);
  await page.click(`#search-results li[data-id="${chosen}"]`);
  n = await runs();
  await afterRun(n, () => page.click(`path.school-marker[data-id="${chosen}"]`));
  now = await drawnHubKeys();
  check(now.some((k) => k.endsWith(`:${chosen}`)), `the clicked school ${chosen} (${chosenName}) became a hub`);
  check(same(now, levelIds(required)), "the hubs are hubsel run's with required_hubs = [it]");
  await page.fill("#save-name", "required");
  await page.click("#save");

  // 4. compare the two saved scenarios.
  await page.selectOption("#cmp-a", "weights");
  await page.selectOption("#cmp-b", "required");
  await page.click("#compare");
  const highlighted = (await page.$$eval("path.district-diff", (ps) => ps.map((p) => p.getAttribute("data-code")))).sort();
  const tableRows = (await page.$$eval("#diff tr[data-code]", (rs) => rs.map((r) => r.dataset.code))).sort();
  check(same(highlighted, expectDiff), `highlighted districts ${highlighted} = where the CLI runs differ ${expectDiff}`);
  check(same(tableRows, expectDiff), "the difference table lists the same districts");

  // 5. export the TOML; hubsel run on it gives the hubs shown.
  const pageDir = path.join(out, "page");
  fs.mkdirSync(pageDir, { recursive: true });
  const [tomlDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  const tomlName = tomlDownload.suggestedFilename();
  await tomlDownload.saveAs(path.join(pageDir, tomlName));
  execFileSync(hubsel, ["run", "-q", "--scenario", tomlName, "--out", "run"], { cwd: pageDir, stdio: ["ignore", "ignore", "pipe"] });
  const exported = hubsOf(path.join(pageDir, "run"));
  check(same(keys(exported), keys(required)) && same(levelIds(exported), now), `hubsel run --scenario ${tomlName} (exported) gives the hubs shown`);

  // 6. the zip: the same files, byte for byte, as that hubsel run.
  const [zipDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const zipPath = path.join(pageDir, "hubsel-run.zip");
  await zipDownload.saveAs(zipPath);
  const unzipDir = path.join(pageDir, "zip");
  execFileSync("python3", ["-c", "import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zipPath, unzipDir]);
  const runFiles = fs.readdirSync(path.join(pageDir, "run")).filter((f) => f !== ".hubsel").sort();
  const zipFiles = fs.readdirSync(unzipDir).sort();
  const differ = runFiles.filter((f) => !zipFiles.includes(f) || !fs.readFileSync(path.join(unzipDir, f)).equals(fs.readFileSync(path.join(pageDir, "run", f))));
  check(same(runFiles, zipFiles) && differ.length === 0, `the zip holds hubsel run's ${runFiles.length} files, byte for byte`, `differ: ${differ}; zip: ${zipFiles}`);

  // 7. explanation of a hub.
  await page.check('input[name=mode][value=inspect]');
  await page.click(`#hub-list tr.hub-row[data-id="${chosen}"]`);
  const explain = await page.locator("#explain-body").textContent();
  check(explain.includes(chosenName) && explain.includes("คะแนน") && (await page.locator("#explain-body table.ranked tr").count()) > 1,
    "clicking a hub explains it (score parts, rank, runner-up, the district's candidates)");

  // 8. the language switch.
  await page.click("#lang-en");
  const h2 = await page.locator("#scenario h2").textContent();
  check(h2 === "Scenario" && (await page.getAttribute("html", "lang")) === "en", "the page switches to English", h2);
  const listedEn = await pageHubs();
  check(listedEn.some((h) => /[\u0E00-\u0E7F]/.test(h.name)), "school names stay Thai in English");
  await page.evaluate(() => window.hubsel.showAll());
  await page.click(`#hub-list tr.hub-row[data-id="${chosen}"]`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(out, "..", "serve.png") });
  check(external.length === 0, "the page requested nothing outside the server", external.join(" "));
  await ahpCheck();
} catch (e) {
  check(false, "the browser test ran to its end", e.stack);
  await page.screenshot({ path: path.join(out, "failure.png") }).catch(() => {});
} finally {
  await context.close();
  server.kill();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(failures ? `check-serve: ${failures} failed` : "check-serve: all passed");
process.exit(failures ? 1 : 0);
