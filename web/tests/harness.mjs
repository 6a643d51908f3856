// What the browser tests share: `hubsel serve` started on a free port (its
// address read from what it prints) and Debian's Chromium driven by
// playwright-core with a throw-away profile.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

/** Starts `hubsel serve --port 0 …args`; resolves to { server, url }. */
export async function startServer(hubsel, args = []) {
  const server = spawn(hubsel, ["serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
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
  return { server, url };
}

/** Chromium, headless, downloads accepted; resolves to { context, page, profile }. */
export async function openChromium({ height, timeout }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hubsel-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1500, height },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(timeout);
  return { context, page, profile };
}
