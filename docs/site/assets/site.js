// The ENS payload reference: the index's search box and the copy buttons. No dependencies;
// works from file:// (no fetch: the search reads the data-* attributes of the index's entries).
"use strict";

(function () {
  function filterIndex(input) {
    var query = input.value.trim().toLowerCase();
    var entries = document.querySelectorAll(".entry");
    var shown = 0;
    entries.forEach(function (entry) {
      var link = entry.querySelector("a");
      var hits = entry.querySelector(".field-hits");
      var fields = (entry.getAttribute("data-fields") || "").split(" ").filter(Boolean);
      var fieldHits = query
        ? fields.filter(function (field) { return field.toLowerCase().indexOf(query) !== -1; })
        : [];
      var nameHit = !query || entry.getAttribute("data-name").indexOf(query) !== -1;
      var visible = nameHit || fieldHits.length > 0;
      entry.hidden = !visible;
      hits.textContent = "";
      fieldHits.slice(0, 6).forEach(function (field) {
        var item = document.createElement("li");
        var anchor = document.createElement("a");
        anchor.href = link.getAttribute("href") + "#field-" + field.replace(/[^A-Za-z0-9.\-]/g, "_");
        var code = document.createElement("code");
        code.textContent = field;
        anchor.appendChild(code);
        item.appendChild(anchor);
        hits.appendChild(item);
      });
      if (fieldHits.length > 6) {
        var more = document.createElement("li");
        more.textContent = "and " + (fieldHits.length - 6) + " more fields";
        hits.appendChild(more);
      }
      if (visible) shown += 1;
    });
    document.querySelectorAll(".group").forEach(function (group) {
      group.hidden = group.querySelector(".entry:not([hidden])") === null;
    });
    var status = document.getElementById("search-status");
    status.textContent = query ? shown + " of " + entries.length + " match" : "";
    document.getElementById("no-match").hidden = shown !== 0;
  }

  function copyText(button) {
    var code = button.parentNode.querySelector("pre");
    var text = code.textContent;
    function done(message) {
      button.textContent = message;
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (ignored) { copied = false; }
      done(copied ? "Copied" : "Selected: press Ctrl+C");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("search");
    if (input) {
      input.addEventListener("input", function () { filterIndex(input); });
      if (input.value) filterIndex(input);
    }
    document.querySelectorAll("button.copy").forEach(function (button) {
      button.addEventListener("click", function () { copyText(button); });
    });
  });
})();
