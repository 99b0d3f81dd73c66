// portal serve only (never in `portal build` output): reloads the page when the site is
// rebuilt, and shows a content error over the page until it is fixed.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var overlay = null;
  var source = new EventSource("/__portal/events");
  source.addEventListener("reload", function () { window.location.reload(); });
  source.addEventListener("ok", function () { hide(); });
  source.addEventListener("problem", function (event) {
    try { show(JSON.parse(event.data)); } catch (e) { /* a malformed notice changes nothing */ }
  });

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function element(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (style) node.setAttribute("style", style);
    return node;
  }

  function show(problem) {
    hide();
    overlay = element("div", null,
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,28,.94);" +
      "color:#fff;font:15px/1.6 system-ui,sans-serif;padding:24px");
    overlay.id = "portal-problem";
    overlay.setAttribute("role", "alert");
    var box = element("div", null, "max-width:60rem;margin:0 auto");
    box.appendChild(element("h2", "内容にエラーがあります / The content has an error", "margin:0 0 .5em;font-size:1.3em;color:#ff9b9b"));
    box.appendChild(element("p", problem.summary || ""));
    var list = element("ul", null, "padding-left:1.2em");
    (problem.items || []).forEach(function (item) {
      var li = element("li", null, "margin:.8em 0");
      var place = item.file + (item.line ? ":" + item.line + ":" + item.column : "");
      li.appendChild(element("code", place, "color:#9bd1ff;word-break:break-all"));
      li.appendChild(element("div", item.message));
      if (item.hint) li.appendChild(element("div", "ヒント / hint: " + item.hint, "color:#c9e7a8"));
      list.appendChild(li);
    });
    box.appendChild(list);
    var close = element("button", "閉じる / Close", "font:inherit;padding:.3em 1em;cursor:pointer");
    close.type = "button";
    close.addEventListener("click", hide);
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }
})();
