// Progressive enhancement for Rode Knop. Every page works without this file.
(function () {
  "use strict";

  // An error summary takes focus so screen reader and keyboard users land on it.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Sent to one of a page's action panels (the board sends an ending to #besluit): its
  // heading takes focus, so keyboard and screen reader users start where the form is.
  function focusActionPanel() {
    if (!window.location.hash || document.querySelector("[data-error-summary]")) {
      return;
    }
    var panel;
    try {
      panel = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (error) {
      return;
    }
    var heading = panel && panel.classList.contains("rk-action-panel") ? panel.querySelector("h2, h3") : null;
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      // After the browser has scrolled to the fragment, which would otherwise reset the focus.
      window.setTimeout(function () { heading.focus(); }, 0);
    }
  }

  // A form is sent once, however often its button is clicked. The button is not
  // disabled, so its own name/value still goes along with the form.
  function submitOnce(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    if (form.querySelector("[data-submit-once]")) {
      form.dataset.submitting = "1";
      form.setAttribute("aria-busy", "true");
    }
  }

  // Similar reports next to the red-button form, while the user types. The panel always
  // belongs to the text as it is now: a change hides the old suggestions at once, an
  // answer to an older text is dropped (and its request aborted), and a text without a
  // significant word (4 letters or more) shows the introduction again.
  function similarReports() {
    var form = document.getElementById("report-form");
    var results = document.getElementById("similar-results");
    if (!form || !results) {
      return;
    }
    var rule = form.querySelector("[name=rule]");
    var problem = form.querySelector("[name=problem]");
    var seen = form.querySelector("[name=similar_seen]");
    var status = document.getElementById("similar-status");
    var hint = document.getElementById("similar-hint");
    var link = document.getElementById("similar-hint-link");
    var url = form.getAttribute("data-similar-url");
    var intro = results.innerHTML;
    var timer = null;
    var shown = "";
    var pending = null;
    var sequence = 0;

    function hasSignificantWord(text) {
      return /[0-9A-Za-z\u00C0-\u024F]{4,}/.test(text);
    }

    function currentQuery() {
      return { rule: rule.value.trim(), problem: problem.value.trim().slice(0, 500) };
    }

    function announce(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function setHint(count) {
      // On a phone the panel sits below the form: a link right under the fields says
      // how many similar reports there are and jumps to them.
      if (hint && link) {
        link.textContent = count === 1
          ? "1 melding lijkt hierop: bekijk hem voordat u verstuurt"
          : count + " meldingen lijken hierop: bekijk ze voordat u verstuurt";
        hint.hidden = count === 0;
      }
    }

    function clear() {
      results.removeAttribute("aria-busy");
      if (shown !== "") {
        results.innerHTML = intro;
        setHint(0);
        announce("");
        shown = "";
      }
    }

    function lookUp() {
      var query = currentQuery();
      var key = query.rule + "\n" + query.problem;
      if (key === shown) {
        results.removeAttribute("aria-busy");
        return;
      }
      var mine = ++sequence;
      var controller = window.AbortController ? new AbortController() : null;
      pending = controller;
      var params = new URLSearchParams(query);
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || mine !== sequence) {
            return; // an answer to an older text
          }
          pending = null;
          results.innerHTML = html;
          results.removeAttribute("aria-busy");
          shown = key;
          var count = results.querySelectorAll(".rk-similar-item").length;
          setHint(count);
          announce(count === 0 ? "" : count === 1
            ? "1 melding lijkt op wat u beschrijft."
            : count + " meldingen lijken op wat u beschrijft.");
          // The user has seen the check; the server need not ask again after submitting.
          seen.value = "1";
        })
        .catch(function () { /* aborted, or offline: the check after submitting still runs */ });
    }

    function changed() {
      window.clearTimeout(timer);
      // Whatever is on its way answers an older text.
      sequence++;
      if (pending) {
        pending.abort();
        pending = null;
      }
      var query = currentQuery();
      if (!hasSignificantWord(query.rule + " " + query.problem)) {
        clear();
        return;
      }
      if (query.rule + "\n" + query.problem !== shown && shown !== "") {
        // Suggestions for another text: gone at once, not after the next answer.
        results.innerHTML = "";
        results.setAttribute("aria-busy", "true");
        setHint(0);
        shown = "";
      }
      timer = window.setTimeout(lookUp, 300);
    }

    // 'Ik loop hier ook tegenaan' takes the text being typed along, so that it comes back
    // with the answer.
    results.addEventListener("submit", function (event) {
      var support = event.target;
      if (!(support instanceof HTMLFormElement)) {
        return;
      }
      var draftRule = support.querySelector("[name=draft_rule]");
      var draftProblem = support.querySelector("[name=draft_problem]");
      if (draftRule && draftProblem) {
        draftRule.value = rule.value;
        draftProblem.value = problem.value;
      }
    }, true);

    rule.addEventListener("input", changed);
    problem.addEventListener("input", changed);
    if (rule.value.trim() || problem.value.trim()) {
      changed();
    }
  }

  // A print button where the page says "druk af" (the recovery codes); without JavaScript
  // the page tells the reader to use the browser's own print command.
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("submit", submitOnce, true);
  window.addEventListener("load", focusActionPanel);
  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    similarReports();
    printButtons();
  });
})();
