/* hushdesk chat widget loader.
 * Embed: <script src="https://support.example.com/widget.js" data-hushdesk-key="pk_..." async></script>
 * Adds a launcher button; the chat itself runs in an iframe on the hushdesk origin, so the host page never
 * sees the conversation and the conversation never sees the host page. Styles are set through the CSSOM,
 * which works under a strict Content-Security-Policy on the host page.
 */
(function () {
  "use strict";
  if (window.__hushdeskWidget) { return; }
  var script = document.currentScript || document.querySelector("script[data-hushdesk-key]");
  if (!script) { return; }
  var key = script.getAttribute("data-hushdesk-key") || "";
  var base = new URL(script.src, window.location.href).origin;
  var frameUrl = base + "/widget/frame?key=" + encodeURIComponent(key);
  var frame = null;
  var isOpen = false;
  var Z = "2147483000";
  window.__hushdeskWidget = { version: 1 };

  function css(el, styles) {
    Object.keys(styles).forEach(function (name) { el.style[name] = styles[name]; });
  }

  function icon(open) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", open
      ? "M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z"
      : "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("data-hushdesk", "launcher");
  button.setAttribute("aria-label", "Open chat");
  button.setAttribute("aria-expanded", "false");
  css(button, {
    position: "fixed", right: "20px", bottom: "20px", width: "56px", height: "56px", borderRadius: "50%",
    border: "0", padding: "0", margin: "0", background: "#4338ca", color: "#fff", cursor: "pointer",
    boxShadow: "0 6px 20px rgba(15, 23, 42, 0.25)", zIndex: Z, display: "flex", alignItems: "center",
    justifyContent: "center"
  });
  button.appendChild(icon(false));

  function ensureFrame() {
    if (frame) { return frame; }
    frame = document.createElement("iframe");
    frame.src = frameUrl;
    frame.title = "Chat";
    frame.setAttribute("data-hushdesk", "frame");
    frame.setAttribute("referrerpolicy", "no-referrer");
    css(frame, {
      position: "fixed", right: "20px", bottom: "88px", width: "370px", height: "560px",
      maxWidth: "calc(100vw - 40px)", maxHeight: "calc(100vh - 108px)", border: "0", borderRadius: "14px",
      boxShadow: "0 12px 40px rgba(15, 23, 42, 0.28)", background: "#fff", zIndex: Z, display: "none"
    });
    document.body.appendChild(frame);
    return frame;
  }

  function setOpen(open) {
    isOpen = open;
    ensureFrame().style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.setAttribute("aria-label", open ? "Close chat" : "Open chat");
    button.replaceChildren(icon(open));
    if (open && frame.contentWindow) {
      frame.contentWindow.postMessage({ hushdesk: "opened" }, base);
    }
  }

  button.addEventListener("click", function () { setOpen(!isOpen); });
  window.addEventListener("message", function (event) {
    if (event.origin !== base || !frame || event.source !== frame.contentWindow) { return; }
    var data = event.data || {};
    if (data.hushdesk === "close") { setOpen(false); }
    if (data.hushdesk === "ready" && isOpen) { frame.contentWindow.postMessage({ hushdesk: "opened" }, base); }
  });

  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
