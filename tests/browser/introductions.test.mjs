// Introductions by consent in real Chromium under `portal serve`, on a phone: two people
// join (a public servant and a business person who share a rare interest), an editor
// approves and exports them, and each is among the other's people to meet. One asks to be
// introduced from the suggestion at 390 px, confirms through the link mailed to their own
// address, the other accepts from their mail, and both mails in /outbox/ carry the other's
// address, which no page ever showed. Then who is coming: of two people with a seat, only
// the one who chose it is on the event's attendee list. Screenshots at 390 px and 1280 px go
// to target/browser/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { root, bin, artifacts, freePort, launchChromium, waitFor, shot, noSidewaysScrolling as noSideways } from "./support.mjs";

let work, content, origin, server, browser, token;
const EVENT = "browser-attendees-evening";

const YUKIKO = {
  name: "北見 雪子", kana: "きたみ ゆきこ", sector: "地方公務員", organization: "北見市役所", prefecture: "北海道",
  interests: "流氷の観光\n雪国の暮らし", bio: "北見市で観光の担当をしています。", email: "yukiko@example.jp",
};
const RYUSEI = {
  name: "網走 流星", kana: "あばしり りゅうせい", sector: "民間企業", organization: "オホーツク流氷ツアーズ", prefecture: "北海道",
  interests: "流氷の観光\n雪国の暮らし", bio: "オホーツクで旅行会社を営んでいます。", email: "ryusei@example.jp",
};

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "portal-introductions-"));
  fs.mkdirSync(artifacts, { recursive: true });
  content = path.join(work, "content");
  fs.cpSync(path.join(root, "content"), content, { recursive: true });
  // Far in the future: the functions take sign-ups by the real clock.
  fs.writeFileSync(path.join(content, "events", `${EVENT}.md`), [
    "---", "title: 流氷を語る夕べ", "start: 2099-02-10T19:00:00+09:00", "end: 2099-02-10T21:00:00+09:00",
    "online: true", "capacity: 10", "organizers: [yamada-hanako]", "tags: [交流会]", "---", "流氷の話をしましょう。", "",
  ].join("\n"));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
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

async function open(width) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "ja-JP" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  return { context, page, problems };
}

const noSidewaysScrolling = (page) => noSideways(page, assert);

// The newest mail to `email` that holds `needle`, opened at its first link.
async function openMail(page, email, needle) {
  await waitFor(`a mail to ${email} with ${needle}`, async () => {
    const html = await (await fetch(`${origin}/outbox/`)).text();
    return html.includes(email) && html.includes(needle);
  });
  await page.goto(`${origin}/outbox/`);
  const mail = page.locator("article.mail", { hasText: email }).filter({ hasText: needle }).first();
  await mail.locator("pre a").first().click();
}

async function join(page, person) {
  await page.goto(`${origin}/join/`);
  await page.getByLabel("名前（必須）").fill(person.name);
  await page.getByLabel("よみがな").fill(person.kana);
  await page.getByLabel("所属（必須）").selectOption({ label: person.sector });
  await page.getByLabel("組織", { exact: true }).fill(person.organization);
  await page.getByLabel("都道府県").selectOption({ label: person.prefecture });
  await page.getByLabel("関心のあること").fill(person.interests);
  await page.getByLabel("自己紹介").fill(person.bio);
  await page.getByLabel("紹介の依頼（必須）").selectOption("open");
  await page.getByLabel("メールアドレス（必須・公開されません）").fill(person.email);
  await page.getByLabel(/公開することに同意します/).check();
  await page.getByRole("button", { name: "登録する" }).click();
  await page.getByRole("status").filter({ hasText: "受け付けました" }).waitFor({ timeout: 15000 });
  await openMail(page, person.email, "/api/confirm?token=");
  await page.getByRole("button", { name: "確認する" }).click();
  await page.getByText("確認できました").waitFor();
}

