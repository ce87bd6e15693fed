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

  // Similar reports next to the red-button form, while the user types.
  function similarReports() {
    var form = document.getElementById("report-form");
    var results = document.getElementById("similar-results");
    if (!form || !results) {
      return;
    }
    var rule = form.querySelector("[name=rule]");
    var problem = form.querySelector("[name=problem]");
    var seen = form.querySelector("[name=similar_seen]");
    var url = form.getAttribute("data-similar-url");
    var timer = null;
    var lastQuery = "";
    var counter = 0;

    function wordCount(text) {
      return text.trim().split(/\s+/).filter(function (w) { return w.length >= 3; }).length;
    }

    function lookUp() {
      var text = rule.value.trim();
      if (wordCount(text) < 2 && text.length < 10) {
        return;
      }
      var query = text + "\n" + problem.value.trim().slice(0, 500);
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      var mine = ++counter;
      var params = new URLSearchParams({ rule: text, problem: problem.value.trim().slice(0, 500) });
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || mine !== counter) {
            return;
          }
          results.innerHTML = html;
          // On a phone the panel sits below the form: a link right under the fields says
          // how many similar reports there are and jumps to them.
          var hint = document.getElementById("similar-hint");
          var link = document.getElementById("similar-hint-link");
          var count = results.querySelectorAll(".rk-similar-item").length;
          if (hint && link) {
            link.textContent = count === 1
              ? "1 melding lijkt hierop: bekijk hem voordat u verstuurt"
              : count + " meldingen lijken hierop: bekijk ze voordat u verstuurt";
            hint.hidden = count === 0;
          }
          // The user has seen the check; the server need not ask again after submitting.
          seen.value = "1";
        })
        .catch(function () { /* the server-side check after submitting still runs */ });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 350);
    }

    rule.addEventListener("input", schedule);
    problem.addEventListener("input", schedule);
    if (rule.value.trim()) {
      schedule();
    }
  }

  document.addEventListener("submit", submitOnce, true);
  window.addEventListener("load", focusActionPanel);
  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    similarReports();
  });
})();
