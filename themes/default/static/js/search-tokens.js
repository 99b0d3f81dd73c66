// The search's words: the same normalization and tokens as generator/src/search_tokens.rs,
// which writes the index (tests/tests/search_tokens.rs runs both on the same sentences).
// NFKC, lower case letter by letter, katakana as hiragana, small kana full size; over runs of
// Japanese script every pair of neighbours and the last character, over Latin letters and
// digits the word.
(function (root) {
  "use strict";
  var SMALL = { "ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お", "っ": "つ", "ゃ": "や", "ゅ": "ゆ", "ょ": "よ", "ゎ": "わ", "ゕ": "か", "ゖ": "け" };
  var WORD = /^[\p{Alphabetic}\p{N}]$/u;

  function foldKana(c) {
    var code = c.codePointAt(0);
    if (code >= 0x30A1 && code <= 0x30F6) c = String.fromCodePoint(code - 0x60);
    return SMALL[c] || c;
  }

  function normalize(text) {
    var out = "";
    for (var c of text.normalize("NFKC")) {
      // Letter by letter, as Rust's char::to_lowercase (no context rules).
      for (var lower of c.toLowerCase()) out += foldKana(lower);
    }
    return out;
  }

  function isJapanese(c) {
    var code = c.codePointAt(0);
    return (code >= 0x3041 && code <= 0x3096) || code === 0x30FC || code === 0x3005 ||
      (code >= 0x4E00 && code <= 0x9FFF) || (code >= 0x3400 && code <= 0x4DBF) ||
      (code >= 0xF900 && code <= 0xFAFF);
  }

  function tokens(text) {
    var out = [];
    var run = [];
    var word = "";
    function flushRun() {
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      if (run.length) out.push(run[run.length - 1]);
      run = [];
    }
    function flushWord() {
      if (word) out.push(word);
      word = "";
    }
    for (var c of normalize(text)) {
      if (isJapanese(c)) {
        flushWord();
        run.push(c);
      } else if (WORD.test(c)) {
        flushRun();
        word += c;
      } else {
        flushRun();
        flushWord();
      }
    }
    flushRun();
    flushWord();
    return out;
  }

  // The runs a query is made of, normalized: { japanese: true, text: "防災" } for a run of
  // Japanese script, { japanese: false, text: "dx" } for a word.
  function pieces(text) {
    var out = [];
    var current = null;
    for (var c of normalize(text)) {
      var japanese = isJapanese(c);
      if (!japanese && !WORD.test(c)) {
        current = null;
        continue;
      }
      if (!current || current.japanese !== japanese) {
        current = { japanese: japanese, text: "" };
        out.push(current);
      }
      current.text += c;
    }
    return out;
  }

  var api = { normalize: normalize, tokens: tokens, pieces: pieces };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.PortalSearchTokens = api;
})(this);
