// Cohortcast dashboard: small enhancements on top of pages that work without
// JavaScript. The Pinterest toggle saves without a page load, the Copy button
// copies the snippet. Everything else is plain forms.
(function () {
  "use strict";

  function routedList(routed) {
    var box = document.createElement("div");
    if (!routed.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "No Tag ID receives this cohort.";
      box.appendChild(empty);
      return box;
    }
    var list = document.createElement("ul");
    list.className = "tag-list";
    routed.forEach(function (route) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = route.tag_id;
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = route.label;
      item.append(code, " ", badge);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function setUpToggle(form) {
    var button = form.querySelector("[role=switch]");
    var enabled = form.querySelector("input[name=enabled]");
    var state = document.getElementById("pinterest-state");
    var routed = document.getElementById("routed-tag-ids");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRF-Token": form.querySelector("input[name=csrf_token]").value,
        },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.detail || response.statusText);
            return body;
          });
        })
        .then(function (body) {
          button.setAttribute("aria-checked", String(body.pinterest_enabled));
          enabled.value = body.pinterest_enabled ? "false" : "true";
          state.textContent = body.message;
          routed.replaceChildren(routedList(body.routed));
        })
        .catch(function (error) {
          state.textContent = "Not saved: " + error.message;
        })
        .finally(function () {
          button.disabled = false;
          button.focus();
        });
    });
  }

  function copyText(textarea, status) {
    function done() {
      status.textContent = "Copied.";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textarea.value).then(done, function () {
        fallbackCopy(textarea, status, done);
      });
    } else {
      fallbackCopy(textarea, status, done);
    }
  }

  function fallbackCopy(textarea, status, done) {
    // Older browsers and plain-HTTP pages have no async clipboard.
    textarea.select();
    if (document.execCommand && document.execCommand("copy")) done();
    else status.textContent = "Press Ctrl+C (or Cmd+C) to copy the selected snippet.";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-pinterest-toggle]").forEach(setUpToggle);
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var textarea = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      button.addEventListener("click", function () {
        copyText(textarea, status);
      });
    });
  });
})();
