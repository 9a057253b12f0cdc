// Tally: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // URL builder: a click on a macro inserts {macro} at the cursor of the target field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-macro]");
    if (!button) return;
    event.preventDefault();
    var field = byId(button.dataset.target);
    var text = "{" + button.dataset.insertMacro + "}";
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : field.value.length;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Presets: a click sets a field's value (e.g. session_hours 672 or 720).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-value]");
    if (!button) return;
    event.preventDefault();
    var field = byId(button.dataset.target);
    field.value = button.dataset.setValue;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Live preview: ask the server to fill the template for a sample click while the manager types.
  document.querySelectorAll("[data-preview-endpoint]").forEach(function (box) {
    var field = byId(box.dataset.source);
    var output = box.querySelector("output");
    var timer = null;
    function refresh() {
      var endpoint = box.dataset.previewEndpoint;
      var url = endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "template=" + encodeURIComponent(field.value);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          box.classList.toggle("invalid", !data.valid);
          output.textContent = data.valid ? data.url : data.error;
        })
        .catch(function () {});
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
  });

  // A "select all" checkbox for bulk actions.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll("input[name='" + all.dataset.checkAll + "']").forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // One-click copy: a button with data-copy-target copies the text of that element (links, snippets). The
  // text is on the page anyway, so without JavaScript it is selected and copied by hand; the buttons stay hidden.
  document.querySelectorAll("[data-copy-target][hidden]").forEach(function (button) { button.hidden = false; });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    event.preventDefault();
    var source = byId(button.dataset.copyTarget);
    var text = source.value != null ? source.value : source.textContent;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    function done(word) {
      button.textContent = word;
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, function () { done("Press Ctrl+C"); });
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done(document.execCommand && document.execCommand("copy") ? "Copied" : "Press Ctrl+C");
    }
  });

  // Live parts: an element with data-poll-url takes that URL's HTML every data-poll-seconds (for 15 minutes
  // at most), when it changed. Without JavaScript the page offers a Refresh link instead.
  document.querySelectorAll("[data-poll-url]").forEach(function (box) {
    var delay = (Number(box.dataset.pollSeconds) || 5) * 1000;
    var until = Date.now() + 15 * 60 * 1000;
    var last = null;
    function poll() {
      if (Date.now() > until) return;
      fetch(box.dataset.pollUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null && html !== last) {
            if (last !== null) box.innerHTML = html;
            last = html;
          }
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, delay); });
    }
    poll();
  });

  // Ask before destructive actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
