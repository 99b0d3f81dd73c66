// The search as a visitor uses it, on a plain static host: the sample site built by
// `portal build` and served as files by a minimal HTTP server (no functions, no portal
// serve). Japanese queries typed with the keyboard (kanji, a reading in hiragana for a name
// in kanji, katakana, full-width letters, a full-width space), filters that combine with the
// query and stay in the URL, the header's box, and the page without JavaScript.
// Screenshots at 390 px and 1280 px go to target/browser/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { root, bin, artifacts, freePort, launchChromium, serveFiles } from "./support.mjs";

let work, out, server, origin, browser;
const requested = [];

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "portal-search-"));
  fs.mkdirSync(artifacts, { recursive: true });
  out = path.join(work, "public");
  execFileSync(path.join(bin, "portal"), [
    "build", "--content", path.join(root, "content"), "--theme", path.join(root, "themes/default"),
    "--out", out, "--base-url", "http://127.0.0.1/", "--now", "2026-11-25T12:00:00+09:00",
  ], { stdio: ["ignore", "ignore", "inherit"] });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = await serveFiles(out, port, (p) => requested.push(p));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function cardTitles(page) {
  return page.locator(".search-result h2").allInnerTexts();
}

// Types `query` into the search page's box as a person would and waits for the count.
async function typeQuery(page, query) {
  const box = page.getByRole("main").getByLabel("キーワード", { exact: true });
  await box.fill("");
  await box.focus();
  // insertText is what an input method commits: kana and kanji arrive composed.
  await page.keyboard.insertText(query);
  await page.keyboard.press("Enter");
  await page.waitForFunction((q) => new URLSearchParams(location.search).get("q") === q &&
    document.querySelector("[data-search]").getAttribute("data-shown") === location.search, query);
}

test("Japanese queries find the members, events and news they name", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/search/`);
  await assert.doesNotReject(page.getByText("キーワードを入力するか").waitFor());

  // A reading in hiragana finds the member whose name is in kanji, first.
  await typeQuery(page, "さとう");
  let titles = await cardTitles(page);
  assert.equal(titles[0], "佐藤 健太");
  assert.equal(await page.locator(".search-result").first().locator(".kana mark").innerText(), "さとう");

  // The whole reading typed without its space.
  await typeQuery(page, "さとうけんた");
  assert.equal((await cardTitles(page))[0], "佐藤 健太");

  // Kanji: members with the interest, the event about it and the news post that mentions it.
  await typeQuery(page, "防災");
  titles = await cardTitles(page);
  for (const expected of ["林 健", "伊藤 結衣", "中村 直子"]) assert.ok(titles.includes(expected), `${expected} in ${titles}`);
  const hrefs = await page.locator(".search-result h2 a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.includes("/events/sendai-bousai-evening/"), hrefs.join(" "));
  assert.ok(hrefs.includes("/news/2026-11-kickoff-report/"), hrefs.join(" "));
  assert.match(await page.locator("[data-search-status]").innerText(), new RegExp(`^${titles.length}件見つかりました`));
  assert.ok(await page.locator(".search-result mark", { hasText: "防災" }).count() >= 3);
  await page.screenshot({ path: path.join(artifacts, "search-1280.png"), fullPage: true });

  // Katakana for a reading written in hiragana.
  await typeQuery(page, "ヤマダ");
  assert.equal((await cardTitles(page))[0], "山田 花子");

  // Full-width letters find DX推進 written in half-width.
  await typeQuery(page, "ＤＸ");
  titles = await cardTitles(page);
  for (const expected of ["Emily Clark", "森 悠介", "佐藤 健太"]) assert.ok(titles.includes(expected), `${expected} in ${titles}`);

  // A full name with a full-width space: that member, first.
  await typeQuery(page, "山田　花子");
  assert.equal((await cardTitles(page))[0], "山田 花子");

  // A name in Latin letters, typed in lower case.
  await typeQuery(page, "emily");
  assert.equal((await cardTitles(page))[0], "Emily Clark");

  // Something nobody wrote.
  await typeQuery(page, "量子コンピュータ");
  assert.equal(await page.locator(".search-result").count(), 0);
  assert.match(await page.locator("[data-search-status]").innerText(), /見つかりませんでした/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("filters combine with the query, stay in the URL and can be shared", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${origin}/search/`);
  await typeQuery(page, "観光");
  const all = await cardTitles(page);
  assert.ok(all.includes("木村 由美") && all.includes("井上 大輔"), all.join(" "));
  await page.getByLabel("所属", { exact: true }).selectOption("local-gov");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("sector") === "local-gov");
  await page.waitForFunction(() => !document.body.innerText.includes("井上 大輔"));
  const local = await cardTitles(page);
  assert.ok(local.includes("木村 由美") && local.includes("渡辺 翔太"), local.join(" "));
  await page.getByLabel("都道府県", { exact: true }).selectOption("okinawa");
  await page.waitForFunction(() => document.querySelectorAll(".search-result").length === 1);
  assert.deepEqual(await cardTitles(page), ["木村 由美"]);
  await page.screenshot({ path: path.join(artifacts, "search-390.png"), fullPage: true });

  // The address is the search: opened elsewhere, it shows the same.
  const shared = page.url();
  assert.match(shared, /q=%E8%A6%B3%E5%85%89/);
  const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await other.goto(shared);
  await other.waitForFunction(() => document.querySelectorAll(".search-result").length === 1);
  assert.deepEqual(await cardTitles(other), ["木村 由美"]);
  assert.equal(await other.getByLabel("都道府県", { exact: true }).inputValue(), "okinawa");

  // A filter alone lists what it names, with no query.
  await other.goto(`${origin}/search/?interest=${encodeURIComponent("農業")}`);
  await other.waitForFunction(() => document.querySelectorAll(".search-result").length > 0);
  assert.deepEqual(await cardTitles(other), ["高橋 亮"]);
  await other.close();
  await page.close();
});

