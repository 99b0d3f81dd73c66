// Keeps event lists honest between builds: an event that has ended since the site was
// built moves from "upcoming" to "past" (or leaves a list that shows only upcoming ones),
// and an event page says it has ended (and hides its sign-up form). Without script, the build-time split stands.
(function () {
  "use strict";
  var now = Date.now();
  var ended = function (el) { return Date.parse(el.getAttribute("data-ends")) <= now; };

  document.querySelectorAll("[data-upcoming]").forEach(function (list) {
    var past = document.getElementById(list.getAttribute("data-past") || "");
    Array.prototype.slice.call(list.querySelectorAll("[data-ends]")).forEach(function (item) {
      if (!ended(item)) return;
      if (past) {
        // Items leave in start order, so each one that moves is the newest of the past.
        past.insertBefore(item, past.firstChild);
        var section = past.closest("section");
        if (section) section.hidden = false;
      } else {
        item.remove();
      }
    });
    var note = list.parentNode.querySelector("[data-empty-note]");
    if (note) note.hidden = list.querySelector("[data-ends]") !== null;
  });

  document.querySelectorAll("article[data-ends]").forEach(function (article) {
    if (!ended(article)) return;
    var note = article.querySelector("[data-past-note]");
    if (note) note.hidden = false;
    article.querySelectorAll("[data-past-hide]").forEach(function (el) { el.hidden = true; });
  });
})();

// Event pages: the seats left, live from the sign-up function. Without script (or when the
// function does not answer) the page states the capacity alone.
(function () {
  "use strict";
  if (!window.fetch) return;
  document.querySelectorAll("[data-seats]").forEach(function (badge) {
    fetch(badge.getAttribute("data-seats"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (seats) {
        if (!seats || typeof seats.remaining !== "number") return;
        badge.textContent = seats.remaining > 0
          ? badge.getAttribute("data-left").replace("{n}", seats.remaining)
          : badge.getAttribute("data-full").replace("{n}", seats.waitlist);
        badge.classList.toggle("full", seats.remaining === 0);
      })
      .catch(function () { /* the capacity stays as the only statement */ });
  });
})();

// Event pages: who is coming, from the sign-up function (the number of seats taken, and
// the name and organization of those who chose to be listed). Without script the link to
// the list stays.
(function () {
  "use strict";
  if (!window.fetch) return;
  document.querySelectorAll("[data-attendees]").forEach(function (box) {
    // Asked again on every visit (a shared cache may still keep it for a minute), so that
    // someone who just took a seat finds the count up to date.
    fetch(box.getAttribute("data-attendees"), { headers: { Accept: "application/json" }, cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (list) {
        if (!list || typeof list.confirmed !== "number" || !Array.isArray(list.attendees)) return;
        var count = document.createElement("p");
        count.textContent = box.getAttribute("data-confirmed").replace("{n}", list.confirmed);
        var items = document.createElement("ul");
        items.className = "attendee-list";
        list.attendees.forEach(function (a) {
          var item = document.createElement("li");
          var name = document.createElement(a.profile ? "a" : "span");
          if (a.profile) name.href = a.profile;
          name.textContent = a.name;
          item.appendChild(name);
          if (a.organization) {
            var org = document.createElement("span");
            org.className = "meta";
            org.textContent = " " + a.organization;
            item.appendChild(org);
          }
          items.appendChild(item);
        });
        box.textContent = "";
        box.appendChild(count);
        if (list.attendees.length) box.appendChild(items);
      })
      .catch(function () { /* the link to the list stays */ });
  });
})();

// Short public forms that mail someone (an event sign-up, a profile's edit or removal
// link) need a form stamp too. It is fetched when a person starts using the form, so that
// reading a page costs the functions nothing; the form then posts as a plain form, once the
// stamp is old enough for a person to have filled it in. Without script the function
// answers with the same form, filled and stamped, to send once more.
(function () {
  "use strict";
  if (!window.fetch) return;
  Array.prototype.forEach.call(document.querySelectorAll("form[data-stamp-on-use]"), function (form) {
    var pending = null;
    var stampedAt = 0;
    var minFillMs = 3000;
    function stamp() {
      if (!pending) {
        pending = fetch(form.getAttribute("data-stamp-on-use"), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            if (!answer || !answer.form_token) return;
            form.elements.form_token.value = answer.form_token;
            minFillMs = (answer.min_fill_seconds || 0) * 1000;
            stampedAt = Date.now();
          })
          .catch(function () { /* without a stamp the function answers with its own form */ });
      }
      return pending;
    }
    form.addEventListener("focusin", stamp);
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-sending")) return;
      event.preventDefault();
      stamp().then(function () {
        var wait = form.elements.form_token.value ? Math.max(0, minFillMs - (Date.now() - stampedAt)) : 0;
        setTimeout(function () {
          form.setAttribute("data-sending", "");
          // submit() sends without the submit event: the browser has checked the fields.
          form.submit();
        }, wait);
      });
    });
  });
})();

