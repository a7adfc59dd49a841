/* The chat frame (runs on the hushdesk origin inside the widget's iframe).
 *
 * Reliability: every message gets a client_message_id and sits in a localStorage outbox until the server
 * acknowledges it (after commit). After any reconnect the frame reloads the history (de-duplicated by message
 * id) and resends what is still unacknowledged with the same id; the server stores each id once. So a dropped
 * socket, a lost ack or a reload loses nothing and duplicates nothing. Text is rendered with textContent only.
 */
(function () {
  "use strict";
  var body = document.body;
  var key = body.getAttribute("data-key") || "";
  var prechatOn = body.getAttribute("data-prechat") === "on";
  var K_TOKEN = "hushdesk:" + key + ":token";
  var K_OUTBOX = "hushdesk:" + key + ":outbox";
  var RETRYABLE = { rate_limited: true, internal_error: true };

  var list = document.getElementById("chat-messages");
  var main = document.getElementById("chat-main");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var prechat = document.getElementById("prechat");
  var statusEl = document.getElementById("chat-status");
  var errorEl = document.getElementById("chat-error");

  var ws = null;
  var ready = false;
  var attempts = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var stopped = false;
  var starting = null;
  var byId = {};      // message_id -> element
  var pending = {};   // client_message_id -> element
  var inflight = {};  // client_message_id -> sent on the current socket (each id goes out once per socket)

  var memory = {};
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return memory[k] || null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { memory[k] = v; } },
    remove: function (k) { try { window.localStorage.removeItem(k); } catch (e) { delete memory[k]; } }
  };

  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function outbox() {
    try { var v = JSON.parse(store.get(K_OUTBOX) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function saveOutbox(items) {
    if (items.length) { store.set(K_OUTBOX, JSON.stringify(items)); } else { store.remove(K_OUTBOX); }
  }
  function dropFromOutbox(cmid) {
    saveOutbox(outbox().filter(function (item) { return item.id !== cmid; }));
  }

  function setStatus(text, state) {
    statusEl.textContent = text;
    statusEl.setAttribute("data-state", state);
  }
  function showError(text) {
    errorEl.textContent = text || "";
    errorEl.hidden = !text;
  }

  function timeText(iso) {
    var d = iso ? new Date(iso) : new Date();
    return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function bubble(kind, text, iso) {
    var li = document.createElement("li");
    li.className = "chat-msg " + (kind === "inbound" ? "chat-msg-me" : "chat-msg-them");
    var p = document.createElement("div");
    p.className = "chat-text";
    p.textContent = text;
    var meta = document.createElement("div");
    meta.className = "chat-meta";
    meta.textContent = timeText(iso);
    li.appendChild(p);
    li.appendChild(meta);
    return li;
  }

  function scrollDown() { main.scrollTop = main.scrollHeight; }

  function markDelivered(el, messageId) {
    el.classList.remove("is-pending", "is-failed");
    el.setAttribute("data-message-id", messageId);
    byId[messageId] = el;
  }

  function attachAudio(el, clipId) {
    // A spoken version of a reply: fetched with the visitor token (never a bare URL), played from a blob.
    if (!el || !clipId || el.querySelector(".chat-audio")) { return; }
    var box = document.createElement("div");
    box.className = "chat-audio";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "chat-play";
    button.textContent = "\u25B6 Play spoken reply";
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch("/widget/api/audio/" + encodeURIComponent(clipId) + "?key=" + encodeURIComponent(key), {
        headers: { "Authorization": "Bearer " + store.get(K_TOKEN) }, cache: "no-store", credentials: "omit"
      }).then(function (res) {
        if (!res.ok) { throw new Error("audio " + res.status); }
        return res.blob();
      }).then(function (blob) {
        var audio = document.createElement("audio");
        audio.controls = true;
        audio.src = URL.createObjectURL(blob);
        box.replaceChildren(audio);
        audio.play().catch(function () { /* autoplay refused: the controls are there */ });
      }).catch(function () {
        button.disabled = false;
        button.textContent = "Audio unavailable, try again";
      });
    });
    box.appendChild(button);
    el.insertBefore(box, el.querySelector(".chat-meta"));
  }

  function render(msg) {
    if (byId[msg.message_id]) { attachAudio(byId[msg.message_id], msg.audio_clip_id); return; }
    var cmid = msg.client_message_id;
    if (cmid && pending[cmid]) {
      markDelivered(pending[cmid], msg.message_id);
      delete pending[cmid];
      if (msg.kind === "inbound") { dropFromOutbox(cmid); }
      return;
    }
    var el = bubble(msg.kind, msg.body, msg.created_at);
    markDelivered(el, msg.message_id);
    if (msg.kind === "outbound") { attachAudio(el, msg.audio_clip_id); }
    list.appendChild(el);
    scrollDown();
  }

  function renderPending(item) {
    if (pending[item.id]) { return; }
    var el = bubble("inbound", item.body, null);
    el.classList.add("is-pending");
    el.setAttribute("data-client-message-id", item.id);
    pending[item.id] = el;
    list.appendChild(el);
    scrollDown();
  }

  function renderHistory(messages) {
    // Rebuild from the server's truth, then put back what is still waiting for an ack.
    list.replaceChildren();
    byId = {};
    pending = {};
    var stored = {};
    messages.forEach(function (m) {
      if (m.client_message_id) { stored[m.client_message_id] = true; }
      render(m);
    });
    var waiting = outbox().filter(function (item) { return !stored[item.id]; });
    saveOutbox(waiting);
    waiting.forEach(renderPending);
  }

  function sendFrame(obj) {
    if (ws && ready && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }

  function sendItem(item) {
    if (inflight[item.id]) { return true; }
    if (sendFrame({ type: "message", client_message_id: item.id, body: item.body })) {
      inflight[item.id] = true;
      return true;
    }
    return false;
  }

  function flushOutbox() { outbox().forEach(sendItem); }

  function resetSession() {
    store.remove(K_TOKEN);
    ready = false;
    if (prechatOn && !outbox().length) { showPrechat(); } else { ensureSession(null, null).then(connect, retryLater); }
  }

  function fetchHistory() {
    var token = store.get(K_TOKEN);
    return fetch("/widget/api/history?key=" + encodeURIComponent(key), {
      headers: { "Authorization": "Bearer " + token }, cache: "no-store", credentials: "omit"
    }).then(function (res) {
      if (res.status === 401) { throw new Error("session"); }
      if (!res.ok) { throw new Error("history " + res.status); }
      return res.json();
    }).then(function (data) { renderHistory(data.messages || []); });
  }

  function onFrame(m) {
    if (m.type === "ready") {
      ready = true;
      attempts = 0;
      setStatus("Online", "online");
      showError("");
      fetchHistory().then(flushOutbox, function (err) {
        if (err && err.message === "session") { resetSession(); } else { flushOutbox(); }
      });
    } else if (m.type === "ack") {
      dropFromOutbox(m.client_message_id);
      var el = pending[m.client_message_id];
      delete pending[m.client_message_id];
      if (el && byId[m.message_id] && byId[m.message_id] !== el) { el.remove(); }
      else if (el) { markDelivered(el, m.message_id); }
    } else if (m.type === "message") {
      render(m);
    } else if (m.type === "audio") {
      attachAudio(byId[m.message_id], m.audio_clip_id);
    } else if (m.type === "error") {
      if (m.client_message_id && !RETRYABLE[m.code]) {
        dropFromOutbox(m.client_message_id);
        var failed = pending[m.client_message_id];
        delete pending[m.client_message_id];
        if (failed) {
          failed.classList.remove("is-pending");
          failed.classList.add("is-failed");
          var note = document.createElement("div");
          note.className = "chat-failed";
          note.textContent = "Not sent: " + (m.message || "error");
          failed.appendChild(note);
        }
      } else if (m.client_message_id) {
        delete inflight[m.client_message_id];
        window.setTimeout(flushOutbox, 3000);
      } else {
        showError(m.message || "Something went wrong.");
      }
    }
  }

  function retryLater() {
    if (stopped || reconnectTimer) { return; }
    var delay = Math.min(10000, 400 * Math.pow(2, attempts)) + Math.floor(Math.random() * 300);
    attempts += 1;
    setStatus("Reconnecting…", "offline");
    reconnectTimer = window.setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  function connect() {
    if (stopped || ws) { return; }
    var token = store.get(K_TOKEN);
    if (!token) { return; }
    setStatus("Connecting…", "connecting");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/widget/ws?key=" + encodeURIComponent(key));
    ws = socket;
    inflight = {};
    socket.onopen = function () { socket.send(JSON.stringify({ type: "auth", token: token })); };
    socket.onmessage = function (event) {
      var m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (socket === ws) { onFrame(m); }
    };
    socket.onclose = function (event) {
      if (socket !== ws) { return; }
      ws = null;
      ready = false;
      if (event.code === 4404) { stopped = true; setStatus("Unavailable", "offline"); showError("This chat is not available."); return; }
      if (event.code === 4403) { stopped = true; setStatus("Unavailable", "offline"); showError("Chat is not enabled for this website."); return; }
      if (event.code === 4401) { resetSession(); return; }
      retryLater();
    };
  }

  function ensureSession(name, email, website) {
    if (store.get(K_TOKEN)) { return Promise.resolve(store.get(K_TOKEN)); }
    if (starting) { return starting; }
    starting = fetch("/widget/api/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      // website: the hidden honeypot field; people leave it empty (see chat.css .prechat-hp)
      body: JSON.stringify({ key: key, name: name || null, email: email || null, website: website || null })
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) { throw new Error((data.error && data.error.message) || "could not start the chat"); }
        store.set(K_TOKEN, data.token);
        return data.token;
      });
    }).finally(function () { starting = null; });
    return starting;
  }

  function showPrechat() {
    prechat.hidden = false;
    form.hidden = true;
  }
  function showChat() {
    prechat.hidden = true;
    form.hidden = false;
  }

  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(prechat);
    ensureSession(String(data.get("name") || "").trim(), String(data.get("email") || "").trim(),
                  String(data.get("website") || ""))
      .then(function () { showError(""); showChat(); input.focus(); connect(); })
      .catch(function (err) { showError(err.message); });
  });

  function submitMessage() {
    var text = input.value;
    if (!text.trim()) { return; }
    var item = { id: uuid(), body: text };
    var items = outbox();
    items.push(item);
    saveOutbox(items);
    renderPending(item);
    input.value = "";
    if (!sendItem(item)) {
      ensureSession(null, null).then(connect).catch(function (err) { showError(err.message); retryLater(); });
    }
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); submitMessage(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submitMessage(); }
  });
  document.getElementById("chat-close").addEventListener("click", function () {
    window.parent.postMessage({ hushdesk: "close" }, "*");
  });
  window.addEventListener("message", function (event) {
    if (event.data && event.data.hushdesk === "opened" && !form.hidden) { input.focus(); }
  });
  window.addEventListener("online", function () {
    if (reconnectTimer) { window.clearTimeout(reconnectTimer); reconnectTimer = null; }
    connect();
  });
  pingTimer = window.setInterval(function () { sendFrame({ type: "ping" }); }, 25000);

  if (store.get(K_TOKEN)) {
    showChat();
    outbox().forEach(renderPending);  // unsent messages survive a reload; they go out once connected
    connect();
  } else if (prechatOn) {
    showPrechat();
  } else {
    showChat();
  }
  window.parent.postMessage({ hushdesk: "ready" }, "*");
})();
