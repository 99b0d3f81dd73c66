// The editors' page: signs in with an editor token (kept in sessionStorage, so it is gone
// when the tab closes), lists the moderation queues from the API on the site's origin, and
// sends decisions. Whatever a submitter typed is inserted as text, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("admin");
  var dataElement = document.getElementById("admin-data");
  if (!root || !dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var strings = data.strings;
  var api = (root.getAttribute("data-api") || "").replace(/\/+$/, "");
  var siteBase = root.getAttribute("data-site") || "";
  var TOKEN_KEY = "portal.editorToken";
  var token = null;
  var when = new Intl.DateTimeFormat(data.locale, {
    timeZone: "Asia/Tokyo", year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit"
  });

  var $ = function (id) { return document.getElementById(id); };
  var status = $("admin-status");
  var alertBox = $("admin-alert");
  var signin = $("admin-signin");
  var workspace = $("admin-workspace");

  function t(key, vars) {
    var text = strings[key] || key;
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(vars[name]);
    });
    return text;
  }

  // Makes an element; children are nodes or strings, and strings become text nodes.
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function formatTime(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    return isNaN(date) ? iso : when.format(date);
  }

  function say(message) { status.textContent = message; }

  function showAlert(message) {
    alertBox.textContent = message;
    alertBox.hidden = !message;
  }

  // A failed call: the token (401), the network, or what the API said.
  function ApiFailure(kind, message) { this.kind = kind; this.message = message; }

  function call(method, path, body) {
    var headers = { Accept: "application/json", Authorization: "Bearer " + token };
    var options = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(api + path, options).then(function (response) {
      if (response.status === 401) throw new ApiFailure("token", t("admin_wrong_token"));
      var type = response.headers.get("Content-Type") || "";
      var parsed = type.indexOf("json") >= 0 ? response.json() : response.text();
      return parsed.then(function (content) {
        if (!response.ok) {
          var detail = (content && content.error) || (content && content.errors && JSON.stringify(content.errors)) || response.status;
          throw new ApiFailure("api", t("admin_failed", { error: detail }));
        }
        return content;
      });
    }, function () {
      throw new ApiFailure("network", t("admin_unreachable"));
    });
  }

  // A submission's photo: fetched with the token (it is not public until exported) and
  // shown from memory.
  function photoPreview(s, name) {
    var image = el("img", { "class": "avatar", alt: t("admin_photo_of", { name: name }), width: "128", height: "128" });
    var holder = el("p", { "class": "photo-preview" }, [image]);
    fetch(api + "/api/moderation/submissions/" + encodeURIComponent(s.id) + "/photo", {
      headers: { Authorization: "Bearer " + token }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.blob();
    }).then(function (blob) {
      image.src = URL.createObjectURL(blob);
    }).catch(function () {
      holder.replaceChildren(el("span", { "class": "error", text: t("admin_photo_failed") }));
    });
    return holder;
  }

  // One page of a queue (at most 50, newest first) and the cursor of the next, if any.
  function list(status, cursor) {
    var query = "?status=" + status + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return call("GET", "/api/moderation/submissions" + query).then(function (answer) {
      return { items: answer.submissions || [], next: answer.next || null };
    });
  }

  // Where each queue's next page starts; `undefined` for a queue not read yet (exported
  // items are read only when an editor asks for them).
  var cursors = {};

  // ---- Showing a submission as the site will --------------------------------------

  function lines(text) {
    return (text || "").split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function interestsOf(fields) {
    return (fields.interests || "").split(/[\n,、]/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function cardPreview(fields) {
    var sector = data.sectors[fields.sector] || fields.sector;
    var prefecture = fields.prefecture ? (data.prefectures[fields.prefecture] || fields.prefecture) : "";
    return el("div", { "class": "card member-card" }, [
      el("p", { "class": "card-title", text: fields.name }),
      fields.kana ? el("p", { "class": "kana", text: fields.kana }) : null,
      el("p", { "class": "meta" }, [
        el("span", { "class": "tag sector", text: sector }),
        prefecture ? " " : null,
        prefecture ? el("span", { "class": "tag place", text: prefecture }) : null
      ]),
      fields.organization ? el("p", { "class": "org" }, [
        fields.organization,
        fields.role ? " " : null,
        fields.role ? el("span", { "class": "role", text: fields.role }) : null
      ]) : null,
      el("ul", { "class": "tags" }, interestsOf(fields).map(function (i) { return el("li", {}, [el("span", { text: i })]); }))
    ]);
  }

  function profilePreview(fields) {
    var facts = el("dl", { "class": "facts" });
    function fact(label, value) {
      if (!value) return;
      facts.appendChild(el("dt", { text: label }));
      facts.appendChild(el("dd", { text: value }));
    }
    fact(t("sector"), data.sectors[fields.sector] || fields.sector);
    fact(t("organization"), fields.organization);
    fact(t("role"), fields.role);
    fact(t("prefecture"), fields.prefecture && (data.prefectures[fields.prefecture] || fields.prefecture));
    fact(t("joined"), fields.joined);
    fact(t("interests"), interestsOf(fields).join("、"));
    var links = Object.keys(fields).filter(function (k) { return k.indexOf("links.") === 0 && fields[k]; });
    var linkList = el("ul", { "class": "links" }, links.map(function (k) {
      // Shown as text: an editor reads the address before anyone follows it.
      return el("li", {}, [t("link_" + k.slice(6)) + ": ", el("code", { text: fields[k] })]);
    }));
    return el("div", { "class": "profile-preview" }, [
      el("h3", { text: fields.name }),
      fields.kana ? el("p", { "class": "kana", text: fields.kana }) : null,
      facts,
      fields.bio ? el("h4", { text: t("introduction") }) : null,
      fields.bio ? el("p", { "class": "muted small", text: t("admin_bio_note") }) : null,
      fields.bio ? el("div", { "class": "bio-source", text: fields.bio }) : null,
      links.length ? el("h4", { text: t("links") }) : null,
      links.length ? linkList : null
    ]);
  }

  // An announced event as its page will show it; the description as written (it is
  // rendered as Markdown, untrusted, once published).
  function eventPreview(s) {
    var fields = s.fields || {};
    var facts = el("dl", { "class": "facts" });
    function fact(label, value) {
      if (!value) return;
      facts.appendChild(el("dt", { text: label }));
      facts.appendChild(el("dd", {}, [value]));
    }
    fact(t("admin_event_when"), [fields.start, fields.end].filter(Boolean).join(" – "));
    fact(t("admin_event_online"), fields.online ? t("admin_yes") : "");
    fact(t("admin_event_venue"), [fields["venue.name"], fields["venue.address"]].filter(Boolean).join(" "));
    fact(t("admin_event_venue_url"), fields["venue.url"] ? el("code", { text: fields["venue.url"] }) : "");
    fact(t("prefecture"), fields.prefecture && (data.prefectures[fields.prefecture] || fields.prefecture));
    fact(t("admin_event_capacity"), fields.capacity);
    fact(t("admin_event_registration"), fields.registration_url ? el("code", { text: fields.registration_url }) : "");
    fact(t("admin_event_tags"), lines(fields.tags).join("・"));
    fact(t("admin_event_organizer"), s.organizer_member
      ? el("a", { href: siteBase + "/members/" + encodeURIComponent(s.organizer_member) + "/", text: t("admin_event_member", { slug: s.organizer_member }) })
      : (fields.organizer_name || t("admin_event_no_member")));
    return el("div", { "class": "profile-preview" }, [
      el("h3", { text: fields.title }),
      facts,
      fields.body ? el("p", { "class": "muted small", text: t("admin_event_body_note") }) : null,
      fields.body ? el("div", { "class": "bio-source", text: fields.body }) : null
    ]);
  }

  // An update beside the profile as it is published, field by field.
  function updateDiff(s) {
    var after = s.fields || {};
    var before = s.current || {};
    var names = Object.keys(before).concat(Object.keys(after)).filter(function (name, i, all) {
      // Fields empty before and after (an unused link) say nothing.
      return all.indexOf(name) === i && name !== "joined" && ((before[name] || "").trim() || (after[name] || "").trim());
    });
    var rows = names.map(function (name) {
      var was = before[name] || "";
      var now = after[name] || "";
      var changed = was.trim() !== now.trim();
      return el("tr", changed ? { "class": "changed" } : {}, [
        el("th", { scope: "row", text: name }),
        el("td", {}, [el("div", { "class": "bio-source", text: was })]),
        el("td", {}, [el("div", { "class": "bio-source", text: now })]),
        el("td", { text: changed ? t("admin_changed") : "" })
      ]);
    });
    return el("div", { "class": "update-diff" }, [
      el("p", { "class": "muted small", text: t("admin_update_note") }),
      el("table", {}, [
        el("thead", {}, [el("tr", {}, [
          el("th", { scope: "col", text: t("admin_field") }),
          el("th", { scope: "col", text: t("admin_before") }),
          el("th", { scope: "col", text: t("admin_after") }),
          el("th", { scope: "col", text: "" })
        ])]),
        el("tbody", {}, rows)
      ])
    ]);
  }

  // Whether the profile address is free: the site answers 404 for a page it does not have.
  function checkSlug(slug, into) {
    fetch(siteBase + "/members/" + encodeURIComponent(slug) + "/", { method: "HEAD", cache: "no-store" })
      .then(function (response) {
        into.textContent = response.status === 404 ? t("admin_slug_free") : response.ok ? t("admin_slug_taken") : t("admin_slug_unknown");
        into.className = response.status === 404 ? "slug-free" : "error";
      }, function () { into.textContent = t("admin_slug_unknown"); });
  }

  function submissionItem(s) {
    var fields = s.fields || {};
    var removal = s.kind === "removal";
    var report = s.kind === "report";
    var announced = s.kind === "event";
    var update = s.kind === "update";
    var headingId = "submission-" + s.id;
    var slugState = el("span", { "class": "muted", text: "…" });
    var facts = el("dl", { "class": "facts" }, [
      el("dt", { text: t("admin_submitted") }), el("dd", {}, [el("time", { datetime: s.created_at, text: formatTime(s.created_at) })]),
      el("dt", { text: t("admin_confirmed") }), el("dd", {}, [el("time", { datetime: s.confirmed_at, text: formatTime(s.confirmed_at) })]),
      el("dt", { text: t("admin_slug") }), el("dd", {}, [el("code", { text: (announced ? "/events/" : "/members/") + s.slug + "/" }), " ", removal || report || announced || update ? null : slugState]),
      el("dt", { text: t("admin_proof") }), el("dd", { "class": "proof", text: t("admin_proof_" + (s.proof || "none")) })
    ]);
    var item = el("li", { "class": "card submission", "aria-labelledby": headingId, "data-id": s.id }, [
      el("h2", { id: headingId, text: removal ? t("admin_removal_of", { slug: s.slug }) : report ? t("admin_report_of", { slug: s.slug }) : update ? t("admin_update_of", { slug: s.slug }) : (fields.name || fields.title || s.slug) }),
      facts
    ]);
    if (update) {
      if (s.has_photo) item.appendChild(photoPreview(s, fields.name || s.slug));
      item.appendChild(updateDiff(s));
    } else if (announced) {
      item.appendChild(el("section", { "class": "preview", "aria-label": t("admin_event_preview") }, [
        el("p", { "class": "preview-label", text: t("admin_event_preview") }), eventPreview(s)
      ]));
    } else if (report) {
      item.appendChild(el("p", { text: t("admin_report_note") }));
      item.appendChild(el("section", { "class": "preview", "aria-label": t("admin_report_reason") }, [
        el("p", { "class": "preview-label", text: t("admin_report_reason") }), el("pre", { "class": "bio-source", text: fields.reason || "" })
      ]));
      item.appendChild(el("p", {}, [el("a", { href: siteBase + "/members/" + encodeURIComponent(s.slug) + "/", text: t("admin_view_profile") })]));
    } else if (removal) {
      item.appendChild(el("p", { text: t("admin_removal_note") }));
      item.appendChild(el("p", {}, [el("a", { href: siteBase + "/members/" + encodeURIComponent(s.slug) + "/", text: t("admin_view_profile") })]));
    } else {
      checkSlug(s.slug, slugState);
      if (s.has_photo) item.appendChild(photoPreview(s, fields.name || s.slug));
      item.appendChild(el("div", { "class": "previews" }, [
        el("section", { "class": "preview", "aria-label": t("admin_card_preview") }, [el("p", { "class": "preview-label", text: t("admin_card_preview") }), cardPreview(fields)]),
        el("section", { "class": "preview", "aria-label": t("admin_profile_preview") }, [el("p", { "class": "preview-label", text: t("admin_profile_preview") }), profilePreview(fields)])
      ]));
    }
    item.appendChild(decisionForm(s, removal));
    return item;
  }

  function decisionForm(s, removal) {
    var reasonId = "reason-" + s.id;
    var reason = el("textarea", { id: reasonId, name: "reason", rows: "2" });
    var approve = el("button", { type: "button", "class": "button", text: s.kind === "report" ? t("admin_approve_report") : removal ? t("admin_approve_removal") : t("admin_approve") });
    var reject = el("button", { type: "button", "class": "button secondary", text: t("admin_reject") });
    var label = s.kind === "removal" || s.kind === "report" ? s.slug : ((s.fields && s.fields.name) || s.slug);
    approve.addEventListener("click", function () { decide(s, "approve", null, label, [approve, reject]); });
    reject.addEventListener("click", function () {
      if (!reason.value.trim()) {
        showAlert(t("admin_reason_required"));
        reason.focus();
        return;
      }
      decide(s, "reject", reason.value.trim(), label, [approve, reject]);
    });
    return el("div", { "class": "decision field" }, [
      el("p", {}, [approve]),
      el("label", { "for": reasonId, text: t("admin_reason") }),
      reason,
      el("p", {}, [reject])
    ]);
  }

  function decide(s, action, reason, label, buttons) {
    buttons.forEach(function (b) { b.disabled = true; });
    showAlert("");
    var body = action === "reject" ? { reason: reason } : undefined;
    call("POST", "/api/moderation/submissions/" + encodeURIComponent(s.id) + "/" + action, body)
      .then(function (answer) {
        var item = document.querySelector('li[data-id="' + CSS.escape(s.id) + '"]');
        var list = item && item.parentNode;
        var next = item && (item.nextElementSibling || item.previousElementSibling);
        if (item) item.remove();
        addDecided(answer.submission || s, true);
        updateCounts();
        say(t(action === "approve" ? "admin_approved" : "admin_rejected", { what: label }));
        // Keep keyboard focus in the queue.
        var focusTarget = next && next.querySelector("button");
        if (focusTarget) focusTarget.focus();
        else if (list) list.parentNode.focus();
      }, function (failure) {
        buttons.forEach(function (b) { b.disabled = false; });
        handleFailure(failure);
      });
  }

  // ---- Lists --------------------------------------------------------------------

  function addDecided(s, first) {
    var tbody = document.querySelector("#table-decided tbody");
    var what = s.kind === "removal" ? t("admin_removal_of", { slug: s.slug }) : s.kind === "report" ? t("admin_report_of", { slug: s.slug }) : ((s.fields && s.fields.name) || s.slug);
    var decision = s.kind === "report" && s.status !== "rejected" ? t("admin_decision_report") : t("admin_decision_" + s.status);
    if (s.status === "rejected" && s.reason) decision += "（" + s.reason + "）";
    var row = el("tr", { "data-id": s.id }, [
      el("td", { text: what }),
      el("td", { text: decision }),
      el("td", { text: s.decided_by || "" }),
      el("td", {}, [el("time", { datetime: s.decided_at, text: formatTime(s.decided_at) })])
    ]);
    if (first) tbody.insertBefore(row, tbody.firstChild);
    else tbody.appendChild(row);
  }

  function updateCounts() {
    var pending = $("list-pending").children.length;
    var removals = $("list-removals").children.length;
    var decided = document.querySelector("#table-decided tbody").children.length;
    document.querySelector('[data-count="pending"]').textContent = "(" + pending + ")";
    document.querySelector('[data-count="removals"]').textContent = "(" + removals + ")";
    document.querySelector('[data-empty="pending"]').hidden = pending > 0;
    document.querySelector('[data-empty="removals"]').hidden = removals > 0;
    document.querySelector('[data-empty="decided"]').hidden = decided > 0;
    $("table-decided").hidden = decided === 0;
    return { pending: pending, removals: removals };
  }

  function showPending(items) {
    var profiles = $("list-pending");
    var removals = $("list-removals");
    items.forEach(function (s) {
      (s.kind === "removal" || s.kind === "report" ? removals : profiles).appendChild(submissionItem(s));
    });
  }

  function showDecided(lists) {
    var decided = [].concat.apply([], lists).sort(function (a, b) {
      return (b.decided_at || "").localeCompare(a.decided_at || "");
    });
    decided.forEach(function (s) { addDecided(s, false); });
  }

  // The "more" buttons show while a queue has pages left.
  function updateMore() {
    $("admin-more-pending").hidden = !cursors.pending;
    $("admin-more-decided").hidden = !(cursors.approved || cursors.rejected || cursors.exported);
    $("admin-show-exported").hidden = cursors.exported !== undefined;
  }

  function more(statuses) {
    var wanted = statuses.filter(function (status) { return cursors[status] !== null; });
    return Promise.all(wanted.map(function (status) { return list(status, cursors[status]); })).then(function (pages) {
      pages.forEach(function (page, i) { cursors[wanted[i]] = page.next; });
      return pages.map(function (page) { return page.items; });
    });
  }

  function load() {
    say(t("admin_loading"));
    cursors = { pending: undefined, approved: undefined, rejected: undefined, exported: undefined };
    return Promise.all(["pending", "approved", "rejected"].map(function (status) { return list(status); })).then(function (pages) {
      cursors.pending = pages[0].next;
      cursors.approved = pages[1].next;
      cursors.rejected = pages[2].next;
      $("list-pending").textContent = "";
      $("list-removals").textContent = "";
      document.querySelector("#table-decided tbody").textContent = "";
      showPending(pages[0].items);
      showDecided([pages[1].items, pages[2].items]);
      var counts = updateCounts();
      updateMore();
      signin.hidden = true;
      workspace.hidden = false;
      showAlert("");
      say(t(cursors.pending ? "admin_loaded_more" : "admin_loaded", counts));
    });
  }

  function loadMore(statuses, show) {
    say(t("admin_loading"));
    return more(statuses).then(function (lists) {
      show(lists);
      var counts = updateCounts();
      updateMore();
      say(t(cursors.pending ? "admin_loaded_more" : "admin_loaded", counts));
    }, handleFailure);
  }

  function handleFailure(failure) {
    if (!(failure instanceof ApiFailure)) failure = new ApiFailure("api", t("admin_failed", { error: String(failure) }));
    say("");
    showAlert(failure.message);
    if (failure.kind === "token") signOut(false);
  }

  function signOut(clearMessage) {
    token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage may be off */ }
    workspace.hidden = true;
    signin.hidden = false;
    if (clearMessage) { showAlert(""); say(""); }
    $("admin-token").focus();
  }

  // ---- Tabs (WAI-ARIA tabs: arrow keys, Home and End move between them) -------------

  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role="tab"]'));
  function select(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) tab.focus();
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { select(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  });

  // ---- Attendee lists ----------------------------------------------------------------

  document.querySelectorAll("[data-csv]").forEach(function (button) {
    button.addEventListener("click", function () {
      var slug = button.getAttribute("data-csv");
      showAlert("");
      fetch(api + "/api/moderation/events/" + encodeURIComponent(slug) + "/signups.csv", {
        headers: { Authorization: "Bearer " + token }, cache: "no-store"
      }).then(function (response) {
        if (response.status === 401) throw new ApiFailure("token", t("admin_wrong_token"));
        if (!response.ok) throw new ApiFailure("api", t("admin_failed", { error: response.status }));
        return response.blob();
      }, function () { throw new ApiFailure("network", t("admin_unreachable")); })
        .then(function (blob) {
          var link = el("a", { href: URL.createObjectURL(blob), download: slug + "-signups.csv" });
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
          say(t("admin_csv_downloaded", { slug: slug }));
        })
        .catch(handleFailure);
    });
  });

  // ---- Reported introduction requests ---------------------------------------------------

  function memberLink(slug) {
    return el("a", { href: siteBase + "/members/" + encodeURIComponent(slug) + "/", text: slug });
  }

  function suspension(slug, suspend) {
    var verb = suspend ? "suspend" : "lift";
    return call("POST", "/api/moderation/requesters/" + encodeURIComponent(slug) + "/" + verb, {}).then(function () {
      say(t(suspend ? "admin_suspended_done" : "admin_lifted_done", { slug: slug }));
      return loadIntroductions();
    }, handleFailure);
  }

  function loadIntroductions() {
    return call("GET", "/api/moderation/introductions").then(function (answer) {
      var suspended = answer.suspended || [];
      var list = $("list-introductions");
      list.textContent = "";
      (answer.reported || []).forEach(function (r) {
        var isSuspended = suspended.indexOf(r.requester) >= 0;
        var button = el("button", { type: "button", "class": "button secondary", text: t(isSuspended ? "admin_lift" : "admin_suspend", { slug: r.requester }) });
        button.addEventListener("click", function () { suspension(r.requester, !isSuspended); });
        list.appendChild(el("li", { "class": "queue-item" }, [
          el("p", {}, [memberLink(r.requester), " → ", memberLink(r.recipient), " ", el("span", { "class": "muted", text: formatTime(r.reported_at) })]),
          el("p", {}, [el("strong", { text: t("admin_report_reason") + ": " }), r.report || ""]),
          el("blockquote", { "class": "note-text" }, [el("p", { text: r.note })]),
          el("p", {}, [button])
        ]));
      });
      $("empty-introductions").hidden = (answer.reported || []).length > 0;
      var count = document.querySelector('[data-count="introductions"]');
      if (count) count.textContent = (answer.reported || []).length ? "(" + answer.reported.length + ")" : "";
      var held = $("list-suspended");
      held.textContent = "";
      suspended.forEach(function (slug) {
        var lift = el("button", { type: "button", "class": "button secondary", text: t("admin_lift", { slug: slug }) });
        lift.addEventListener("click", function () { suspension(slug, false); });
        held.appendChild(el("li", {}, [memberLink(slug), " ", lift]));
      });
      $("empty-suspended").hidden = suspended.length > 0;
    });
  }
  $("tab-introductions").addEventListener("click", function () { loadIntroductions().catch(handleFailure); });

  // ---- Signing in --------------------------------------------------------------------

  signin.addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("admin-token");
    token = field.value.trim();
    if (!token) return;
    load().then(function () {
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* kept for this page only */ }
      field.value = "";
      $("tab-pending").focus();
    }, handleFailure);
  });
  $("admin-sign-out").addEventListener("click", function () { signOut(true); });
  $("admin-more-pending").addEventListener("click", function () {
    loadMore(["pending"], function (lists) { showPending(lists[0]); });
  });
  $("admin-more-decided").addEventListener("click", function () {
    loadMore(["approved", "rejected", "exported"], showDecided);
  });
  $("admin-show-exported").addEventListener("click", function () {
    cursors.exported = null;
    list("exported").then(function (page) {
      cursors.exported = page.next;
      showDecided([page.items]);
      updateCounts();
      updateMore();
    }, handleFailure);
  });

  try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
  if (token) load().catch(handleFailure);
  else signin.hidden = false;
})();
