// The weekly session (weekoverleg): a countdown timer, one-key shortcuts, and focus on the
// item being discussed. Progressive enhancement: without this file every action is a
// normal button, and the remaining minutes are in the page as text.
(function () {
  "use strict";

  var SHORTCUTS_KEY = "rk-triage-shortcuts";

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function stored(storage, key) {
    try {
      return window[storage].getItem(key);
    } catch (error) {
      return null; // storage switched off: behave as on a first visit
    }
  }

  function store(storage, key, value) {
    try {
      window[storage].setItem(key, value);
    } catch (error) {
      /* not remembered; harmless */
    }
  }

  // --- timer ---------------------------------------------------------------------------

  function timer(sessionId) {
    var box = document.querySelector("[data-triage-timer]");
    var clock = document.getElementById("triage-timer");
    var live = document.getElementById("triage-timer-alert");
    if (!box || !clock || !live) {
      return;
    }
    var started = Date.parse(box.getAttribute("data-started-at"));
    var serverNow = Date.parse(box.getAttribute("data-server-now"));
    var minutes = parseInt(box.getAttribute("data-minutes"), 10);
    if (isNaN(started) || isNaN(serverNow) || isNaN(minutes)) {
      return;
    }
    // Count on the server's clock: this computer's clock may be a few minutes off.
    var offset = serverNow - Date.now();
    var end = started + minutes * 60000;
    var interval = null;

    // Each announcement once per session, also across the page loads after every action.
    function announceOnce(which, text) {
      var key = "rk-triage-" + sessionId + "-announced-" + which;
      if (stored("sessionStorage", key)) {
        return;
      }
      store("sessionStorage", key, "1");
      // A moment after loading, so screen readers have picked up the live region.
      window.setTimeout(function () {
        live.textContent = text;
      }, 800);
    }

    function tick() {
      var left = Math.max(0, Math.ceil((end - (Date.now() + offset)) / 1000));
      if (left <= 0) {
        // The texts come from the page, in the reader's language (data-over, data-announce-*).
        clock.textContent = box.getAttribute("data-over");
        box.classList.add("rk-triage-timer--over");
        announceOnce("0", box.getAttribute("data-announce-over"));
        if (interval !== null) {
          window.clearInterval(interval);
        }
        return;
      }
      clock.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (left <= 300) {
        box.classList.add("rk-triage-timer--last");
        var rest = Math.ceil(left / 60);
        announceOnce("5", box.getAttribute("data-announce-" + Math.min(5, rest)));
      }
    }

    tick();
    if (!box.classList.contains("rk-triage-timer--over")) {
      interval = window.setInterval(tick, 1000);
    }
  }

  // --- keyboard shortcuts --------------------------------------------------------------

  // Typing in these must never trigger a shortcut (a select uses letters to pick options).
  function isTextEntry(element) {
    if (!element) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var type = (element.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "image", "range", "color", "file"].indexOf(type) === -1;
    }
    return false;
  }

  function shortcuts(root) {
    var box = document.querySelector("[data-triage-shortcuts]");
    var toggle = document.getElementById("triage-shortcuts-on");
    if (!box || !toggle) {
      return;
    }

    function target(key) {
      switch (key) {
        case "n":
          return document.querySelector('[data-triage-key="n"]');
        case "o":
          return document.querySelector('[data-triage-key="o"]');
        case "x":
          return document.querySelector('[data-triage-key="x"]');
        case "t":
          return document.querySelector("#assign-form select");
        case "b":
          return document.querySelector('#decide-form input[type="radio"]');
        case "s":
          return document.querySelector('#merge-form input[type="text"]');
        default:
          return null;
      }
    }

    // Buttons and links are activated; fields get the focus so the coach can go on typing.
    var ACTIVATE = { n: true, o: true, x: true };
    var KEYS = ["n", "o", "t", "b", "s", "x"];
    var enabled = stored("localStorage", SHORTCUTS_KEY) !== "off";

    function apply() {
      toggle.checked = enabled;
      root.classList.toggle("rk-triage--shortcuts", enabled);
      KEYS.forEach(function (key) {
        var element = target(key);
        if (!element) {
          return;
        }
        if (enabled) {
          element.setAttribute("aria-keyshortcuts", key);
        } else {
          element.removeAttribute("aria-keyshortcuts");
        }
      });
    }

    // WCAG 2.1.4: single-letter shortcuts can be switched off (and stay off).
    toggle.addEventListener("change", function () {
      enabled = toggle.checked;
      store("localStorage", SHORTCUTS_KEY, enabled ? "on" : "off");
      apply();
    });
    box.hidden = false;
    apply();

    document.addEventListener("keydown", function (event) {
      if (!enabled || event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (isTextEntry(event.target)) {
        return;
      }
      var key = (event.key || "").toLowerCase();
      if (KEYS.indexOf(key) === -1) {
        return;
      }
      var element = target(key);
      if (!element) {
        return; // e.g. no next item, or an item that was already handled
      }
      event.preventDefault();
      if (ACTIVATE[key]) {
        element.click();
      } else {
        element.focus();
      }
    });
  }

  // --- focus ---------------------------------------------------------------------------

  // After every action the page comes back on the next item: start reading there. An
  // error summary goes first (app.js focuses it), then a merge preview.
  function focusItem() {
    if (document.querySelector("[data-error-summary]")) {
      return;
    }
    // A merge waiting for confirmation: the report it would go into comes first.
    var heading = document.querySelector("[data-triage-preview]") || document.querySelector("[data-triage-focus]");
    if (heading) {
      heading.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-triage-session]");
    if (!root) {
      return;
    }
    timer(root.getAttribute("data-triage-session"));
    shortcuts(root);
    focusItem();
  });
})();
