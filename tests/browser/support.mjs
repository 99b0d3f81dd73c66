// What the browser tests share: the project's paths, a free local port, and Debian's
// Chromium driven by playwright-core from .tools/ (installed by scripts/install-tools).

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
