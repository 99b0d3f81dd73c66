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
