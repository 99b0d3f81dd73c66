// The benchmark's queries and their known answers, read from a corpus that `portal corpus`
// wrote: names in kanji (with and without the space), readings in hiragana (with and
// without the space) and katakana, rare interests (some typed with full-width letters) and
// organizations. An answer is a page that must be found: the members (and events) whose
// files say so. Deterministic: the same corpus gives the same queries.

import fs from "node:fs";
import path from "node:path";

// Front matter fields of the corpus' files (one line each, as `portal corpus` writes them).
function front(text) {
  const fields = {};
  const end = text.indexOf("\n---", 3);
  for (const line of text.slice(4, end).split("\n")) {
    const m = /^([a-z_]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    if (value.startsWith("[")) value = value.slice(1, -1).split(",").map((s) => s.trim()).filter(Boolean);
    fields[m[1]] = value;
  }
  return fields;
}

function read(corpus, folder, url) {
  const dir = path.join(corpus, folder);
  return fs.readdirSync(dir).filter((f) => f.endsWith(".md")).sort().map((file) => ({
    url: url(file.slice(0, -3)),
    ...front(fs.readFileSync(path.join(dir, file), "utf8")),
  }));
}

const toKatakana = (s) => s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
const toFullWidth = (s) => s.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0));

// Every `step`-th distinct value, `count` of them, so that picks spread over the corpus.
function spread(values, count) {
  const distinct = [...new Set(values)].sort();
  const step = Math.max(1, Math.floor(distinct.length / count));
  return distinct.filter((_, i) => i % step === 0).slice(0, count);
}

export function queries(corpus) {
  const members = read(corpus, "members", (slug) => `/members/${slug}/`);
  const events = read(corpus, "events", (slug) => `/events/${slug}/`);
  const by = (items, test) => items.filter(test).map((m) => m.url);
  const out = [];
  for (const name of spread(members.map((m) => m.name), 6)) {
    const answers = by(members, (m) => m.name === name);
    out.push({ kind: "name in kanji", q: name, answers });
    out.push({ kind: "name in kanji without the space", q: name.replace(" ", ""), answers });
  }
  for (const kana of spread(members.map((m) => m.kana), 6)) {
    const answers = by(members, (m) => m.kana === kana);
    out.push({ kind: "reading in hiragana", q: kana, answers });
    out.push({ kind: "reading in hiragana without the space", q: kana.replace(" ", ""), answers });
  }
  for (const kana of spread(members.map((m) => m.kana), 4).map((k) => k)) {
    out.push({ kind: "reading in katakana", q: toKatakana(kana), answers: by(members, (m) => m.kana === kana) });
  }
  // Interests of the long tail: used by a few members each.
  const uses = new Map();
  for (const item of [...members, ...events]) {
    for (const tag of item.interests || item.tags || []) uses.set(tag, (uses.get(tag) || 0) + 1);
  }
  // The least used (on at least three pages), as the long tail has them at any size.
  const rare = [...uses.entries()].filter(([, n]) => n >= 3).sort((a, b) => a[1] - b[1])
    .slice(0, 40).map(([t]) => t);
  const withTag = (tag) => by([...members, ...events], (x) => (x.interests || x.tags || []).includes(tag));
  for (const tag of spread(rare.filter((t) => !/[A-Za-z]/.test(t)), 4)) {
    out.push({ kind: "rare interest", q: tag, answers: withTag(tag) });
  }
  // Tags with Latin letters are few (the DX facet): the two least used.
  const latin = [...uses.entries()].filter(([t, n]) => /[A-Za-z]/.test(t) && n >= 3)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([t]) => t);
  for (const tag of latin.slice(0, 2)) {
    out.push({ kind: "rare interest in full-width letters", q: toFullWidth(tag), answers: withTag(tag) });
  }
  for (const organization of spread(members.map((m) => m.organization), 2)) {
    out.push({ kind: "organization", q: organization, answers: by(members, (m) => m.organization === organization) });
  }
  return out;
}