// The join and announcement forms: check each field as it is left and send without leaving
// the page. Both also work without script: they post to the function, which answers with
// its own page (the stamp they need is fetched here, or added by that page).
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  Array.prototype.forEach.call(document.querySelectorAll("form[data-stamp]"), enhance);

  function enhance(form) {
    var text = function (name) { return form.getAttribute("data-" + name) || ""; };
    var summary = form.querySelector("[data-summary]");
    var button = form.querySelector("button[type=submit]");
    var stampedAt = 0;
    var minFillMs = 3000;

    fetch(form.getAttribute("data-stamp"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (stamp) {
        if (!stamp || !stamp.form_token) return;
        form.elements.form_token.value = stamp.form_token;
        minFillMs = (stamp.min_fill_seconds || 0) * 1000;
        stampedAt = Date.now();
      })
      .catch(function () { /* without a stamp the form posts as a plain form */ });

    function errorNode(field) {
      var id = field.id + "-error";
      var node = document.getElementById(id);
      if (!node) {
        node = document.createElement("span");
        node.id = id;
        node.className = "error";
        node.setAttribute("role", "alert");
        var holder = field.closest(".field") || field.parentNode;
        holder.appendChild(node);
        var described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", described ? described + " " + id : id);
      }
      return node;
    }

    function show(field, messages) {
      if (!field) return;
      var node = errorNode(field);
      node.textContent = messages.join(" ");
      node.hidden = messages.length === 0;
      if (messages.length) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }

    function problems(field) {
      if (field.type === "file") {
        var file = field.files && field.files[0];
        var maxBytes = Number(field.getAttribute("data-max-bytes") || 0);
        return file && maxBytes && file.size > maxBytes ? [text("photo-too-large")] : [];
      }
      var value = field.type === "checkbox" ? (field.checked ? "yes" : "") : field.value.trim();
      var found = [];
      if (field.required && !value) found.push(text("required"));
      if (value && field.type === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) found.push(text("email"));
      if (value && field.type === "url" && !/^https?:\/\/[^\s]+\.[^\s]+/.test(value)) found.push(text("url"));
      var maxLines = Number(field.getAttribute("data-max-lines") || 0);
      if (maxLines && value.split("\n").filter(function (l) { return l.trim(); }).length > maxLines) found.push(text("too-many"));
      var max = Number(field.getAttribute("maxlength") || 0);
      if (max && Array.from(value).length > max) found.push(text("too-long").replace("{n}", max));
      return found;
    }

    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.type !== "hidden" && el.name !== "homepage" && el.tagName !== "BUTTON" && el.tagName !== "FIELDSET";
      });
    }

    // A message appears when a field is left, and goes as soon as the field is fixed (while
    // typing), so that nothing moves under the pointer on the way to the next field.
    fields().forEach(function (field) {
      var check = function () { show(field, problems(field)); };
      field.addEventListener("blur", check);
      field.addEventListener("change", check);
      field.addEventListener("input", function () {
        if (field.getAttribute("aria-invalid") === "true") check();
      });
    });

    function say(message, isError) {
      summary.textContent = message;
      summary.hidden = !message;
      summary.classList.toggle("error", !!isError);
    }

    form.addEventListener("submit", function (event) {
      if (!form.elements.form_token.value) return; // no stamp: post as a plain form
      event.preventDefault();
      var first = null;
      fields().forEach(function (field) {
        var found = problems(field);
        show(field, found);
        if (found.length && !first) first = field;
      });
      if (first) {
        say(text("check"), true);
        first.focus();
        return;
      }
      // Sent as the form would send it (multipart, with the photo), answered in JSON.
      var body = new FormData(form);
      button.disabled = true;
      say(text("sending"), false);
      // The function takes a form filled sooner than a person could as automated.
      var wait = Math.max(0, minFillMs - (Date.now() - stampedAt));
      setTimeout(function () {
        fetch(form.action, {
          method: "POST",
          headers: { Accept: "application/json" },
          body: body
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) {
            if (response.ok) {
              var done = document.createElement("p");
              done.className = "status";
              done.setAttribute("role", "status");
              done.setAttribute("tabindex", "-1");
              done.textContent = text("sent");
              form.replaceWith(done);
              done.focus();
              return;
            }
            button.disabled = false;
            if (answer.errors) {
              var focus = null;
              Object.keys(answer.errors).forEach(function (name) {
                var field = form.elements[name] || form.elements[name.split(".")[0]];
                if (field && field.nodeType === 1) {
                  show(field, answer.errors[name]);
                  if (!focus) focus = field;
                }
              });
              say(text("check"), true);
              if (focus) focus.focus();
            } else {
              say(answer.error || text("failed"), true);
            }
          });
        }).catch(function () {
          button.disabled = false;
          say(text("failed"), true);
        });
      }, wait);
    });
  }
})();

// An introduction asked for from someone's people to meet: open the form and fill in the
// asker's profile (the link carries it; without script the form is just empty).
(function () {
  "use strict";
  var form = document.getElementById("introduce");
  if (!form || !window.URLSearchParams) return;
  var from = new URLSearchParams(window.location.search).get("from");
  if (from && /^[a-z0-9][a-z0-9-]*$/.test(from) && !form.elements.from.value) form.elements.from.value = from;
  if (window.location.hash === "#introduce") {
    var details = form.closest("details");
    if (details) details.open = true;
  }
})();
