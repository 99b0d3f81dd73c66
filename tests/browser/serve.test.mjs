// `portal serve` in real Chromium, as a newcomer and an editor use it: a visitor fills in
// /join/ in Japanese, confirms through the link in /outbox/, an editor approves on /admin/,
// `portal export` writes the member file, and the new profile and its card in the directory
// are served without a restart. Then the same sign-up without JavaScript, and event sign-ups
// that take the last seat and land on the waiting list. Screenshots at 390 px and 1280 px
// go to target/browser/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { root, bin, artifacts, freePort, sleep, launchChromium, waitFor, shot, noSidewaysScrolling as noSideways } from "./support.mjs";

// An event far in the future: the functions take sign-ups by the real clock, and the test
// must not depend on today's date.
const EVENT = "browser-test-evening";
let work, content, port, origin, server, browser, token;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "portal-serve-"));
  fs.mkdirSync(artifacts, { recursive: true });
  content = path.join(work, "content");
  fs.cpSync(path.join(root, "content"), content, { recursive: true });
  fs.writeFileSync(path.join(content, "events", `${EVENT}.md`), [
    "---",
    "title: ブラウザテストの夕べ",
    "start: 2099-01-10T19:00:00+09:00",
    "end: 2099-01-10T21:00:00+09:00",
    "online: true",
    "capacity: 1",
    "organizers: [yamada-hanako]",
    "tags: [交流会]",
    "---",
    "席はひとつだけです。",
    "",
  ].join("\n"));
  port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // Through `portal serve`, as the README's first command runs it.
  server = spawn(path.join(bin, "portal"), [
    "serve", "--content", content, "--theme", path.join(root, "themes/default"),
    "--port", String(port), "--data", path.join(work, "data"), "--now", "2026-11-25T12:00:00+09:00",
  ], { stdio: ["ignore", "ignore", "inherit"] });
  await waitFor("portal serve", async () => (await fetch(`${origin}/`)).ok);
  token = fs.readFileSync(path.join(work, "data/editor-token"), "utf8").trim();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    server.kill("SIGINT");
    await new Promise((resolve) => server.once("exit", resolve));
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function open(width, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "ja-JP", javaScriptEnabled });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // A refused request shows as a console error without its address; the response says which.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  // A blob: address of this origin is memory the page made (the editors' photo preview).
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith(`blob:${origin}/`)) problems.push(`request to another origin: ${r.url()}`);
  });
  return { context, page, problems };
}

const noSidewaysScrolling = (page) => noSideways(page, assert);

async function fillJoinForm(page, person) {
  await page.getByLabel("名前（必須）").fill(person.name);
  await page.getByLabel("よみがな").fill(person.kana);
  await page.getByLabel("所属（必須）").selectOption({ label: person.sector });
  await page.getByLabel("都道府県").selectOption({ label: person.prefecture });
  await page.getByLabel("関心のあること").fill(person.interests);
  await page.getByLabel("自己紹介").fill(person.bio);
  await page.getByLabel("紹介の依頼（必須）").selectOption(person.introductions ?? "open");
  await page.getByLabel("メールアドレス（必須・公開されません）").fill(person.email);
  await page.getByLabel(/公開することに同意します/).check();
  if (person.photo) await page.getByLabel("写真", { exact: true }).setInputFiles(person.photo);
}

// A phone's photo, with a GPS position in its EXIF data.
const PHOTO = path.join(root, "functions/tests/fixtures/gps-640x480.jpg");

// The mail to `email` in /outbox/, opened as a person would: the link shows a button.
async function confirmFromOutbox(page, email, button) {
  await page.goto(`${origin}/outbox/`);
  const mail = page.locator("article.mail", { hasText: email }).first();
  await mail.waitFor();
  await mail.locator("pre a").first().click();
  await page.getByRole("button", { name: button }).click();
}

