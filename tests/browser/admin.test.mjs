// The editors' page in real Chromium: sign in with a token, approve one sign-up and reject
// another with a reason, see both decisions; a wrong token and an unreachable API get clear
// messages. The site and the functions run on one local origin (portal-api with
// PORTAL_SITE_DIR), with sign-ups made through the real join form and confirmation mail.
// Screenshots at 390 px and 1280 px go to target/browser/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { root, bin, artifacts, freePort, sleep, launchChromium } from "./support.mjs";

const TOKEN = "editor-token-for-the-browser-test";
let work, port, origin, server, browser;

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${origin}/api/members/new`);
      if (r.ok) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error("portal-api did not start");
}

function startServer() {
  server = spawn(path.join(bin, "portal-api"), [], {
    env: {
      ...process.env,
      PORTAL_LISTEN: `127.0.0.1:${port}`,
      PORTAL_DATA: path.join(work, "data"),
      PORTAL_SECRET: "a local secret for the browser test, 32+ chars",
      PORTAL_SITE_URL: origin,
      PORTAL_API_URL: origin,
      PORTAL_ALLOWED_ORIGINS: origin,
      PORTAL_EDITORS: `sato:${createHash("sha256").update(TOKEN).digest("hex")}`,
      PORTAL_CONTENT: path.join(root, "content"),
      PORTAL_SITE_DIR: path.join(work, "site"),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

// A visitor fills the join form (the stamp wants 3 seconds) and confirms by mail.
async function signUp(fields) {
  const form = await (await fetch(`${origin}/api/members/new`)).text();
  const stamp = form.match(/name="form_token" value="([^"]+)"/)[1];
  await sleep(3200);
  const body = new URLSearchParams({ ...fields, consent: "yes", form_token: stamp, homepage: "" });
  const posted = await fetch(`${origin}/api/members`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body,
  });
  assert.equal(posted.status, 303, await posted.text());
  const outbox = path.join(work, "data/outbox");
  const mail = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8"))
    .find((m) => m.includes(`To: ${fields.email}`));
  const link = mail.match(/http:\/\/\S+\/api\/confirm\?token=(\S+)/);
  // The link opens a page with a button (a fetch alone changes nothing); the button posts.
  assert.equal((await fetch(link[0])).status, 200);
  const confirmed = await fetch(`${origin}/api/confirm`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ token: link[1] }),
  });
  assert.equal(confirmed.status, 200);
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "portal-admin-"));
  fs.mkdirSync(artifacts, { recursive: true });
  port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  execFileSync(path.join(bin, "portal"), [
    "build", "--content", path.join(root, "content"), "--theme", path.join(root, "themes/default"),
    "--out", path.join(work, "site"), "--base-url", origin, "--api-base", origin,
    "--now", "2026-11-25T12:00:00+09:00",
  ], { stdio: "inherit" });
  startServer();
  await waitForServer();
  await signUp({ name: "木下 春香", kana: "きのした はるか", sector: "local-gov", prefecture: "kanagawa",
    interests: "防災\nオープンデータ", email: "haruka@example.jp",
    bio: "横浜市で防災を担当しています。\n<script>alert(1)</script> はそのまま文字で見えるはず。" });
  await signUp({ name: "宣伝 太郎", kana: "せんでん たろう", sector: "private", email: "taro@example.jp",
    bio: "商品のご案内です。" });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function openAdmin(width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "ja-JP" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text()); });
  page.on("request", (r) => { if (!r.url().startsWith(origin)) problems.push(`request to another origin: ${r.url()}`); });
  page.on("dialog", (d) => { problems.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  await page.goto(`${origin}/admin/`);
  return { context, page, problems };
}

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

test("a wrong token gets a clear message and no queue", async () => {
  const { context, page, problems } = await openAdmin(1280);
  await page.getByLabel("編集者トークン").fill("not-the-token");
  await page.getByRole("button", { name: "サインイン" }).click();
  await page.getByRole("alert").filter({ hasText: "トークンが正しくありません" }).waitFor();
  assert.equal(await page.locator("#admin-workspace").isVisible(), false);
  await shot(page, "admin-wrong-token-1280");
  assert.deepEqual(problems, []);
  await context.close();
});

test("an editor approves one sign-up and rejects another with a reason", async () => {
  const { context, page, problems } = await openAdmin(1280);
  assert.equal(await page.locator('meta[name="robots"]').getAttribute("content"), "noindex, nofollow");
  await page.getByLabel("編集者トークン").fill(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "承認待ち2件" }).waitFor();

  const haruka = page.locator("li.submission", { hasText: "木下 春香" });
  const taro = page.locator("li.submission", { hasText: "宣伝 太郎" });
  await haruka.locator(".slug-free").waitFor();
  // The submitter's text is shown as text: the script tag is visible, not run.
  assert.match(await haruka.locator(".bio-source").textContent(), /<script>alert\(1\)<\/script>/);
  assert.match(await haruka.locator(".member-card").textContent(), /神奈川県/);
  assert.match(await haruka.textContent(), /\/members\/kinoshita-haruka\//);
  await shot(page, "admin-queue-1280");
  await page.setViewportSize({ width: 390, height: 900 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling at 390 px (page is ${width} px wide)`);
  await shot(page, "admin-queue-390");
  await page.setViewportSize({ width: 1280, height: 900 });

  await haruka.getByRole("button", { name: "承認する" }).click();
  await page.getByRole("status").filter({ hasText: "承認しました: 木下 春香" }).waitFor();
  assert.equal(await haruka.count(), 0, "the approved item leaves the queue at once");

  await taro.getByRole("button", { name: "却下する" }).click();
  await page.getByRole("alert").filter({ hasText: "却下の理由を書いてください" }).waitFor();
  await taro.getByLabel("却下の理由（申請者にメールで送られます）").fill("宣伝のみの登録はお受けしていません。");
  await taro.getByRole("button", { name: "却下する" }).click();
  await page.getByRole("status").filter({ hasText: "却下しました: 宣伝 太郎" }).waitFor();
  assert.equal(await page.locator("li.submission").count(), 0);
  assert.equal(await page.getByText("承認待ちの登録はありません。").isVisible(), true);

  // The decisions, with who made them, without a reload; the tabs work with arrow keys.
  await page.getByRole("tab", { name: /承認待ちの登録/ }).focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  const decided = page.getByRole("tabpanel", { name: "最近の判断" });
  await decided.waitFor();
  const rows = await decided.locator("tbody tr").allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /宣伝 太郎.*却下（宣伝のみの登録はお受けしていません。）.*sato/);
  assert.match(rows[1], /木下 春香.*承認.*sato/);
  await shot(page, "admin-decided-1280");

  // The API agrees, and the rejection's reason was mailed.
  const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
  const approved = await (await fetch(`${origin}/api/moderation/submissions?status=approved`, auth)).json();
  assert.deepEqual(approved.submissions.map((s) => s.slug), ["kinoshita-haruka"]);
  const outbox = path.join(work, "data/outbox");
  const mails = fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), "utf8"));
  assert.ok(mails.some((m) => m.includes("To: taro@example.jp") && m.includes("宣伝のみの登録はお受けしていません。")));

  // A reload keeps the editor signed in for this tab.
  await page.reload();
  await page.getByRole("status").filter({ hasText: "承認待ち0件" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

// A long queue, as after a busy week: written straight into the store, confirmed.
function seedQueue(pending, exported) {
  const script = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
def add(n, status):
    at = "2026-11-20T00:%02d:%02dZ" % (n // 60, n % 60)
    db.execute("INSERT INTO submissions (id, kind, slug, fields, email, ip_hash, status, confirmed_at, expires_at, created_at, updated_at) VALUES (?, 'profile', ?, ?, ?, '', ?, ?, NULL, ?, ?)",
               ("seed-%s-%d" % (status, n), "seed-%s-%d" % (status, n), json.dumps({"name": "待機 %s %d" % (status, n), "sector": "other", "joined": "2026-11-20"}),
                "seed%d@example.jp" % n, status, at, at, at))
for n in range(int(sys.argv[2])): add(n, "pending")
for n in range(int(sys.argv[3])): add(n, "exported")
db.commit()
`;
  execFileSync("python3", ["-c", script, path.join(work, "data/portal.sqlite3"), String(pending), String(exported)]);
}

test("a long queue is read a page at a time; exported items only when asked for", async () => {
  seedQueue(55, 3);
  const { context, page, problems } = await openAdmin(1280);
  await page.getByLabel("編集者トークン").fill(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "さらにあります" }).waitFor();
  const shown = () => page.locator("#list-pending > li").count();
  assert.equal(await shown(), 50, "one page of 50");
  await page.getByRole("button", { name: "さらに読み込む" }).first().click();
  await page.getByRole("status").filter({ hasText: /承認待ち\d+件、削除の依頼\d+件$/ }).waitFor();
  assert.ok(await shown() >= 55, "the rest of the queue");
  assert.equal(await page.locator("#admin-more-pending").isVisible(), false);
  await page.getByRole("tab", { name: "最近の判断" }).click();
  assert.equal(await page.locator("#table-decided tr", { hasText: "待機 exported" }).count(), 0, "not read until asked");
  await page.getByRole("button", { name: "書き出し済みも表示する" }).click();
  await page.locator("#table-decided tr", { hasText: "待機 exported 2" }).waitFor();
  assert.equal(await page.locator("#table-decided tr", { hasText: "待機 exported" }).count(), 3);
  await shot(page, "admin-paged-1280");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the page fits a phone, and an unreachable API is said plainly", async () => {
  const { context, page, problems } = await openAdmin(390);
  await page.getByLabel("編集者トークン").fill(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "承認待ち" }).waitFor();
  await page.getByRole("tab", { name: "イベントの申込" }).click();
  await page.getByRole("button", { name: "申込者のCSVをダウンロード" }).first().waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling at 390 px (page is ${width} px wide)`);
  await shot(page, "admin-events-390");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "申込者のCSVをダウンロード" }).first().click();
  const csv = fs.readFileSync(await (await download).path(), "utf8");
  assert.ok(csv.startsWith("\ufeff順番,状態,名前"), csv);

  await page.getByRole("button", { name: "サインアウト" }).click();
  server.kill();
  await new Promise((resolve) => server.once("exit", resolve));
  await page.getByLabel("編集者トークン").fill(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("alert").filter({ hasText: "APIに接続できません" }).waitFor();
  await shot(page, "admin-unreachable-390");
  assert.deepEqual(problems.filter((p) => !p.includes("ERR_CONNECTION_REFUSED") && !p.includes("Failed to fetch")), []);
  await context.close();
  server = null;
});
