// netlify.toml read by Netlify's own parser (@netlify/config, offline, as the build bot
// reads it): no warning, no key Netlify does not know (it ignores those silently, so this
// test lists what each table may hold), the signed proxy of /api/* and the headers every
// page must have.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const tools = path.join(root, ".tools/netlify/node_modules");
const { resolveConfig } = await import(path.join(tools, "@netlify/config/lib/index.js"));
const { parse } = await import(path.join(tools, "smol-toml/dist/index.js"));

async function resolved(context) {
  const result = await resolveConfig({
    config: path.join(root, "netlify.toml"), cwd: root, repositoryRoot: root,
    offline: true, buffer: true, context, branch: context === "production" ? "main" : "feature",
  });
  assert.deepEqual(result.logs.stderr, [], `Netlify warns (${context})`);
  return result.config;
}

// What netlify.toml may hold, table by table (docs.netlify.com, file-based configuration).
const KNOWN = {
  "": ["build", "context", "redirects", "headers", "functions", "edge_functions", "plugins", "dev", "images"],
  build: ["base", "publish", "command", "functions", "edge_functions", "ignore", "environment", "processing"],
  context: ["production", "deploy-preview", "branch-deploy", "dev"],
  "context.*": ["base", "publish", "command", "functions", "edge_functions", "ignore", "environment"],
  redirects: ["from", "to", "status", "force", "signed", "query", "conditions", "headers"],
  headers: ["for", "values"],
};

test("Netlify's parser reads netlify.toml without a warning and every key is one it knows", async () => {
  const raw = parse(fs.readFileSync(path.join(root, "netlify.toml"), "utf8"));
  const unknown = [];
  const check = (table, object, allowed) => {
    for (const key of Object.keys(object)) if (!allowed.includes(key)) unknown.push(`${table}.${key}`);
  };
  check("", raw, KNOWN[""]);
  check("build", raw.build || {}, KNOWN.build);
  check("context", raw.context || {}, KNOWN.context);
  for (const [name, context] of Object.entries(raw.context || {})) check(`context.${name}`, context, KNOWN["context.*"]);
  for (const rule of raw.redirects || []) check("redirects", rule, KNOWN.redirects);
  for (const rule of raw.headers || []) check("headers", rule, KNOWN.headers);
  assert.deepEqual(unknown, [], "keys Netlify would ignore");
  for (const context of ["production", "deploy-preview", "branch-deploy"]) await resolved(context);
});

test("the site is built by portal; previews build at their own address and publish no drafts", async () => {
  const production = await resolved("production");
  assert.match(production.build.command, /portal -- build$/);
  assert.equal(production.build.publish, path.join(root, "public"));
  for (const context of ["deploy-preview", "branch-deploy"]) {
    const preview = await resolved(context);
    assert.match(preview.build.command, /portal -- build --base-url "\$DEPLOY_PRIME_URL" --api-base "\$DEPLOY_PRIME_URL"$/);
    // A preview's address is public: drafts only when the operator opts in (PORTAL_DRAFTS).
    assert.doesNotMatch(preview.build.command, /--drafts/);
  }
  assert.match(fs.readFileSync(path.join(root, "rust-toolchain.toml"), "utf8"), /^channel = "\d+\.\d+\.\d+"$/m);
});

test("/api/* is proxied to the functions, forced and signed", async () => {
  const config = await resolved("production");
  const api = config.redirects.filter((r) => r.from === "/api/*");
  assert.equal(api.length, 1);
  assert.equal(api[0].status, 200);
  assert.equal(api[0].force, true);
  assert.equal(api[0].signed, "API_SIGNATURE_TOKEN");
  assert.match(api[0].to, /^https:\/\/[^/]+\/api\/:splat$/);
});

test("every page gets the security headers; fingerprinted assets and index are cached for ever", async () => {
  const config = await resolved("production");
  const all = config.headers.find((h) => h.for === "/*");
  assert.ok(all, "a rule for every path");
  const csp = Object.fromEntries(all.values["Content-Security-Policy"].split(";").map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name, values.join(" ")];
  }));
  for (const directive of ["default-src", "script-src", "style-src", "img-src", "form-action", "connect-src", "base-uri"]) {
    assert.equal(csp[directive], "'self'", directive);
  }
  assert.equal(csp["frame-ancestors"], "'none'");
  assert.equal(csp["object-src"], "'none'");
  assert.match(all.values["Strict-Transport-Security"], /^max-age=(\d+)/);
  assert.ok(Number(/max-age=(\d+)/.exec(all.values["Strict-Transport-Security"])[1]) >= 31536000);
  assert.equal(all.values["X-Content-Type-Options"], "nosniff");
  assert.ok(all.values["Referrer-Policy"]);
  assert.match(all.values["Permissions-Policy"], /camera=\(\)/);
  const assets = config.headers.find((h) => h.for === "/assets/*");
  assert.match(assets.values["Cache-Control"], /max-age=31536000, immutable/);
  const immutable = config.headers.find((h) => h.for === "/search-index/:fingerprint/*");
  assert.match(immutable.values["Cache-Control"], /max-age=31536000, immutable/);
  assert.ok(!config.headers.some((h) => h.for === "/search-index/*"), "the entry file must not be cached for ever");
});