test("the header's search box leads to the results; a query loads only part of the index", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/members/`);
  await page.getByRole("search", { name: "サイト内検索" }).getByRole("searchbox").fill("はやし");
  requested.length = 0;
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\/\?q=/);
  await page.waitForFunction(() => document.querySelectorAll(".search-result").length > 0);
  assert.equal((await cardTitles(page))[0], "林 健");
  const index = requested.filter((p) => p.startsWith("/search-index/"));
  assert.ok(index.includes("/search-index/index.json"), index.join(" "));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "search-index/index.json"), "utf8"));
  assert.ok(index.some((p) => p.endsWith(".bin")), index.join(" "));
  for (const p of index.filter((p) => p !== "/search-index/index.json")) {
    assert.match(p, new RegExp(`^/search-index/${manifest.fingerprint}/`));
  }
  await page.close();
});

test("on a larger site a query reads a few of the index's files and finds every member of a name", async () => {
  // The sample site's index is one token file; 600 generated members make dozens.
  const corpus = path.join(work, "corpus");
  const site = path.join(work, "corpus-site");
  execFileSync(path.join(bin, "portal"), ["corpus", "--members", "600", "--out", corpus], { stdio: "ignore" });
  execFileSync(path.join(bin, "portal"), [
    "build", "--content", corpus, "--theme", path.join(root, "themes/default"), "--out", site,
    "--now", "2026-11-25T12:00:00+09:00",
  ], { stdio: ["ignore", "ignore", "inherit"] });
  const manifest = JSON.parse(fs.readFileSync(path.join(site, "search-index/index.json"), "utf8"));
  assert.ok(manifest.tokens.length >= 10, `${manifest.tokens.length} token files`);
  // The answers, from the files: every member with one full name.
  const members = fs.readdirSync(path.join(corpus, "members")).sort();
  const nameOf = (file) => /^name: (.*)$/m.exec(fs.readFileSync(path.join(corpus, "members", file), "utf8"))[1];
  const name = nameOf(members[0]);
  const expected = members.filter((f) => nameOf(f) === name).map((f) => `/members/${f.slice(0, -3)}/`).sort();
  const port = await freePort();
  const seen = [];
  const corpusServer = await serveFiles(site, port, (p) => seen.push(p));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/search/`);
    await page.waitForFunction(() => typeof window.portalSearch === "function");
    seen.length = 0;
    const found = await page.evaluate((q) => window.portalSearch({ q }), name);
    const exact = found.urls.slice(0, expected.length).sort();
    assert.deepEqual(exact, expected, `the members named ${name} come first`);
    const tokenFiles = new Set(seen.filter((p) => p.endsWith(".bin")));
    assert.ok(tokenFiles.size >= 1 && tokenFiles.size <= 4,
      `read ${tokenFiles.size} of ${manifest.tokens.length} token files: ${[...tokenFiles].join(" ")}`);
    await page.close();
  } finally {
    corpusServer.close();
  }
});

test("without JavaScript the page says so and links the lists to browse", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.getByRole("search", { name: "サイト内検索" }).getByRole("searchbox").fill("防災");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\/\?q=/);
  // (Playwright's text locators skip <noscript>, which is rendered here.)
  assert.match(await page.locator(".search-noscript p").innerText(), /この検索にはJavaScriptが必要です/);
  for (const name of ["所属", "都道府県", "関心分野"]) {
    assert.equal(await page.locator(".search-noscript").getByRole("link", { name, exact: true }).count(), 1, name);
  }
  await page.locator(".search-noscript").getByRole("link", { name: "関心分野", exact: true }).click();
  await page.waitForURL(/\/interests\/$/);
  await page.screenshot({ path: path.join(artifacts, "search-noscript-390.png"), fullPage: true });
  await context.close();
});