function slugOf(name) {
  const dir = path.join(content, "members");
  const file = fs.readdirSync(dir).find((f) => fs.readFileSync(path.join(dir, f), "utf8").includes(name));
  return file && file.replace(/\.md$/, "");
}

test("a member asks for an introduction from a suggestion on a phone; the other accepts and both get each other's address", async () => {
  const setup = await open(1280);
  for (const person of [YUKIKO, RYUSEI]) await join(setup.page, person);
  await setup.page.goto(`${origin}/admin/`);
  await setup.page.getByLabel("編集者トークン").fill(token);
  await setup.page.keyboard.press("Enter");
  for (const person of [YUKIKO, RYUSEI]) {
    const item = setup.page.locator("li.submission", { hasText: person.name });
    await item.getByRole("button", { name: "承認する" }).click();
    await setup.page.getByRole("status").filter({ hasText: `承認しました: ${person.name}` }).waitFor();
  }
  execFileSync(path.join(bin, "portal"), ["export", "--api", origin, "--content", content], {
    env: { ...process.env, PORTAL_EDITOR_TOKEN: token }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  const yukiko = slugOf(YUKIKO.name);
  const ryusei = slugOf(RYUSEI.name);
  assert.ok(yukiko && ryusei, "both were exported");
  await waitFor("both profiles", async () =>
    (await fetch(`${origin}/members/${yukiko}/`)).ok && (await fetch(`${origin}/members/${ryusei}/`)).ok);
  await setup.context.close();

  // Yukiko, on her phone, finds Ryusei among her people to meet and asks.
  const { context, page, problems } = await open(390);
  await waitFor("the suggestion", async () => (await (await fetch(`${origin}/members/${yukiko}/`)).text()).includes(`/members/${ryusei}/?from=${yukiko}#introduce`));
  await page.goto(`${origin}/members/${yukiko}/`);
  const suggestion = page.locator(".meet-list li", { hasText: RYUSEI.name });
  await suggestion.waitFor();
  await noSidewaysScrolling(page);
  await shot(page, "introductions-suggestion-390");
  await suggestion.getByRole("link", { name: /紹介を依頼する/ }).click();
  await page.getByRole("heading", { name: RYUSEI.name, level: 1 }).waitFor();
  const form = page.locator("#introduce");
  await form.waitFor({ state: "visible" });
  assert.equal(await page.getByLabel("あなたのプロフィールのID、またはURL").inputValue(), yukiko, "filled from the suggestion");
  await form.getByLabel("メールアドレス").fill(YUKIKO.email);
  await form.getByLabel(/ひとこと/).fill("流氷の季節の観光について、現場のお話を伺いたいです。");
  await noSidewaysScrolling(page);
  await shot(page, "introductions-form-390");
  await form.getByRole("button", { name: "確認のリンクを受け取る" }).click();
  await page.getByRole("heading", { name: "確認のリンクを送りました" }).waitFor({ timeout: 15000 });

  // The link goes to her own address; its page shows the request, its button sends it.
  await openMail(page, YUKIKO.email, "/api/introductions/send?token=");
  await page.getByRole("heading", { name: `${RYUSEI.name}さんに紹介の依頼を送る` }).waitFor();
  await noSidewaysScrolling(page);
  await shot(page, "introductions-send-390");
  await page.getByRole("button", { name: "依頼を送る" }).click();
  await page.getByRole("heading", { name: "依頼を送りました" }).waitFor();

  // Ryusei opens the request from his mail and agrees to meet.
  await openMail(page, RYUSEI.email, "/api/introductions/answer?token=");
  await page.getByRole("heading", { name: `${YUKIKO.name}さんからの紹介の依頼` }).waitFor();
  assert.match(await page.locator("main").textContent(), /流氷の季節の観光について/);
  assert.match(await page.locator("main").textContent(), /共通の関心/);
  await noSidewaysScrolling(page);
  await shot(page, "introductions-answer-390");
  await page.getByRole("button", { name: "会ってみる" }).click();
  await page.getByRole("status").filter({ hasText: "承諾しました" }).waitFor();
  await shot(page, "introductions-accepted-390");

  // Each mail carries the other's address; no page of the way showed either.
  await waitFor("both introductions", async () => {
    const html = await (await fetch(`${origin}/outbox/`)).text();
    return (html.match(/紹介の依頼を承諾しました/g) || []).length >= 2;
  });
  await page.goto(`${origin}/outbox/`);
  const toYukiko = page.locator("article.mail", { hasText: `${RYUSEI.name}さんが、紹介の依頼を承諾しました` });
  const toRyusei = page.locator("article.mail", { hasText: `${YUKIKO.name}さんからの紹介の依頼を承諾しました` });
  assert.equal(await toYukiko.count(), 1);
  assert.equal(await toRyusei.count(), 1);
  assert.match(await toYukiko.textContent(), new RegExp(`To\\s*${YUKIKO.email}[\\s\\S]*所属: ${RYUSEI.organization}[\\s\\S]*メールアドレス: ${RYUSEI.email}`));
  assert.match(await toRyusei.textContent(), new RegExp(`To\\s*${RYUSEI.email}[\\s\\S]*所属: ${YUKIKO.organization}[\\s\\S]*メールアドレス: ${YUKIKO.email}`));
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, "introductions-outbox-1280");
  for (const slug of [yukiko, ryusei]) {
    const html = await (await fetch(`${origin}/members/${slug}/`)).text();
    assert.ok(!html.includes(YUKIKO.email) && !html.includes(RYUSEI.email), "no address on a profile");
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("the attendee list shows only those who chose it, with the number of seats taken", async () => {
  const { context, page, problems } = await open(390);
  for (const [name, email, listed] of [["紋別 海", "umi@example.jp", true], ["名寄 静", "shizuka@example.jp", false]]) {
    await page.goto(`${origin}/events/${EVENT}/`);
    await page.getByLabel("名前", { exact: true }).fill(name);
    await page.getByLabel("メールアドレス（公開されません）").fill(email);
    await page.getByLabel(/^所属/).fill(listed ? "紋別観光協会" : "名寄市役所");
    if (listed) await page.getByLabel("参加者一覧に名前と所属を表示する").check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.getByText("確認のメールを送りました").first().waitFor();
    await openMail(page, email, `/api/events/${EVENT}/confirm?token=`);
    await page.getByRole("button", { name: "申し込みを確定する" }).click();
    await page.getByText("参加が確定しました").waitFor();
  }
  await page.goto(`${origin}/events/${EVENT}/`);
  const list = page.locator("section.attendees");
  await list.getByText("確定した参加者：2人").waitFor();
  assert.equal(await list.locator("li").count(), 1);
  assert.match(await list.locator("li").textContent(), /紋別 海\s*紋別観光協会/);
  assert.ok(!(await list.textContent()).includes("名寄"), "who did not choose it is not listed");
  await noSidewaysScrolling(page);
  await shot(page, "attendees-event-390");
  // Without script the page links to the same list as a page of its own.
  const plain = await browser.newContext({ viewport: { width: 390, height: 900 }, locale: "ja-JP", javaScriptEnabled: false });
  const plainPage = await plain.newPage();
  await plainPage.goto(`${origin}/events/${EVENT}/`);
  await plainPage.getByRole("link", { name: "参加者一覧を見る" }).click();
  await plainPage.getByText("確定した参加者は2人です").waitFor();
  assert.match(await plainPage.locator("main").textContent(), /紋別 海/);
  assert.ok(!(await plainPage.locator("main").textContent()).includes("名寄"));
  await shot(plainPage, "attendees-nojs-390");
  await plain.close();
  assert.deepEqual(problems, []);
  await context.close();
});
