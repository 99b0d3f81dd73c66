// The built site under the headers netlify.toml gives every page (read by Netlify's own
// parser): in Chromium, no page breaks the Content-Security-Policy, with script (search,
// event lists, forms) and without.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { root, bin, artifacts, freePort, launchChromium, serveFiles } from "./support.mjs";

let work, server, origin, browser, headers;

before(async () => {
  const { resolveConfig } = await import(path.join(root, ".tools/netlify/node_modules/@netlify/config/lib/index.js"));
  const { config } = await resolveConfig({
    config: path.join(root, "netlify.toml"), cwd: root, repositoryRoot: root,
    offline: true, buffer: true, context: "production", branch: "main",
  });
  headers = config.headers.find((h) => h.for === "/*").values;
  assert.ok(headers["Content-Security-Policy"]);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "portal-csp-"));
  fs.mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // As on Netlify: the functions answer on the site's own origin (the signed proxy).
  execFileSync(path.join(bin, "portal"), [
    "build", "--content", path.join(root, "content"), "--theme", path.join(root, "themes/default"),
    "--out", path.join(work, "public"), "--base-url", `${origin}/`, "--api-base", origin,
    "--now", "2026-11-25T12:00:00+09:00",
  ], { stdio: ["ignore", "ignore", "inherit"] });
  server = await serveFiles(path.join(work, "public"), port, () => {}, null, headers);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const PAGES = [
  "/", "/members/", "/members/yamada-hanako/", "/events/",
  "/events/sendai-bousai-evening/", "/events/new/", "/join/", "/news/",
  "/news/2026-11-kickoff-report/", "/interests/", "/introductions/", "/search/?q=防災&sector=academic",
  "/admin/", "/404.html",
];

for (const javaScriptEnabled of [true, false]) {
  test(`no page breaks the Content-Security-Policy (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 390, height: 844 } });
    const violations = [];
    const page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`Content Security Policy: ${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    for (const p of PAGES) {
      const response = await page.goto(origin + p);
      assert.equal(response.headers()["content-security-policy"], headers["Content-Security-Policy"], p);
      await page.waitForLoadState("networkidle");
    }
    if (javaScriptEnabled) {
      // The search ran and drew its cards under the policy.
      await page.goto(`${origin}/search/?q=防災`);
      await page.waitForFunction(() => document.querySelectorAll(".search-result").length > 0);
      await page.screenshot({ path: path.join(artifacts, "csp-search-390.png") });
    }
    assert.deepEqual(violations, []);
    await context.close();
  });
}
