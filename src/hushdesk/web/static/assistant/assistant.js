/* hushdesk assistant panel: AI draft editing (unfilled placeholders block sending), "Insert into reply box"
 * (the composer then sends through the draft endpoint, so the message keeps its AI label), and suggested
 * articles while the agent types (debounced). No inline handlers anywhere (strict CSP); text via textContent.
 */
(function () {
  "use strict";
  var PLACEHOLDER = /<\s*[A-Za-z][A-Za-z_]*?\s*_\s*\d+\s*>/g;

  function unfilled(text) {
    var found = text.match(PLACEHOLDER) || [];
    return found.filter(function (p, i) { return found.indexOf(p) === i; });
  }
  function composerBox() { return document.querySelector("#composer textarea[name=body]"); }

  // -- the draft: live check of placeholders while the agent edits it ------------------------------------
  function refreshDraft(form) {
    var box = form.querySelector("#ai-draft-text");
    var left = unfilled(box.value);
    var note = form.querySelector("#ai-unfilled");
    var list = note.querySelector(".ai-unfilled-list");
    list.replaceChildren();
    left.forEach(function (p) {
      var mark = document.createElement("mark");
      mark.textContent = p;
      list.appendChild(mark);
      list.appendChild(document.createTextNode(" "));
    });
    note.hidden = left.length === 0;
    var preview = form.querySelector("#ai-draft-preview");
    if (preview) {
      preview.replaceChildren();
      var pos = 0;
      box.value.replace(PLACEHOLDER, function (match, offset) {
        preview.appendChild(document.createTextNode(box.value.slice(pos, offset)));
        var m = document.createElement("mark");
        m.textContent = match;
        preview.appendChild(m);
        pos = offset + match.length;
        return match;
      });
      preview.appendChild(document.createTextNode(box.value.slice(pos)));
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-ai-insert], [data-ai-send]"), function (b) {
      b.disabled = left.length > 0 || !box.value.trim();
    });
  }

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t.id === "ai-draft-text" && t.form) { refreshDraft(t.form); }
    if (t.matches && t.matches("#composer textarea[name=body]")) { scheduleArticles(t.value); }
  });

  document.addEventListener("click", function (event) {
    var btn = event.target.closest && event.target.closest("[data-ai-insert]");
    if (!btn) { return; }
    var form = btn.form;
    var box = composerBox();
    if (!form || !box) { return; }
    box.value = form.querySelector("#ai-draft-text").value;
    var composer = document.getElementById("composer");
    composer.setAttribute("data-ai-send-url", form.getAttribute("data-send-url"));
    var reply = composer.querySelector("input[name=kind][value=reply]");
    if (reply) { reply.checked = true; }
    box.focus();
  });

  // A reply that started as an AI draft goes through the draft endpoint: it is refused while a placeholder
  // is unfilled, and the sent message keeps its AI label.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "composer") { return; }
    var url = elt.getAttribute("data-ai-send-url");
    var kind = elt.querySelector("input[name=kind]:checked");
    if (!url || (kind && kind.value !== "reply")) { return; }
    var box = composerBox();
    var left = unfilled(box ? box.value : "");
    if (left.length) {
      event.preventDefault();
      window.alert("Replace these placeholders before sending: " + left.join(", "));
      return;
    }
    event.detail.path = url;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !event.detail.successful) { return; }
    if (elt.id === "composer") { elt.removeAttribute("data-ai-send-url"); }
    if (elt.id === "ai-draft" || (elt.id === "composer" && event.detail.pathInfo &&
        /\/assistant\/drafts\//.test(event.detail.pathInfo.requestPath || ""))) {
      var result = document.getElementById("assistant-result");
      if (result) {
        result.replaceChildren();
        var p = document.createElement("p");
        p.className = "muted small";
        p.textContent = "Draft sent.";
        result.appendChild(p);
      }
    }
  });

  // -- suggested articles while the agent types (debounced) ----------------------------------------------
  var timer = null;
  var lastQuery = null;
  function scheduleArticles(text) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var target = document.getElementById("assistant-articles");
      var query = text.trim().slice(0, 500);
      if (!target || !window.htmx || query === lastQuery) { return; }
      lastQuery = query;
      window.htmx.ajax("GET", target.getAttribute("data-url") + "?q=" + encodeURIComponent(query),
                       { target: target, swap: "innerHTML" });
    }, 400);
  }
})();