test("a visitor joins through /join/, an editor approves, and the profile is served without a restart", async () => {
  const { context, page, problems } = await open(1280);
  await page.goto(`${origin}/join/`);
  // Inline checks: a required field left empty and a malformed address say so beside them.
  await page.getByLabel("名前（必須）").focus();
  await page.getByLabel("名前（必須）").blur();
  await page.getByText("入力してください").first().waitFor();
  await page.getByLabel("メールアドレス（必須・公開されません）").fill("not-an-address");
  await page.getByLabel("メールアドレス（必須・公開されません）").blur();
  await page.getByText("メールアドレスの形式ではありません").waitFor();
  assert.equal(await page.getByLabel("メールアドレス（必須・公開されません）").getAttribute("aria-invalid"), "true");

  await fillJoinForm(page, {
    name: "田中 一郎", kana: "たなか いちろう", sector: "地方公務員", prefecture: "北海道",
    interests: "雪国の暮らし\n地域交通", bio: "札幌市で交通政策を担当しています。\n\n- 冬の道\n- バス路線",
    email: "ichiro@example.jp", photo: PHOTO,
  });
  assert.equal(await page.getByLabel("メールアドレス（必須・公開されません）").getAttribute("aria-invalid"), null);
  await shot(page, "serve-join-filled-1280");
  const url = page.url();
  await page.getByRole("button", { name: "登録する" }).click();
  await page.getByRole("status").filter({ hasText: "受け付けました" }).waitFor({ timeout: 15000 });
  assert.equal(page.url(), url, "sent without leaving the page");
  await shot(page, "serve-join-sent-1280");

  await confirmFromOutbox(page, "ichiro@example.jp", "確認する");
  await page.getByText("確認できました").waitFor();

  await page.goto(`${origin}/admin/`);
  await page.getByLabel("編集者トークン").fill(token);
  await page.keyboard.press("Enter");
  const item = page.locator("li.submission", { hasText: "田中 一郎" });
  await item.waitFor();
  // The photo is shown to the editor before approval, fetched with the token.
  const preview = item.getByRole("img", { name: "田中 一郎さんの写真" });
  await waitFor("the photo preview", async () => (await preview.evaluate((img) => img.naturalWidth)) === 512);
  await item.getByRole("button", { name: "承認する" }).click();
  await page.getByRole("status").filter({ hasText: "承認しました: 田中 一郎" }).waitFor();

  // The editor exports the approved sign-up into the content folder the server watches.
  const exported = execFileSync(path.join(bin, "portal"), ["export", "--api", origin, "--content", content], {
    env: { ...process.env, PORTAL_EDITOR_TOKEN: token }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  const slug = fs.readdirSync(path.join(content, "members")).find((f) => fs.readFileSync(path.join(content, "members", f), "utf8").includes("田中 一郎")).replace(/\.md$/, "");
  assert.ok(slug, exported);

  await waitFor("the new profile", async () => (await fetch(`${origin}/members/${slug}/`)).ok);
  await page.goto(`${origin}/members/${slug}/`);
  await page.getByRole("heading", { name: "田中 一郎" }).waitFor();
  assert.match(await page.locator("main").textContent(), /札幌市で交通政策を担当しています。/);
  assert.equal(await page.locator("main li", { hasText: "冬の道" }).count(), 1, "the bio's list is a list");
  const avatar = page.getByRole("img", { name: "田中 一郎" });
  assert.equal(await avatar.getAttribute("src"), `/members/${slug}.jpg`);
  await waitFor("the published photo", async () => (await avatar.evaluate((img) => img.naturalWidth)) === 512);
  await shot(page, "serve-profile-1280");
  await page.goto(`${origin}/members/`);
  assert.equal(await page.locator(`a[href="/members/${slug}/"]`).count() > 0, true, "the card is in the directory");
  await page.setViewportSize({ width: 390, height: 900 });
  await noSidewaysScrolling(page);
  await shot(page, "serve-directory-390");

  // The member keeps the profile current: a link to their own address, a new organization
  // and a new photo, approved and exported like the sign-up.
  const photoBefore = Buffer.from(await (await fetch(`${origin}/members/${slug}.jpg`)).arrayBuffer());
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${origin}/members/${slug}/`);
  await page.getByText("このプロフィールを更新する").click();
  await page.locator("#edit-email").fill("ichiro@example.jp");
  await page.getByRole("button", { name: "リンクを送る" }).click();
  await page.getByText("リンクを送りました").first().waitFor();
  // The link is queued and sent by the mail job (every second under portal serve).
  await waitFor("the edit link in the outbox", async () => (await (await fetch(`${origin}/outbox/`)).text()).includes("/api/members/edit?token="));
  await page.goto(`${origin}/outbox/`);
  await page.locator("article.mail", { hasText: "/api/members/edit?token=" }).first().locator("pre a").first().click();
  await page.getByRole("heading", { name: "プロフィールの更新" }).waitFor();
  assert.equal(await page.getByLabel("名前（必須）").inputValue(), "田中 一郎", "filled with the published profile");
  await page.getByLabel("組織", { exact: true }).fill("札幌市交通局");
  const newPhoto = path.join(work, "new-photo.png");
  await page.screenshot({ path: newPhoto });
  await page.getByLabel("写真", { exact: true }).setInputFiles(newPhoto);
  await page.getByRole("button", { name: "更新を送る" }).click();
  await page.getByText("更新を受け付けました").first().waitFor();
  await page.goto(`${origin}/admin/`);
  if (await page.getByLabel("編集者トークン").isVisible()) {
    await page.getByLabel("編集者トークン").fill(token);
    await page.keyboard.press("Enter");
  }
  const update = page.locator("li.submission", { hasText: `${slug} の更新` });
  await update.waitFor();
  assert.match(await update.locator("tr.changed").first().textContent(), /札幌市交通局/);
  await shot(page, "serve-update-queue-1280");
  await update.getByRole("button", { name: "承認する" }).click();
  await page.getByRole("status").filter({ hasText: "承認しました" }).waitFor();
  execFileSync(path.join(bin, "portal"), ["export", "--api", origin, "--content", content], {
    env: { ...process.env, PORTAL_EDITOR_TOKEN: token }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  await waitFor("the updated profile", async () => (await (await fetch(`${origin}/members/${slug}/`)).text()).includes("札幌市交通局"));
  const photoAfter = Buffer.from(await (await fetch(`${origin}/members/${slug}.jpg`)).arrayBuffer());
  assert.ok(!photoAfter.equals(photoBefore), "the new photo is served");
  await page.goto(`${origin}/members/${slug}/`);
  await shot(page, "serve-profile-updated-1280");
  // The editors' page asks whether the profile's address is still free: a 404 then is the answer.
  assert.deepEqual(problems.filter((p) => p !== `404 ${origin}/members/${slug}/`), []);
  await context.close();
});

test("without JavaScript the join form still works: one more look, then the thanks page", async () => {
  const { context, page, problems } = await open(390, { javaScriptEnabled: false });
  await page.goto(`${origin}/join/`);
  await noSidewaysScrolling(page);
  await shot(page, "serve-join-nojs-390");
  await fillJoinForm(page, {
    name: "佐々木 恵", kana: "ささき めぐみ", sector: "民間企業", prefecture: "大阪府",
    interests: "まちづくり", bio: "大阪でまちづくりの会社をしています。", email: "megumi@example.jp",
    photo: PHOTO,
  });
  await page.getByRole("button", { name: "登録する" }).click();
  // The static page has no stamp; the function shows the form again, stamped, values kept,
  // and asks for the photo again (a file input cannot be filled in by the server).
  await page.getByText("もう一度確認してください").waitFor();
  assert.equal(await page.getByLabel(/名前/).inputValue(), "佐々木 恵");
  await page.getByText("写真はまだ受け取っていません").waitFor();
  await page.getByLabel("写真").setInputFiles(PHOTO);
  await shot(page, "serve-join-nojs-check-390");
  await sleep(3200); // the stamp wants the time a person takes
  await page.getByRole("button", { name: "登録する" }).click();
  await page.waitForURL(`${origin}/join-thanks/`);
  await shot(page, "serve-join-nojs-thanks-390");
  await confirmFromOutbox(page, "megumi@example.jp", "確認する");
  await page.getByText("確認できました").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

async function signUpForEvent(page, name, email) {
  await page.goto(`${origin}/events/${EVENT}/`);
  await page.getByLabel("名前", { exact: true }).fill(name);
  await page.getByLabel("メールアドレス（公開されません）").fill(email);
  await page.getByRole("button", { name: "申し込む" }).click();
  // The form fetched its stamp when it was first used and posts once a person could have
  // filled it in: the answer page says the mail is on its way.
  await page.getByText("確認のメールを送りました").first().waitFor();
  await confirmFromOutbox(page, email, "申し込みを確定する");
}

test("anyone announces an event on /events/new/; once confirmed, approved and exported it is listed", async () => {
  const { context, page, problems } = await open(390);
  await page.goto(`${origin}/events/`);
  await page.getByRole("link", { name: "イベントを知らせる" }).click();
  await page.waitForURL(`${origin}/events/new/`);
  await page.getByLabel("タイトル（必須）").fill("雪国の交通を語る会");
  await page.getByLabel("開始（必須・日本時間）").fill("2026-12-20T18:00");
  await page.getByLabel("終了（日本時間）").fill("2026-12-20T20:00");
  await page.getByLabel("オンラインで開く（会場と両方でも）").check();
  await page.getByLabel("会場の名前").fill("札幌市民交流プラザ");
  await page.getByLabel("都道府県").selectOption({ label: "北海道" });
  await page.getByLabel("テーマ").fill("地域交通\n雪国の暮らし");
  await page.getByLabel("主催（グループ名など）").fill("北の交通を考える会");
  await page.getByLabel("どんな集まりか").fill("冬の道とバス路線について話します。");
  await page.getByLabel("あなたのメールアドレス（必須・公開されません）").fill("kita@example.jp");
  await page.getByLabel(/公開することに同意します/).check();
  await noSidewaysScrolling(page);
  await shot(page, "serve-announce-390");
  await page.getByRole("button", { name: "知らせる" }).click();
  await page.getByRole("status").filter({ hasText: "受け付けました" }).waitFor({ timeout: 15000 });

  await confirmFromOutbox(page, "kita@example.jp", "確認する");
  await page.getByText("イベントを掲載します").waitFor();

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${origin}/admin/`);
  await page.getByLabel("編集者トークン").fill(token);
  await page.keyboard.press("Enter");
  const item = page.locator("li.submission", { hasText: "雪国の交通を語る会" });
  await item.waitFor();
  assert.match(await item.textContent(), /北の交通を考える会/);
  await shot(page, "serve-announce-queue-1280");
  await item.getByRole("button", { name: "承認する" }).click();
  await page.getByRole("status").filter({ hasText: "承認しました" }).waitFor();

  execFileSync(path.join(bin, "portal"), ["export", "--api", origin, "--content", content], {
    env: { ...process.env, PORTAL_EDITOR_TOKEN: token }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  const file = fs.readdirSync(path.join(content, "events")).find((f) => f.startsWith("2026-12-20-"));
  assert.ok(file, "the event file is written");
  const slug = file.replace(/\.md$/, "");
  await waitFor("the new event", async () => (await fetch(`${origin}/events/${slug}/`)).ok);
  await page.goto(`${origin}/events/`);
  await page.getByRole("link", { name: "雪国の交通を語る会" }).first().click();
  await page.getByRole("heading", { name: "雪国の交通を語る会" }).waitFor();
  assert.match(await page.locator("main").textContent(), /北の交通を考える会/);
  await shot(page, "serve-announced-event-1280");
  // The editors' page asks whether pending profiles' addresses are free: a 404 is the answer.
  assert.deepEqual(problems.filter((p) => !/^404 .*\/members\/[a-z0-9-]+\/$/.test(p)), []);
  await context.close();
});

test("the last seat is taken, and the next sign-up lands on the waiting list", async () => {
  const { context, page, problems } = await open(1280);
  await page.goto(`${origin}/events/${EVENT}/`);
  await page.locator(".seats", { hasText: "残り1席" }).waitFor();
  await shot(page, "serve-event-open-1280");

  await signUpForEvent(page, "森 遥", "haruka.mori@example.jp");
  await page.getByText("参加が確定しました").waitFor();
  await page.goto(`${origin}/events/${EVENT}/`);
  await page.locator(".seats", { hasText: "満席です（キャンセル待ち0人）" }).waitFor();

  await signUpForEvent(page, "清水 翼", "tsubasa@example.jp");
  await page.getByText("キャンセル待ちの1番目です").waitFor();
  await page.goto(`${origin}/events/${EVENT}/`);
  await page.locator(".seats", { hasText: "キャンセル待ち1人" }).waitFor();
  await page.setViewportSize({ width: 390, height: 900 });
  await noSidewaysScrolling(page);
  await shot(page, "serve-event-full-390");

  // Without script the page states the capacity, and the sign-up still works: the page
  // has no stamp, so the function shows the form again, filled and stamped, to send once more.
  const plain = await open(390, { javaScriptEnabled: false });
  await plain.page.goto(`${origin}/events/${EVENT}/`);
  assert.match(await plain.page.locator(".facts").textContent(), /定員\s*1人/);
  await plain.page.getByLabel("名前", { exact: true }).fill("原 直人");
  await plain.page.getByLabel("メールアドレス（公開されません）").fill("naoto@example.jp");
  await plain.page.getByRole("button", { name: "申し込む" }).click();
  await plain.page.getByText("もう一度確認してください").waitFor();
  assert.equal(await plain.page.getByLabel("名前", { exact: true }).inputValue(), "原 直人");
  await shot(plain.page, "serve-event-nojs-check-390");
  await sleep(3200); // the stamp wants the time a person takes
  await plain.page.getByRole("button", { name: "申し込む" }).click();
  await plain.page.getByText("確認のメールを送りました").first().waitFor();
  assert.deepEqual(plain.problems, []);
  await plain.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a content mistake shows over the page with file, line and hint; fixing it reloads the page", async () => {
  const { context, page, problems } = await open(1280);
  await page.goto(`${origin}/members/yamada-hanako/`);
  const file = path.join(content, "members/yamada-hanako.md");
  const good = fs.readFileSync(file, "utf8");
  fs.writeFileSync(file, good.replace(/^sector: .*$/m, "sector: localgov"));
  const overlay = page.locator("#portal-problem");
  await overlay.waitFor({ timeout: 15000 });
  const text = await overlay.textContent();
  assert.match(text, /members\/yamada-hanako\.md:\d+:\d+/);
  assert.match(text, /localgov/);
  assert.match(text, /local-gov/, "the hint names the right value");
  await shot(page, "serve-problem-1280");
  // The last good site is still served meanwhile.
  assert.equal((await fetch(`${origin}/members/yamada-hanako/`)).status, 200);
  fs.writeFileSync(file, good.replace(/^(organization: )(.*)$/m, "$1$2（兼務）"));
  await page.waitForEvent("load", { timeout: 15000 });
  await overlay.waitFor({ state: "detached" });
  assert.match(await page.locator("main").textContent(), /（兼務）/);
  assert.deepEqual(problems, []);
  await context.close();
});

