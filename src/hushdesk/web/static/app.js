/* hushdesk agent UI: local times, htmx glue, the composer (canned replies, Ctrl+Enter), and the live socket.
 * Message text from the socket is rendered with textContent only; no inline handlers anywhere (strict CSP).
 */
(function () {
  "use strict";
  var body = document.body;

  // -- local times --------------------------------------------------------------------------------------
  var fmtTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var fmtDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  var fmtDate = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
  function formatTime(el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) { return; }
    var now = new Date();
    if (el.getAttribute("data-format") === "date") { el.textContent = fmtDate.format(d); }
    else if (d.toDateString() === now.toDateString()) { el.textContent = fmtTime.format(d); }
    else { el.textContent = fmtDay.format(d) + " " + fmtTime.format(d); }
    el.title = d.toLocaleString();
  }
  function formatTimes(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("time[datetime]"), formatTime);
  }

  // -- small helpers ------------------------------------------------------------------------------------
  var toastTimer = null;
  function toast(text, kind) {
    var el = document.getElementById("toast");
    if (!el) { return; }
    el.textContent = text;
    el.className = "toast toast-" + (kind || "info");
    el.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { el.hidden = true; }, 5000);
  }
  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function errorText(xhr) {
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var el = doc.querySelector(".error-message, .alert-error");
      if (el && el.textContent.trim()) { return el.textContent.trim(); }
    } catch (e) { /* fall through */ }
    return "Request failed (" + xhr.status + ")";
  }

  // -- page behaviour -----------------------------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("select[data-autosubmit]") && t.form) { t.form.requestSubmit(); }
  });
  document.addEventListener("submit", function (event) {
    var f = event.target;
    var question = f.getAttribute && f.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
  document.addEventListener("click", function (event) {
    var btn = event.target.closest && event.target.closest("[data-copy]");
    if (!btn) { return; }
    var src = document.querySelector(btn.getAttribute("data-copy"));
    if (src && navigator.clipboard) {
      navigator.clipboard.writeText(src.textContent.trim()).then(function () { toast("Copied", "ok"); });
    }
  });

  body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname); return; }
    toast(errorText(xhr), "error");
  });
  body.addEventListener("htmx:sendError", function () { toast("Network error: nothing was sent. Try again.", "error"); });
  body.addEventListener("htmx:afterSwap", function (event) {
    formatTimes(event.detail.target);
    dedupeMessages();
    if (event.detail.target.id === "messages") { scrollMessages(true); }
  });

  // -- messages -----------------------------------------------------------------------------------------
  function messagesEl() { return document.getElementById("messages"); }
  function scrollMessages(force) {
    var el = messagesEl();
    if (!el) { return; }
    var nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 160;
    if (force || nearBottom) { el.scrollTop = el.scrollHeight; }
  }
  function dedupeMessages() {
    // A message can arrive twice: live over the socket and in the reply's own response. The copy rendered by
    // the server knows more (the AI badge of a sent draft is not in the live event), so the later copy takes
    // the first one's place; under load the live copy often came first and the badge went missing.
    var first = {};
    Array.prototype.forEach.call(document.querySelectorAll("#messages [data-message-id]"), function (el) {
      var id = el.getAttribute("data-message-id");
      if (first[id]) { first[id].replaceWith(el); }
      first[id] = el;
    });
  }
  function badge(cls, text, title) {
    var span = document.createElement("span");
    span.className = "badge " + cls;
    span.textContent = text;
    if (title) { span.title = title; }
    return span;
  }
  function appendMessage(m) {
    var list = messagesEl();
    if (!list || list.querySelector('[data-message-id="' + CSS.escape(m.id) + '"]')) { return; }
    var li = document.createElement("li");
    li.className = "msg msg-" + m.kind;
    li.setAttribute("data-message-id", m.id);
    var head = document.createElement("div");
    head.className = "msg-head";
    var author = document.createElement("span");
    author.className = "msg-author";
    author.textContent = m.author;
    head.appendChild(author);
    if (m.kind === "note") { head.appendChild(badge("badge-note", "Internal note")); }
    if (m.ai) { head.appendChild(badge("badge-ai", "AI", "Written by the assistant or sent from an AI draft")); }
    if (m.redacted) { head.appendChild(badge("badge-redacted", "redacted", "Personal data is replaced by placeholders for your role")); }
    var time = document.createElement("time");
    time.setAttribute("datetime", m.created_at);
    formatTime(time);
    head.appendChild(time);
    var text = document.createElement("div");
    text.className = "msg-body";
    text.textContent = m.body;
    li.appendChild(head);
    li.appendChild(text);
    var stick = list.scrollHeight - list.scrollTop - list.clientHeight < 160;
    list.appendChild(li);
    if (stick) { list.scrollTop = list.scrollHeight; }
  }

  // -- composer -----------------------------------------------------------------------------------------
  var composer = document.getElementById("composer");
  if (composer) {
    var textarea = composer.querySelector("textarea[name=body]");
    var picker = document.getElementById("canned-picker");
    var suggestions = document.getElementById("canned-suggestions");
    var canned = picker ? Array.prototype.slice.call(picker.options, 1).map(function (o) {
      return { shortcut: o.value, body: o.getAttribute("data-body") || "", title: o.getAttribute("data-title") || "" };
    }) : [];
    var matches = [];
    var active = 0;

    var slashToken = function () {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var m = /(^|\s)\/([a-z0-9_-]*)$/.exec(before);
      return m ? { start: before.length - m[2].length - 1, word: m[2] } : null;
    };
    var insertCanned = function (reply) {
      var token = slashToken();
      var start = token ? token.start : textarea.selectionStart;
      var end = textarea.selectionStart;
      textarea.setRangeText(reply.body, start, end, "end");
      hideSuggestions();
      textarea.focus();
    };
    var hideSuggestions = function () { matches = []; suggestions.hidden = true; suggestions.replaceChildren(); };
    var showSuggestions = function () {
      var token = slashToken();
      matches = token ? canned.filter(function (c) { return c.shortcut.indexOf(token.word) === 0; }) : [];
      if (!matches.length) { hideSuggestions(); return; }
      active = Math.min(active, matches.length - 1);
      suggestions.replaceChildren();
      matches.forEach(function (c, i) {
        var li = document.createElement("li");
        li.className = i === active ? "is-active" : "";
        var code = document.createElement("code");
        code.textContent = "/" + c.shortcut;
        var title = document.createElement("span");
        title.textContent = " " + c.title;
        li.appendChild(code);
        li.appendChild(title);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); insertCanned(c); });
        suggestions.appendChild(li);
      });
      suggestions.hidden = false;
    };

    textarea.addEventListener("input", function () { active = 0; if (canned.length) { showSuggestions(); } });
    textarea.addEventListener("keydown", function (event) {
      if (matches.length) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
          showSuggestions();
          return;
        }
        if (event.key === "Tab" || (event.key === "Enter" && !event.ctrlKey && !event.metaKey)) {
          event.preventDefault();
          insertCanned(matches[active]);
          return;
        }
        if (event.key === "Escape") { hideSuggestions(); return; }
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); composer.requestSubmit(); }
    });
    if (picker) {
      picker.addEventListener("change", function () {
        var reply = canned.filter(function (c) { return c.shortcut === picker.value; })[0];
        if (reply) { textarea.setRangeText(reply.body, textarea.selectionStart, textarea.selectionEnd, "end"); }
        picker.value = "";
        textarea.focus();
      });
    }
    composer.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== composer || !event.detail.successful) { return; }
      textarea.value = "";
      composer.querySelector("input[name=client_message_id]").value = uuid();
      hideSuggestions();
    });
  }

  // -- live updates -------------------------------------------------------------------------------------
  var liveEl = document.getElementById("live-status");
  function setLive(state) {
    if (!liveEl) { return; }
    liveEl.setAttribute("data-state", state);
    liveEl.querySelector(".live-label").textContent = state === "live" ? "live" : (state === "connecting" ? "connecting…" : "offline");
  }
  var refreshTimer = null;
  function refreshInbox() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(function () {
      if (window.htmx) { window.htmx.trigger(body, "hd:inbox-changed"); }
    }, 250);
  }
  function resyncMessages(conversationId) {
    if (window.htmx && messagesEl()) {
      window.htmx.ajax("GET", "/conversations/" + encodeURIComponent(conversationId) + "/messages",
        { target: "#messages", swap: "outerHTML" });
    }
  }

  function connectLive() {
    var conversationId = body.getAttribute("data-conversation-id");
    var attempts = 0;
    var everReady = false;
    var open = function () {
      setLive("connecting");
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(scheme + window.location.host + "/ws/agent");
      ws.onmessage = function (event) {
        var m;
        try { m = JSON.parse(event.data); } catch (e) { return; }
        if (m.type === "ready") {
          attempts = 0;
          setLive("live");
          if (conversationId) { ws.send(JSON.stringify({ type: "watch", conversation_id: conversationId })); }
          if (everReady) { refreshInbox(); if (conversationId) { resyncMessages(conversationId); } }
          everReady = true;
        } else if (m.type === "conversation.updated") {
          refreshInbox();
        } else if (m.type === "message" && m.conversation_id === conversationId) {
          appendMessage(m);
        } else if (m.type === "error" && m.code === "not_found") {
          toast("This conversation is not available.", "error");
        }
      };
      ws.onclose = function (event) {
        setLive("offline");
        if (event.code === 4401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname); return; }
        if (event.code === 4403) { return; }
        var delay = Math.min(15000, 500 * Math.pow(2, attempts)) + Math.floor(Math.random() * 400);
        attempts += 1;
        window.setTimeout(open, delay);
      };
    };
    open();
  }

  function init() {
    formatTimes(document);
    scrollMessages(true);
    if (body.getAttribute("data-live") === "agent" && "WebSocket" in window) { connectLive(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
