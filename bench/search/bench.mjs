// Search in real Chromium on one built site served over HTTP/2, ours beside Pagefind's on
// the same pages:
// recall on the known answers of bench/search/queries.mjs, bytes each query loads (a fresh
// browser each time, raw and gzip as a host would send them) and query time after the
// first (every query in turn in one page, three times; the time to the first 10 results' cards).
// Usage: node bench/search/bench.mjs <site folder with search-index/ and pagefind/> <corpus>

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

import { freePort, launchChromium, serveFiles } from "../../tests/browser/support.mjs";
import { queries } from "./queries.mjs";

const [site, corpus] = process.argv.slice(2);
if (!site || !corpus) {
  console.error("usage: node bench/search/bench.mjs <site> <corpus>");
  process.exit(2);
}
const SHOWN = 10;

// HTTP/2 over TLS, as public static hosts serve (a certificate made for this run): over
// HTTP/1.1 Chromium opens six connections to a host and queues the rest of a query's requests.
const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-search-tls-"));
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
  "-days", "1", "-keyout", path.join(certDir, "key.pem"), "-out", path.join(certDir, "cert.pem")], { stdio: "ignore" });
const tls = { key: fs.readFileSync(path.join(certDir, "key.pem")), cert: fs.readFileSync(path.join(certDir, "cert.pem")) };
fs.rmSync(certDir, { recursive: true, force: true });

let requested = [];
const port = await freePort();
const origin = `https://127.0.0.1:${port}`;
const server = await serveFiles(site, port, (p) => requested.push(p), tls);
const browser = await launchChromium();
const newContext = () => browser.newContext({ ignoreHTTPSErrors: true });

const sizes = new Map();
function sizeOf(p) {
  if (!sizes.has(p)) {
    let file = path.join(site, decodeURIComponent(p));
    if (p.endsWith("/")) file = path.join(file, "index.html");
    const bytes = fs.readFileSync(file);
    sizes.set(p, [bytes.length, zlib.gzipSync(bytes, { level: 6 }).length]);
  }
  return sizes.get(p);
}

const engines = {
  portal: {
    page: "/search/",
    prefix: "/search-index/",
    ready: () => typeof window.portalSearch === "function",
    top: ([q, limit]) => window.portalSearch({ q, limit }).then((r) => r.urls),
    rank: ([q]) => window.portalSearch({ q, limit: 0 }).then((r) => r.total),
    all: ([q]) => window.portalSearch({ q }).then((r) => r.urls),
  },
  pagefind: {
    page: "/404.html",
    prefix: "/pagefind/",
    ready: () => true,
    top: async ([q, limit]) => {
      window.pf = window.pf || await import("/pagefind/pagefind.js");
      const found = await window.pf.search(q);
      const data = await Promise.all(found.results.slice(0, limit).map((r) => r.data()));
      return data.map((d) => d.url);
    },
    rank: async ([q]) => {
      window.pf = window.pf || await import("/pagefind/pagefind.js");
      return (await window.pf.search(q)).results.length;
    },
    // Every result's id, which names its fragment file: the URLs come from the files on
    // disk (opening thousands of results in the page would take minutes at 50,000).
    all: async ([q]) => {
      window.pf = window.pf || await import("/pagefind/pagefind.js");
      const found = await window.pf.search(q);
      return found.results.map((r) => r.id);
    },
    urlOf: (() => {
      let urls = null;
      return (id) => {
        if (!urls) {
          urls = new Map();
          const dir = path.join(site, "pagefind/fragment");
          for (const file of fs.readdirSync(dir)) {
            const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, file))).toString("utf8");
            urls.set(file.replace(/\.pf_fragment$/, ""), JSON.parse(text.replace(/^pagefind_dcd/, "")).url);
          }
        }
        return urls.get(id) || id;
      };
    })(),
  },
};

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const normalizeUrl = (u) => new URL(u, origin).pathname.replace(/index\.html$/, "");

