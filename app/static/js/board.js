// The board, enhanced. Without this file every card's "Acties" link opens the card's own
// action page, and "Toon meer" opens the column's next page. With it:
// * "Acties" opens the board's one action dialog, filled in for that card (what the card
//   may do comes from the server: data-moves, data-take-on);
// * drag-and-drop submits that same dialog's move form (CSRF token and version included),
//   or opens the report page where an ending needs an explanation for the reporter;
// * after a move the card that moved gets the focus and its new place is announced.
(function () {
  "use strict";

  var DECISIONS = ["resolved", "escalated", "explained"];
  var dialog = null;
  var allOptions = [];
  var opener = null;

  function announce(text) {
    var status = document.querySelector("[data-board-status]");
    if (status) {
      // Emptied first, so the same words twice are announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  // The words to announce come from the page, in the reader's language and tone: the
  // status element's data-text-<name>, with {reference} and {column} filled in.
  function say(name, values) {
    var status = document.querySelector("[data-board-status]");
    var text = status ? status.getAttribute("data-text-" + name) || "" : "";
    return text.replace(/\{(\w+)\}/g, function (placeholder, key) {
      return Object.prototype.hasOwnProperty.call(values || {}, key) ? values[key] : placeholder;
    });
  }

  function columnTitle(element) {
    var list = element.closest("[data-board-list]");
    return list ? list.getAttribute("data-column") : "";
  }

  // After a move the server sends us back to #kaart-<reference>: put the focus there and
  // say where the card is now, unless an error summary is on the page (app.js focuses it).
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
    var flash = document.querySelector(".rk-flashes");
    if (target && target.classList.contains("rk-board-card")) {
      target.focus();
      announce((flash ? flash.textContent.trim() + " " : "") +
        say("moved", { reference: target.getAttribute("data-reference"), column: columnTitle(target) }));
    } else if (target && target.classList.contains("rk-board__title")) {
      target.focus(); // "Toon meer" and "Vorige kaarten" land on their column
    } else if (flash && /^kaart-/.test(window.location.hash.slice(1))) {
      // The card left the board's current view (a filter): the message says what happened.
      flash.setAttribute("tabindex", "-1");
      flash.focus();
    }
  }

  function reportUrl(card) {
    return card.querySelector(".rk-board-card__title a").getAttribute("href");
  }

  function actionUrl(card, path) {
    var link = card.querySelector("[data-card-actions]");
    var url = new URL(link.href, window.location.href);
    if (path) {
      url.pathname = url.pathname.replace(/\/verplaatsen$/, "/" + path);
    }
    return url.toString();
  }

  // Fill the dialog in for `card`; returns the move form.
  function fillDialog(card) {
    var reference = card.getAttribute("data-reference");
    var status = card.getAttribute("data-status");
    var moves = (card.getAttribute("data-moves") || "").split(" ").filter(Boolean);
    var takeOn = dialog.querySelector("[data-dialog-take-on]");
    var move = dialog.querySelector("[data-dialog-move]");
    var select = move.querySelector("select");
    var title = card.querySelector(".rk-board-card__title a");

    dialog.querySelector("[data-dialog-reference]").textContent = reference;
    dialog.querySelector("[data-dialog-rule]").textContent = title ? title.textContent.trim() : "";
    dialog.querySelector("[data-dialog-report]").href = reportUrl(card);
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-dialog-version]"), function (input) {
      input.value = card.getAttribute("data-version");
    });
    takeOn.action = actionUrl(card, "oppakken");
    takeOn.hidden = !card.hasAttribute("data-take-on");
    move.action = actionUrl(card);
    move.hidden = moves.length === 0;
    select.innerHTML = "";
    allOptions.forEach(function (option) {
      var from = option.getAttribute("data-from");
      if (!option.value || (from === status && moves.indexOf(option.value) !== -1)) {
        select.appendChild(option.cloneNode(true));
      }
    });
    select.value = "";
    dialog.querySelector("[data-dialog-nothing]").hidden = !(takeOn.hidden && move.hidden);
    return move;
  }

  function openDialog(card, link) {
    fillDialog(card);
    opener = link;
    dialog.showModal();
    var first = dialog.querySelector("form:not([hidden]) button, form:not([hidden]) select, [data-dialog-report]");
    if (first) {
      first.focus();
    }
  }

  function submit(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function enableDialog() {
    dialog = document.querySelector("[data-board-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") {
      return false;
    }
    allOptions = Array.prototype.slice.call(dialog.querySelectorAll("select option")).map(function (option) {
      return option.cloneNode(true);
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("[data-card-actions]") : null;
      if (!link) {
        return;
      }
      event.preventDefault();
      openDialog(link.closest(".rk-board-card"), link);
    });
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (opener) {
        opener.focus();
        opener = null;
      }
    });
    return true;
  }

  function putBack(event) {
    var item = event.item;
    var before = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(item, before);
  }

  function decisionUrl(card, statuses) {
    var path = reportUrl(card);
    if (statuses.length === 1 && DECISIONS.indexOf(statuses[0]) !== -1) {
      path += "?besluit=" + encodeURIComponent(statuses[0]);
    }
    return path + "#besluit";
  }

  function onDrop(event) {
    var card = event.item;
    var list = event.to;
    var reference = card.getAttribute("data-reference");
    var column = list.getAttribute("data-column") || say("this-column");
    var statuses = (list.getAttribute("data-statuses") || "").split(" ").filter(Boolean);
    var moves = (card.getAttribute("data-moves") || "").split(" ").filter(Boolean);
    var matches = moves.filter(function (to) { return statuses.indexOf(to) !== -1; });

    if (statuses.length === 1 && matches.length === 1) {
      var form = fillDialog(card);
      form.querySelector("select").value = matches[0];
      announce(say("going", { reference: reference, column: column }));
      submit(form);
      return;
    }

    putBack(event);
    var decides = statuses.some(function (status) { return DECISIONS.indexOf(status) !== -1; });
    if (decides && card.hasAttribute("data-decidable")) {
      announce(say("explain-first", { reference: reference }));
      window.location.assign(decisionUrl(card, statuses));
      return;
    }
    if (matches.length > 0) {
      announce(say("choose-on-report", { reference: reference }));
      window.location.assign(reportUrl(card));
      return;
    }
    card.focus();
    announce(say("cannot", { reference: reference, column: column }));
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
        // Links on a card keep working as links.
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
    if (enableDialog()) {
      enableDragAndDrop();
    }
    focusCard();
  });
})();
