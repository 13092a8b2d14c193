// newsroom progressive enhancement. The site works without this file; it only makes it smoother.
"use strict";

/* ---- Reactions: the "What do you think?" bar updates in place and announces the result ---- */
(function () {
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function render(form, data) {
    data.reactions.forEach(function (item) {
      var button = form.querySelector('button[name="kind"][value="' + CSS.escape(item.key) + '"]');
      if (!button) return;
      button.setAttribute("aria-pressed", item.pressed ? "true" : "false");
      button.setAttribute("aria-label", item.name);
      button.style.setProperty("--share", item.share + "%");
      button.querySelector("[data-count]").textContent = item.count;
      button.querySelector("[data-share]").textContent = item.share + "%";
    });
    form.querySelector("[data-total]").textContent = data.total_text;
  }

  function announce(form, message) {
    var status = form.querySelector("[data-status]");
    // Clearing first makes a repeated message be announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  document.querySelectorAll("form[data-reactions]").forEach(function (form) {
    var busy = false;
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "kind" || !window.fetch) return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      var body = new FormData(form);
      body.append("kind", button.value);
      var token = cookie("csrftoken") || body.get("csrfmiddlewaretoken");
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token }
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.ok && data.reactions) {
              render(form, data);
              announce(form, data.message);
            } else {
              announce(form, data.error || form.dataset.errorMessage);
            }
          });
        })
        .catch(function () { announce(form, form.dataset.errorMessage); })
        .finally(function () {
          busy = false;
          form.removeAttribute("aria-busy");
        });
    });
  });
})();
