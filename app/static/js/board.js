// The board: drag-and-drop as an extra on top of the card forms. Every move also works
// without this file, with the "Verplaats naar…" form on each card; a drop fills in and
// submits that same form (CSRF token and version included), or opens the report page
// where an ending needs an explanation for the reporter.
(function () {
  "use strict";

  var DECISIONS = ["resolved", "escalated", "explained"];

  function announce(text) {
    var status = document.querySelector("[data-board-status]");
    if (status) {
      status.textContent = text;
    }
  }

  // After a move the server sends us back to #kaart-<reference>: put the focus there too,
  // unless an error summary is on the page (app.js focuses that one).
  function focusCard() {
    if (!window.location.hash || document.querySelector("[data-error-summary]")) {
      return;
    }
    var target;
    try {
      target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (error) {
      return; // a malformed address: nothing to focus
    }
    if (target && target.classList.contains("rk-board-card")) {
      target.focus();
    }
  }

  function putBack(event) {
    var item = event.item;
    var before = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(item, before);
  }

  function decisionUrl(card, statuses) {
    var url = card.getAttribute("data-report-url");
    if (!url) {
      return null;
    }
    var hash = url.indexOf("#");
    var path = hash === -1 ? url : url.slice(0, hash);
    if (statuses.length === 1 && DECISIONS.indexOf(statuses[0]) !== -1) {
      path += "?besluit=" + encodeURIComponent(statuses[0]);
    }
    return path + "#besluit";
  }

  function onDrop(event) {
    var card = event.item;
    var list = event.to;
    var reference = card.getAttribute("data-reference");
    var column = list.getAttribute("data-column") || "deze kolom";
    var statuses = (list.getAttribute("data-statuses") || "").split(" ").filter(Boolean);
    var form = card.querySelector("[data-move-form]");
    var select = form ? form.querySelector("select") : null;
    var matches = [];
    if (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value && statuses.indexOf(option.value) !== -1) {
          matches.push(option.value);
        }
      });
    }

    if (statuses.length === 1 && matches.length === 1) {
      select.value = matches[0];
      announce(reference + " gaat naar " + column + ".");
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
      return;
    }

    putBack(event);
    var decides = statuses.some(function (status) { return DECISIONS.indexOf(status) !== -1; });
    if (decides && card.hasAttribute("data-decidable")) {
      announce("Schrijf eerst de uitleg voor de melder van " + reference + ".");
      window.location.assign(decisionUrl(card, statuses));
      return;
    }
    if (matches.length > 0) {
      announce("Kies op de meldingspagina wat er met " + reference + " gebeurt.");
      window.location.assign(card.getAttribute("data-report-url"));
      return;
    }
    announce(reference + " kan niet naar " + column + ".");
  }

  function enableDragAndDrop() {
    var board = document.querySelector("[data-board]");
    if (!board || board.getAttribute("data-can-move") !== "1" || typeof window.Sortable !== "function") {
      return;
    }
    board.classList.add("rk-board--draggable");
    Array.prototype.forEach.call(board.querySelectorAll("[data-board-list]"), function (list) {
      window.Sortable.create(list, {
        group: "rk-board",
        sort: false,
        draggable: "[data-draggable]",
        // Controls on a card keep working as controls.
        filter: "a, button, input, select, option, textarea, label",
        preventOnFilter: false,
        delay: 150,
        delayOnTouchOnly: true,
        // Pointer events instead of native drag-and-drop: the same on mouse, pen and touch.
        forceFallback: true,
        fallbackOnBody: true,
        fallbackTolerance: 4,
        ghostClass: "rk-board-card--ghost",
        chosenClass: "rk-board-card--chosen",
        dragClass: "rk-board-card--drag",
        onAdd: onDrop
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableDragAndDrop();
    focusCard();
  });
})();
