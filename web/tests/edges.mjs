// Issue 25.5, in real Chromium (Debian's, driven by playwright-core): the
// Run button runs; saving "a" then "b" puts a and b in the compare
// selectors; Compare lists the district whose hub was excluded, with the
// hubs' names, on schools whose ids contain ':'. The expected districts
// come from `hubsel run`, never from the server.
//
// node web/tests/edges.mjs HUBSEL_BINARY OUT_DIR
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

// ---- the province, every school id given a "TH:" prefix ----
const data = path.join(out, "data");
fs.mkdirSync(data, { recursive: true });
const province = path.join(repo, "fixtures/province");
const lines = fs.readFileSync(path.join(province, "schools.csv"), "utf8").split("\n");
fs.writeFileSync(path.join(data, "schools.csv"), [lines[0], ...lines.slice(1).map((l) => (l ? `TH:${l}` : l))].join("\n"));
for (const f of ["roads.geojson", "districts.geojson"]) fs.copyFileSync(path.join(province, f), path.join(data, f));
const inputs = ["--schools", "schools.csv", "--roads", "roads.geojson", "--districts", "districts.geojson"];

function cliHubs(name, scenarioText) {
  const args = ["run", "-q", ...inputs, "--out", name];
  if (scenarioText !== null) {
    fs.writeFileSync(path.join(data, `${name}.toml`), scenarioText);
    args.push("--scenario", `${name}.toml`);
  }
  execFileSync(hubsel, args, { cwd: data, stdio: ["ignore", "ignore", "pipe"] });
  return JSON.parse(fs.readFileSync(path.join(data, name, "hubs.geojson"), "utf8")).features.map((f) => f.properties);
}
function byDistrict(hubs) {
  const m = {};
  for (const h of hubs) (m[h.district] = m[h.district] || []).push(`${h.level}:${h.id}`);
  for (const k of Object.keys(m)) m[k].sort();
  return m;
}
const differing = (a, b) => {
  const A = byDistrict(a), B = byDistrict(b);
  return [...new Set([...Object.keys(A), ...Object.keys(B)])].sort().filter((d) => !same(A[d] || [], B[d] || []));
};

const base = cliHubs("base", null);
const victim = base.find((h) => h.id.includes(":") && h.level === "primary");
if (!victim) throw new Error("no primary hub with ':' in its id");
const defaultToml = fs.readFileSync(path.join(repo, "fixtures/scenario-default.toml"), "utf8");
const excludedToml = defaultToml.replace(/^excluded_hubs = \[\]/m, `excluded_hubs = ["${victim.id}"]`);
if (excludedToml === defaultToml) throw new Error("cannot find excluded_hubs in the default scenario");
const excluded = cliHubs("excluded", excludedToml);
const expectDiff = differing(base, excluded);
console.log(`excluded hub ${victim.id} (${victim.name}) of ${victim.district}; districts differing ${expectDiff.join(",")}`);

// ---- the server and the page ----
const server = spawn(hubsel, ["serve", "--port", "0", ...inputs], { cwd: data, stdio: ["ignore", "pipe", "inherit"] });
let context = null;
try {
  const url = await new Promise((resolve, reject) => {
    let text = "";
    server.stdout.on("data", (d) => { text += d; const m = text.match(/http:\/\/\S+/); if (m) resolve(m[0]); });
    server.on("exit", (code) => reject(new Error(`hubsel serve exited with ${code}`)));
    setTimeout(() => reject(new Error("hubsel serve printed no address in 120 s")), 120000);
  });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hubsel-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(60000);
  page.on("pageerror", (e) => check(false, "no script error on the page", e.message));
  const runs = () => page.evaluate(() => window.hubsel.runs);
  const ranAfter = async (n, ms) => {
    try {
      await page.waitForFunction((k) => window.hubsel.runs > k && !window.hubsel.busy, n, { timeout: ms });
      return true;
    } catch {
      return false;
    }
  };

  await page.goto(url);
  await page.waitForFunction(() => window.hubsel.runs >= 1);

  // 1. the Run button runs.
  let n = await runs();
  await page.click("#run");
  check(await ranAfter(n, 30000), "clicking Run runs the scenario");

  // 2. save "a"; exclude a hub by clicking it; save "b".
  await page.fill("#save-name", "a");
  await page.click("#save");
  await page.check("input[name=mode][value=exclude]");
  await page.fill("#search", victim.id);
  await page.click(`#search-results li[data-id="${victim.id}"]`);
  n = await runs();
  await page.click(`path.hub-marker[data-id="${victim.id}"]`);
  check(await ranAfter(n, 60000), `clicking hub ${victim.id} in exclude mode runs again`);
  const drawn = await page.$$eval("path.hub-marker", (ps) => ps.map((p) => p.getAttribute("data-id")));
  check(!drawn.includes(victim.id), `${victim.id} is no longer a hub`);
  await page.fill("#save-name", "b");
  await page.click("#save");
  const selected = [await page.inputValue("#cmp-a"), await page.inputValue("#cmp-b")];
  check(same(selected, ["a", "b"]), "after saving a then b the compare selectors show a and b", selected);

  // 3. compare: the districts where hubsel run's hubs differ, with names.
  await page.click("#compare");
  const rows = await page.$$eval("#diff tr[data-code]", (rs) => rs.map((r) => ({ code: r.dataset.code, a: r.children[1].textContent, b: r.children[2].textContent })));
  check(same(rows.map((r) => r.code).sort(), expectDiff), `Compare lists ${rows.map((r) => r.code)}, where hubsel run's hubs differ: ${expectDiff}`);
  const victimRow = rows.find((r) => r.code === victim.district);
  check(victimRow && victimRow.a.includes(victim.name) && !victimRow.b.includes(victim.name),
    `the row of ${victim.district} names the excluded hub ${victim.name} under a only`, JSON.stringify(victimRow));
  const shown = rows.flatMap((r) => [r.a, r.b]).join(" ");
  check(!/: TH(,|$| )/.test(shown), "no hub is shown by a cut id (\"TH\")", shown);
} finally {
  if (context) await context.close();
  server.kill();
}
console.log(failures ? `${failures} check(s) failed` : "all checks passed");
process.exit(failures ? 1 : 0);
