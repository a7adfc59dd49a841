/* Incidents: the 72-hour authority deadline counts down in place. The server renders the same text on every
   load (this only keeps an open page current); elements carry data-deadline-live only while the clock runs. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function describe(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var span = Math.floor(minutes / 60) + " h " + pad(minutes % 60) + " min";
    return ms < 0 ? "overdue by " + span : span + " left";
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("[data-deadline-live]"), function (el) {
      var ms = new Date(el.getAttribute("data-deadline-live")).getTime() - now;
      if (isNaN(ms)) { return; }
      var label = el.querySelector(".deadline-text");
      if (label) { label.textContent = describe(ms); }
      el.classList.toggle("deadline-overdue", ms < 0);
      var row = el.closest("tr[data-incident-id]");
      if (row) { row.classList.toggle("is-overdue", ms < 0); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 30000);
  });
})();
