// What the browser tests share: the project's paths, a free local port, and Debian's
// Chromium driven by playwright-core from .tools/ (installed by scripts/install-tools).

import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
export const bin = process.env.PORTAL_BIN_DIR || path.join(root, "target/debug");
export const artifacts = path.join(root, "target/browser");

const require = createRequire(path.join(root, ".tools/node_modules/"));
const { chromium } = require("playwright-core");

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".mjs": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml",
  ".xml": "application/xml", ".ics": "text/calendar", ".jpg": "image/jpeg", ".txt": "text/plain",
  ".wasm": "application/wasm",
};

// `dir` served as a static host serves files (`/a/` is `/a/index.html`, nothing is made),
// on 127.0.0.1:`port`; `onRequest` hears each path. With `tls` ({ key, cert }) it speaks
// HTTP/2 over TLS, as public hosts do (and HTTP/1.1 to clients without it). `headers` go
// with every file. Resolves to the server.
export function serveFiles(dir, port, onRequest = () => {}, tls = null, headers = {}) {
  const root = path.resolve(dir);
  return new Promise((resolve) => {
    const handle = (request, response) => {
      const url = new URL(request.url, "http://localhost");
      onRequest(url.pathname);
      let file = path.join(root, decodeURIComponent(url.pathname));
      if (!file.startsWith(root)) { response.writeHead(403).end(); return; }
      if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
      fs.readFile(file, (error, bytes) => {
        if (error) { response.writeHead(404).end(); return; }
        const type = TYPES[path.extname(file)] || "application/octet-stream";
        response.writeHead(200, { ...headers, "Content-Type": type });
        response.end(bytes);
      });
    };
    const server = tls
      ? http2.createSecureServer({ ...tls, allowHTTP1: true }, handle)
      : http.createServer(handle);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

// Polls `check` every 100 ms until it holds (errors count as not yet).
export async function waitFor(what, check, tries = 200) {
  for (let i = 0; i < tries; i++) {
    try {
      if (await check()) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A full-page screenshot kept in target/browser/.
export const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

export async function noSidewaysScrolling(page, assert) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling at 390 px (page is ${width} px wide)`);
}
