// Warden console: small, progressive additions. Every page works without this file.
"use strict";
(function () {
  // Forms that take time: the pressed button shows progress and cannot be pressed twice; a button with
  // data-confirm asks first (revoking a token cannot be undone).
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.hasAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      if (form.hasAttribute("data-decision-form") && button && button.getAttribute("data-action") === "deny") {
        var note = form.querySelector("textarea[name=note]");
        var problem = form.querySelector("[data-note-error]");
        if (note && note.value.trim() === "") {
          event.preventDefault();
          if (problem) { problem.hidden = false; }
          note.focus();
          return;
        }
      }
      if (button) {
        // Disabling the button would drop its formaction; mark it busy instead and refuse repeats.
        if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
        form.setAttribute("data-submitting", "1");
        button.setAttribute("aria-busy", "true");
        button.textContent = "Working…";
      }
    });
  });

  // The phone menu.
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("sections");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // Lists: j/k move a selection, Enter opens it.
  var list = document.querySelector("[data-keyboard-list] tbody");
  var rows = list ? Array.prototype.slice.call(list.querySelectorAll("tr[data-href]")) : [];
  var selected = -1;
  function select(index) {
    if (rows.length === 0) { return; }
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.setAttribute("data-selected", i === selected ? "true" : "false"); });
    var link = rows[selected].querySelector("a");
    if (link) { link.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) { return; }
    var key = event.key;
    if (rows.length > 0 && (key === "j" || key === "k")) {
      select(selected + (key === "j" ? 1 : -1));
      event.preventDefault();
      return;
    }
    if (rows.length > 0 && key === "Enter" && selected >= 0) {
      window.location.href = rows[selected].getAttribute("data-href");
      return;
    }
    // Only plain letters name shortcuts (a quote would break the selector).
    if (!/^[a-z]$/.test(key)) { return; }
    var shortcut = document.querySelector("a[data-key=" + key + "]");
    if (shortcut) { window.location.href = shortcut.getAttribute("href"); return; }
    // Approve and deny act on an appeal's decision form only, never on another page's buttons.
    var decision = document.querySelector("form[data-decision-form]");
    if (!decision) { return; }
    if (key === "a") {
      var approve = decision.querySelector("button[data-action=approve]");
      if (approve) { event.preventDefault(); approve.click(); }
    } else if (key === "d") {
      var note = decision.querySelector("textarea[name=note]");
      var deny = decision.querySelector("button[data-action=deny]");
      if (deny && note) {
        event.preventDefault();
        if (note.value.trim() === "") { note.focus(); } else { deny.click(); }
      }
    }
  });

  // A live count of pending appeals beside the Appeals link.
  var guild = document.body.getAttribute("data-guild");
  var appealsLink = document.querySelector("header nav a[href$='/appeals']");
  if (guild && appealsLink && window.fetch) {
    var badge = document.createElement("span");
    badge.className = "pill";
    badge.setAttribute("aria-label", "pending appeals");
    function refresh() {
      fetch("/console/guilds/" + encodeURIComponent(guild) + "/appeals/pending-count", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && typeof body.pending === "number") {
            badge.textContent = String(body.pending);
            if (!badge.parentNode) { appealsLink.appendChild(document.createTextNode(" ")); appealsLink.appendChild(badge); }
          }
        })
        .catch(function () { /* the count is a nicety; the page works without it */ });
    }
    refresh();
    window.setInterval(refresh, 30000);
  }
})();
