// The search page. It reads the index the build wrote (generator/src/search_index.rs says how
// it is laid out): the small entry file, then only the token files that hold the query's
// tokens and the card files of the results shown. Queries are cut into tokens by the same
// rules as the index (search-tokens.js). Without script the page says so and links the lists
// by sector, prefecture and interest.
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  var T = window.PortalSearchTokens;
  if (!form || !T || !window.fetch || !window.TextDecoder) return;

  var FORMAT_VERSION = 1;
  var PAGE = 10;
  // A one-character query or a word being typed matches every token that starts with it;
  // past this many token files, only the files nearest to it are read.
  var MAX_PREFIX_FILES = 12;
  // Where a token occurs (bits of a posting) and what that is worth.
  var FIELD_WEIGHTS = [[1, 10], [2, 10], [4, 4], [8, 4], [16, 2], [32, 1]];
  var EXACT_BONUS = 1000;
  var FILTERS = { kind: "k", sector: "s", prefecture: "p", interest: "i" };

  var input = form.querySelector("input[name=q]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var more = document.querySelector("[data-search-more]");
  var indexUrl = form.getAttribute("data-index");
  var root = indexUrl.replace(/index\.json$/, "");
  var text = function (name) { return form.getAttribute("data-" + name) || ""; };

  var manifest = null;
  var tokenFiles = {};
  var cardFiles = {};

  function fetchOk(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response;
    });
  }

  function loadManifest() {
    if (!manifest) {
      // The entry file is not fingerprinted: ask the host whether it changed.
      manifest = fetch(indexUrl, { cache: "no-cache" })
        .then(function (response) {
          if (!response.ok) throw new Error(indexUrl + ": " + response.status);
          return response.json();
        })
        .then(function (m) {
          if (m.version !== FORMAT_VERSION) throw new Error("search index version " + m.version);
          return m;
        });
      manifest.catch(function () { manifest = null; });
    }
    return manifest;
  }

  // Code-point order, as the build sorts tokens (UTF-16 order differs above U+FFFF).
  function compare(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var x = a.charCodeAt(i);
      var y = b.charCodeAt(i);
      if (x === y) continue;
      if (x >= 0xD800 && y >= 0xD800) {
        x = x >= 0xE000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xE000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
    return a.length - b.length;
  }

  // The token file that would hold `token`: the last whose first token is not after it.
  function fileFor(m, token) {
    var lo = 0;
    var hi = m.tokens.length - 1;
    var found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (compare(m.tokens[mid], token) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // A token file as its tokens in order, each with where its postings start; the postings
  // are read only for the tokens a query asks for.
  function parseTokenFile(buffer) {
    var bytes = new Uint8Array(buffer);
    var decoder = new TextDecoder();
    var entries = [];
    var at = 0;
    var read = function () {
      var value = 0;
      var scale = 1;
      var b;
      do {
        if (at >= bytes.length) throw new Error("a token file ends inside a number");
        b = bytes[at++];
        value += (b & 0x7F) * scale;
        scale *= 128;
      } while (b >= 0x80);
      return value;
    };
    while (at < bytes.length) {
      var length = read();
      var token = decoder.decode(bytes.subarray(at, at + length));
      at += length;
      var count = read();
      var start = at;
      for (var i = 0; i < count; i++) {
        while (bytes[at] >= 0x80) at++;
        at++;
      }
      entries.push({ token: token, count: count, bytes: bytes, start: start, docs: null, fields: null });
    }
    return entries;
  }

  // The documents and fields of a token file's entry, read once.
  function postings(entry) {
    if (entry.docs) return entry;
    var bytes = entry.bytes;
    var at = entry.start;
    var docs = new Uint32Array(entry.count);
    var fields = new Uint8Array(entry.count);
    var doc = 0;
    for (var i = 0; i < entry.count; i++) {
      var value = 0;
      var scale = 1;
      var b;
      do {
        b = bytes[at++];
        value += (b & 0x7F) * scale;
        scale *= 128;
      } while (b >= 0x80);
      doc += Math.floor(value / 64);
      docs[i] = doc;
      fields[i] = value % 64;
    }
    entry.docs = docs;
    entry.fields = fields;
    return entry;
  }

  function loadTokenFile(m, i) {
    var url = root + m.fingerprint + "/t" + i + ".bin";
    if (!tokenFiles[url]) {
      tokenFiles[url] = fetchOk(url)
        .then(function (response) { return response.arrayBuffer(); })
        .then(parseTokenFile);
    }
    return tokenFiles[url];
  }

  function loadCards(m, doc) {
    var url = root + m.fingerprint + "/d" + Math.floor(doc / m.docs_per_file) + ".json";
    if (!cardFiles[url]) {
      cardFiles[url] = fetchOk(url).then(function (response) { return response.json(); });
    }
    return cardFiles[url].then(function (cards) { return cards[doc % m.docs_per_file]; });
  }

  // The entries of exactly `token` (one, or none).
  function exact(m, token) {
    var i = fileFor(m, token);
    if (i < 0) return Promise.resolve([]);
    return loadTokenFile(m, i).then(function (entries) {
      var lo = 0;
      var hi = entries.length - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        var c = compare(entries[mid].token, token);
        if (c === 0) return [postings(entries[mid])];
        if (c < 0) lo = mid + 1; else hi = mid - 1;
      }
      return [];
    });
  }

  // The entries of every token that starts with `start`.
  function prefixed(m, start) {
    var first = Math.max(fileFor(m, start), 0);
    var files = [first];
    for (var i = first + 1; i < m.tokens.length && files.length < MAX_PREFIX_FILES; i++) {
      if (m.tokens[i].lastIndexOf(start, 0) !== 0) break;
      files.push(i);
    }
    return Promise.all(files.map(function (i) { return loadTokenFile(m, i); })).then(function (all) {
      var found = [];
      all.forEach(function (entries) {
        entries.forEach(function (e) { if (e.token.lastIndexOf(start, 0) === 0) found.push(postings(e)); });
      });
      return found;
    });
  }

  function fieldWeight(fields) {
    var best = 0;
    FIELD_WEIGHTS.forEach(function (pair) {
      if (fields & pair[0] && pair[1] > best) best = pair[1];
    });
    return best;
  }

  // One requirement of a query: documents that have any of `entries`, each with its score
  // (rarer tokens weigh more; a whole token counts more than one the query only starts).
  function requirement(m, entries, whole) {
    var scores = new Map();
    entries.forEach(function (e) {
      var exactToken = whole === undefined || e.token === whole;
      var idf = Math.log(1 + m.docs / e.docs.length) * (exactToken ? 1 : 0.5);
      for (var i = 0; i < e.docs.length; i++) {
        var score = idf * fieldWeight(e.fields[i]);
        var known = scores.get(e.docs[i]);
        if (known === undefined || score > known) scores.set(e.docs[i], score);
      }
    });
    return scores;
  }

  // Where the pairs a run of `length` Japanese characters is looked up by start: pairs that
  // cover every character (0-1, 2-3, ..., and the last pair), at most MAX_PAIRS of them
  // spread from the first to the last. A page with the words has every pair, so none is
  // lost; each pair left out is a token file fewer to read, and a page with four pairs of a
  // long phrase but not the phrase is rare.
  var MAX_PAIRS = 4;
  function pairsToRead(length) {
    var starts = [];
    for (var i = 0; i + 1 < length; i += 2) starts.push(i);
    if (length % 2) starts.push(length - 2);
    if (starts.length <= MAX_PAIRS) return starts;
    var spread = [];
    for (var k = 0; k < MAX_PAIRS; k++) spread.push(Math.round(k * (length - 2) / (MAX_PAIRS - 1)));
    return spread;
  }

  // What a query asks for: its requirements (each must match), its filters and the exact
  // token of the whole query (a name, a reading or a title).
  function plan(params) {
    var raw = params.q || "";
    var pieces = T.pieces(raw);
    var steps = [];
    pieces.forEach(function (piece, index) {
      var chars = Array.from(piece.text);
      if (piece.japanese && chars.length > 1) {
        pairsToRead(chars.length).forEach(function (i) { steps.push({ token: chars[i] + chars[i + 1] }); });
      } else if (piece.japanese) {
        steps.push({ prefix: piece.text });
      } else if (index === pieces.length - 1 && !/\s$/.test(raw) && chars.length >= 2) {
        // The word being typed: its beginnings count, the whole word more.
        steps.push({ prefix: piece.text, whole: piece.text });
      } else {
        steps.push({ token: piece.text });
      }
    });
    var filters = [];
    Object.keys(FILTERS).forEach(function (name) {
      if (params[name]) filters.push("\u0001" + FILTERS[name] + ":" + params[name]);
    });
    var whole = T.normalize(raw).replace(/\s+/g, "");
    return { pieces: pieces, steps: steps, filters: filters, exact: whole ? "\u0002" + whole : null };
  }

  // Ranked document numbers for `params` ({ q, kind, sector, prefecture, interest }): the
  // documents that meet every requirement and every filter, and those whose name, reading
  // or title is the whole query (typed without its space, さとうけんた is さとう けんた).
  function search(params) {
    var p = plan(params);
    if (!p.steps.length && !p.filters.length) return Promise.resolve({ plan: p, docs: [] });
    return loadManifest().then(function (m) {
      var steps = Promise.all(p.steps.map(function (step) {
        var entries = step.token ? exact(m, step.token) : prefixed(m, step.prefix);
        return entries.then(function (e) { return requirement(m, e, step.whole); });
      }));
      var filters = Promise.all(p.filters.map(function (token) {
        return exact(m, token).then(function (e) { return requirement(m, e); });
      }));
      var exactLookup = p.exact && p.steps.length ? exact(m, p.exact) : Promise.resolve([]);
      return Promise.all([steps, filters, exactLookup]).then(function (found) {
        var filterSets = found[1];
        var passes = function (doc) {
          return filterSets.every(function (set) { return set.has(doc); });
        };
        var sets = found[0].concat(filterSets).sort(function (a, b) { return a.size - b.size; });
        var scores = new Map();
        sets[0].forEach(function (score, doc) {
          var total = 0;
          for (var i = 0; i < sets.length; i++) {
            var s = sets[i].get(doc);
            if (s === undefined) return;
            total += s;
          }
          scores.set(doc, p.steps.length ? total : 0);
        });
        found[2].forEach(function (e) {
          for (var i = 0; i < e.docs.length; i++) {
            var doc = e.docs[i];
            if (!passes(doc)) continue;
            scores.set(doc, (scores.get(doc) || 0) + EXACT_BONUS);
          }
        });
        var docs = Array.from(scores.keys());
        docs.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
        return { plan: p, docs: docs, manifest: m };
      });
    });
  }

  // `value` as text with the query's pieces marked, matched as the index matches them.
  function highlighted(value, pieces) {
    var fragment = document.createDocumentFragment();
    if (!value) return fragment;
    var chars = Array.from(value);
    var normalized = "";
    var origin = [];
    chars.forEach(function (c, index) {
      var n = T.normalize(c);
      for (var k = 0; k < n.length; k++) origin.push(index);
      normalized += n;
    });
    var marked = new Array(chars.length).fill(false);
    pieces.forEach(function (piece) {
      var from = 0;
      var at;
      while (piece.text && (at = normalized.indexOf(piece.text, from)) >= 0) {
        for (var k = at; k < at + piece.text.length; k++) marked[origin[k]] = true;
        from = at + piece.text.length;
      }
    });
    var run = "";
    var inMark = false;
    function flush() {
      if (!run) return;
      if (inMark) {
        var mark = document.createElement("mark");
        mark.textContent = run;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(run));
      }
      run = "";
    }
    chars.forEach(function (c, index) {
      if (marked[index] !== inMark) {
        flush();
        inMark = marked[index];
      }
      run += c;
    });
    flush();
    return fragment;
  }

  function element(tag, className, content) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (content) el.appendChild(content);
    return el;
  }

  function card(c, pieces) {
    var li = element("li", "card search-result search-result-" + c.k);
    if (c.k === "m") {
      if (c.i) {
        var img = document.createElement("img");
        img.className = "avatar";
        img.src = c.i;
        img.alt = "";
        img.width = 56;
        img.height = 56;
        img.loading = "lazy";
        li.appendChild(img);
      } else {
        var initials = element("span", "avatar avatar-placeholder");
        initials.textContent = c.n || "";
        initials.setAttribute("aria-hidden", "true");
        li.appendChild(initials);
      }
    }
    var body = element("div", "search-result-body");
    var kind = element("p", "kind");
    kind.textContent = text("kind-" + c.k);
    body.appendChild(kind);
    var link = element("a", null, highlighted(c.t, pieces));
    link.href = c.u;
    body.appendChild(element("h2", "card-title", link));
    if (c.r) body.appendChild(element("p", "kana", highlighted(c.r, pieces)));
    if (c.s) body.appendChild(element("p", "org", highlighted(c.s, pieces)));
    if (c.c && c.c.length) {
      var tags = element("ul", "tags");
      c.c.forEach(function (label) { tags.appendChild(element("li", null, element("span", null, highlighted(label, pieces)))); });
      body.appendChild(tags);
    }
    if (c.x) body.appendChild(element("p", "excerpt", highlighted(c.x, pieces)));
    li.appendChild(body);
    return li;
  }

  var current = { docs: [], shown: 0, plan: null, manifest: null };
  var sequence = 0;

  function showMore() {
    var mine = sequence;
    var docs = current.docs.slice(current.shown, current.shown + PAGE);
    return Promise.all(docs.map(function (doc) { return loadCards(current.manifest, doc); })).then(function (cards) {
      if (mine !== sequence) return;
      cards.forEach(function (c) { list.appendChild(card(c, current.plan.pieces)); });
      current.shown += docs.length;
      more.hidden = current.shown >= current.docs.length;
    });
  }

  function paramsFromForm() {
    var params = { q: input.value };
    Object.keys(FILTERS).forEach(function (name) {
      var field = form.elements[name];
      params[name] = field ? field.value : "";
    });
    return params;
  }

  function keepInUrl(params) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (name) { if (params[name]) query.set(name, params[name]); });
    var search = query.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  function run(retried) {
    var mine = ++sequence;
    var params = paramsFromForm();
    keepInUrl(params);
    var started = performance.now();
    status.textContent = text("loading");
    return search(params).then(function (result) {
      if (mine !== sequence) return;
      list.textContent = "";
      current = { docs: result.docs, shown: 0, plan: result.plan, manifest: result.manifest };
      if (!result.plan.steps.length && !result.plan.filters.length) {
        status.textContent = text("hint");
        more.hidden = true;
        form.setAttribute("data-shown", location.search);
        return;
      }
      status.textContent = result.docs.length
        ? text("count").replace("{n}", result.docs.length.toLocaleString())
        : text("none");
      return showMore().then(function () {
        // For tests and the benchmark: what is on screen, and how long it took.
        form.setAttribute("data-shown", location.search);
        form.setAttribute("data-last-ms", String(Math.round(performance.now() - started)));
      });
    }).catch(function (error) {
      if (mine !== sequence) return;
      // A new deploy replaced the index while this page was open: read it again, once.
      if (!retried) {
        manifest = null;
        tokenFiles = {};
        cardFiles = {};
        return run(true);
      }
      status.textContent = text("failed");
      if (window.console) console.error(error);
    });
  }

  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(function () { run(false); }, 150);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(false);
  });
  input.addEventListener("input", soon);
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
    select.addEventListener("change", function () { run(false); });
  });
  more.addEventListener("click", function () { showMore(); });

  var initial = new URLSearchParams(location.search);
  input.value = initial.get("q") || "";
  Object.keys(FILTERS).forEach(function (name) {
    var field = form.elements[name];
    if (field && initial.get(name)) field.value = initial.get(name);
  });
  // The header's box has the query too: one search box per page is enough here.
  var headerBox = document.getElementById("site-search-q");
  if (headerBox) headerBox.value = input.value;
  run(false);

  // For the benchmark and the tests: the ranked URLs of a query, with no page update.
  window.portalSearch = function (params) {
    return search(params).then(function (result) {
      var docs = result.docs.slice(0, params.limit === undefined ? result.docs.length : params.limit);
      return Promise.all(docs.map(function (doc) { return loadCards(result.manifest, doc); }))
        .then(function (cards) { return { total: result.docs.length, urls: cards.map(function (c) { return c.u; }) }; });
    });
  };
})();
