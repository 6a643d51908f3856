// The workbench in Thai (issue 23, "All Thai"), in real Chromium as
// workbench.mjs drives it: the weight sliders show the criteria's Thai
// labels (not the engine's keys) with what each measures as help text,
// English ones after switching the language; a stand-alone school's
// reason is Thai in Thai and English in English. Saves thai-page.png.
//
// node web/tests/thai.mjs HUBSEL_BINARY OUT_DIR
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const [bin, outArg] = process.argv.slice(2);
const out = path.resolve(outArg);
fs.mkdirSync(out, { recursive: true });
let failures = 0;
function check(ok, what, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || detail === undefined ? "" : `: ${detail}`}`);
  if (!ok) failures += 1;
}

const server = spawn(path.resolve(bin), ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let text = "";
  server.stdout.on("data", (d) => { text += d; const m = text.match(/http:\/\/\S+/); if (m) resolve(m[0]); });
  server.on("exit", (code) => reject(new Error(`hubsel serve exited with ${code}`)));
  setTimeout(() => reject(new Error("hubsel serve printed no address in 120 s")), 120000);
});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hubsel-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1500, height: 950 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(60000);
page.on("pageerror", (e) => check(false, "no script error on the page", e.message));
const labels = () => page.$$eval("#weights [data-criterion]", (s) => s.map((x) => ({ key: x.dataset.criterion, text: x.textContent, title: x.title })));
const thai = /[\u0E01-\u0E5B]/;
try {
  await page.goto(url);
  await page.waitForFunction(() => window.hubsel.runs >= 1);
  await page.click("#lang-th");
  const th = await labels();
  check(th.length >= 5, `${th.length} criteria sliders`);
  check(th.every((l) => thai.test(l.text) && !/[A-Za-z]/.test(l.text) && l.text !== l.key),
    "every slider is labelled in Thai, not by its key", JSON.stringify(th));
  check(th.every((l) => thai.test(l.title) && l.title.includes(`(${l.key})`)),
    "every label's help text says in Thai what it measures, with the key", JSON.stringify(th.map((l) => l.title)));
  // A stand-alone school's reason, as the page shows it when clicked.
  const alone = await page.evaluate(() => {
    const f = window.hubsel.result.layers.schools.features.find((x) => x.properties.role === "stand-alone");
    return f && f.properties;
  });
  check(!!alone && thai.test(alone.reason_th || "") && alone.reason_th !== alone.reason,
    "a stand-alone school's reason has its Thai words", JSON.stringify(alone));
  await page.fill("#search", alone.id);
  await page.click(`#search-results li[data-id="${alone.id}"]`);
  const tip = await page.locator(".leaflet-tooltip").last().textContent();
  check(tip.includes(alone.reason_th) && !tip.includes(alone.reason), "the tooltip tells the reason in Thai", tip);
  await page.screenshot({ path: path.join(out, "thai-page.png") });
  await page.click("#lang-en");
  const en = await labels();
  check(en.every((l) => !thai.test(l.text) && /[A-Za-z]/.test(l.text)), "in English the sliders are labelled in English", JSON.stringify(en));
  await page.fill("#search", alone.id);
  await page.click(`#search-results li[data-id="${alone.id}"]`);
  const tipEn = await page.locator(".leaflet-tooltip").last().textContent();
  check(tipEn.includes(alone.reason), "in English the tooltip tells the English reason", tipEn);
  await page.screenshot({ path: path.join(out, "english-page.png") });
} catch (e) {
  check(false, "the Thai page check ran", e.stack);
} finally {
  await context.close();
  server.kill();
}
console.log(failures ? `${failures} failure(s)` : "the page is Thai");
process.exit(failures ? 1 : 0);
