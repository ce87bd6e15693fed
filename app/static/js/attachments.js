// Attachments: drag-and-drop and pasting a screenshot (Ctrl+V) into the one file field of a
// form, with a list of the chosen files in which each can be removed. Everything goes into
// that same <input type="file"> (through a DataTransfer), so the form sends what it would
// send without this file; without it the plain file field does it all.
(function () {
  "use strict";

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function size(bytes) {
    var lang = document.documentElement.lang || "nl";
    if (bytes >= 1000000) {
      return (bytes / 1000000).toLocaleString(lang, { maximumFractionDigits: 1 }) + " MB";
    }
    return Math.max(1, Math.round(bytes / 1000)).toLocaleString(lang) + " kB";
  }

  function setup(box) {
    var input = box.querySelector("input[type=file]");
    var chosen = box.querySelector("[data-attachments-chosen]");
    var list = box.querySelector("[data-attachments-list]");
    var status = box.querySelector("[data-attachments-status]");
    if (!input || !list || !chosen || typeof DataTransfer === "undefined") {
      return null;
    }
    var text = box.dataset;
    var hint = box.querySelector("[data-attachments-js-hint]");
    if (hint) {
      hint.hidden = false;
    }
    var pasted = 0;

    function current() {
      return Array.prototype.slice.call(input.files || []);
    }

    function announce(message) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }

    function setFiles(files) {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      render();
    }

    function add(files) {
      var all = current();
      Array.prototype.forEach.call(files, function (file) { all.push(file); });
      setFiles(all);
      announce(text.textAdded.replace("{count}", String(all.length)));
    }

    function remove(index) {
      var all = current();
      var gone = all.splice(index, 1)[0];
      setFiles(all);
      announce(text.textRemoved.replace("{name}", gone ? gone.name : ""));
      var buttons = list.querySelectorAll("button");
      var next = buttons[Math.min(index, buttons.length - 1)];
      (next || input).focus();
    }

    function render() {
      var files = current();
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      chosen.hidden = files.length === 0;
      files.forEach(function (file, index) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.className = "rk-files__name";
        name.textContent = file.name + " (" + size(file.size) + ")";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "utrecht-button utrecht-button--subtle rk-files__remove";
        // The visible word, and which file for those who hear it (the name contains the text).
        button.textContent = text.textRemove;
        var which = document.createElement("span");
        which.className = "rk-visually-hidden";
        which.textContent = " " + file.name;
        button.appendChild(which);
        button.addEventListener("click", function () { remove(index); });
        item.appendChild(name);
        item.appendChild(button);
        list.appendChild(item);
      });
    }

    input.addEventListener("change", render);
    box.addEventListener("dragover", function (event) {
      if (hasFiles(event)) {
        event.preventDefault();
        box.classList.add("rk-files--over");
      }
    });
    box.addEventListener("dragleave", function () { box.classList.remove("rk-files--over"); });
    box.addEventListener("drop", function (event) {
      if (!hasFiles(event)) {
        return;
      }
      event.preventDefault();
      box.classList.remove("rk-files--over");
      add(event.dataTransfer.files);
    });

    // A pasted screenshot has no useful name ("image.png"): give it one the list can show.
    function onPaste(event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (!files || !files.length) {
        return;
      }
      event.preventDefault();
      var named = Array.prototype.map.call(files, function (file) {
        pasted += 1;
        var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
        try {
          return new File([file], text.textPasted + " " + pasted + "." + extension, { type: file.type });
        } catch (error) {
          return file;
        }
      });
      add(named);
    }

    render();
    return onPaste;
  }

  function init() {
    var boxes = document.querySelectorAll("[data-attachments]");
    var onPaste = null;
    Array.prototype.forEach.call(boxes, function (box) {
      var handler = setup(box);
      onPaste = onPaste || handler;
    });
    if (onPaste) {
      // Pasting anywhere on the page adds to the page's (first) file field.
      document.addEventListener("paste", onPaste);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