async function measure(name, engine, list) {
  // Bytes: a new browser context (empty cache) per query, only that query's requests.
  const bytes = [];
  for (const { q } of list) {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(origin + engine.page);
    await page.waitForFunction(engine.ready);
    requested = [];
    await page.evaluate(engine.top, [q, SHOWN]);
    const loaded = requested.filter((p) => p.startsWith(engine.prefix));
    bytes.push(loaded.reduce((sum, p) => [sum[0] + sizeOf(p)[0], sum[1] + sizeOf(p)[1]], [0, 0]).concat(loaded.length));
    await context.close();
  }
  // Time: a page (in a new context, so an empty cache) where a first query loads the entry
  // files, then every query in turn; three such passes, each query's median of the three
  // (this machine is noisy).
  const passes = [];
  let page;
  for (let pass = 0; pass < 3; pass++) {
    const context = await newContext();
    page = await context.newPage();
    await page.goto(origin + engine.page);
    await page.waitForFunction(engine.ready);
    // The first queries also warm up the script engine: one of each shape, none in the list.
    for (const warm of ["交流", "まちの防災ワークショップ", "Open data"]) {
      await page.evaluate(engine.top, [warm, SHOWN]);
    }
    const times = [];
    for (const { q } of list) {
      times.push(await page.evaluate(async ([top, q, shown]) => {
        const run = new Function("return " + top)();
        const started = performance.now();
        await run([q, shown]);
        return performance.now() - started;
      }, [engine.top.toString(), q, SHOWN]));
    }
    // The ranking alone (what a search library's own timing usually is), for the same
    // queries again with their token files already read: the work in the page.
    const ranked = [];
    for (const { q } of list) {
      ranked.push(await page.evaluate(async ([rank, q]) => {
        const run = new Function("return " + rank)();
        const started = performance.now();
        await run([q]);
        return performance.now() - started;
      }, [engine.rank.toString(), q]));
    }
    passes.push({ times, ranked });
  }
  const times = list.map((_, i) => median(passes.map((p) => p.times[i])));
  const ranked = list.map((_, i) => median(passes.map((p) => p.ranked[i])));
  // Recall: every result of every query.
  const recall = [];
  for (const item of list) {
    const ids = await page.evaluate(engine.all, [item.q]);
    const found = new Set(ids.map(engine.urlOf || ((u) => u)).map(normalizeUrl));
    const hit = item.answers.filter((a) => found.has(a)).length;
    recall.push({ ...item, answers: item.answers.length, hit, results: found.size });
  }
  await page.context().close();
  return { name, bytes, times, ranked, recall };
}

const list = queries(corpus);
const results = [];
for (const [name, engine] of Object.entries(engines)) results.push(await measure(name, engine, list));
await browser.close();
server.close();

const kb = (n) => (n / 1024).toFixed(1);
console.log(`${list.length} queries; answers per query: median ${median(list.map((q) => q.answers.length))}, max ${Math.max(...list.map((q) => q.answers.length))}`);
for (const r of results) {
  const found = r.recall.reduce((s, x) => s + x.hit, 0);
  const expected = r.recall.reduce((s, x) => s + x.answers, 0);
  const complete = r.recall.filter((x) => x.hit === x.answers).length;
  console.log(`${r.name}: recall ${found}/${expected} (${(100 * found / expected).toFixed(1)}%), every answer found for ${complete}/${r.recall.length} queries; ` +
    `per query: ${kb(median(r.bytes.map((b) => b[0])))} KB raw, ${kb(median(r.bytes.map((b) => b[1])))} KB gzip, ${median(r.bytes.map((b) => b[2]))} files (median; max ${kb(Math.max(...r.bytes.map((b) => b[1])))} KB gzip); ` +
    `time after the first: median ${median(r.times).toFixed(1)} ms, 90th percentile ${percentile(r.times, 0.9).toFixed(1)} ms, max ${Math.max(...r.times).toFixed(1)} ms; ` +
    `ranking again with its files read: median ${median(r.ranked).toFixed(1)} ms, max ${Math.max(...r.ranked).toFixed(1)} ms`);
  const byKind = new Map();
  for (const x of r.recall) {
    const k = byKind.get(x.kind) || [0, 0];
    byKind.set(x.kind, [k[0] + x.hit, k[1] + x.answers]);
  }
  for (const [kind, [hit, all]] of byKind) console.log(`  ${kind}: ${hit}/${all}`);
  const slowest = r.times.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
  console.log(`  slowest: ${slowest.map(([t, i]) => `"${list[i].q}" ${t.toFixed(1)} ms (${r.bytes[i][2]} files)`).join(", ")}`);
  for (const x of r.recall.filter((x) => x.hit < x.answers).slice(0, 6)) {
    console.log(`  missed: "${x.q}" found ${x.hit} of ${x.answers} (${x.results} results)`);
  }
}
