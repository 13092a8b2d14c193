// newsroom progressive enhancement. The site works without this file; it only makes it smoother.
"use strict";

// ---------- Comments ----------
// Forms and links work without this; with it, posting, replying, editing, deleting, liking,
// reporting, sorting and loading more happen in place, and results are announced.
(function () {
  const section = document.querySelector("[data-comments]");
  if (!section) return;
  const live = section.querySelector("[data-comments-live]");
  const list = () => section.querySelector("[data-thread-list]");
  // Translated strings come from the server, on the section's data-msg-* attributes.
  function text(key, n) {
    const one = section.dataset[key + "One"];
    const message = (n === 1 && one) || section.dataset[key] || "";
    return message.replace("{n}", n);
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = section.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function announce(message) {
    if (!live || !message) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function focusOn(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: false });
  }

  async function send(url, options) {
    const headers = Object.assign({ "X-Requested-With": "fetch" }, options && options.headers);
    const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers: headers }));
    return response;
  }

  async function post(form) {
    const response = await send(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = { ok: false }; }
    if (!data.message && !response.ok) {
      data.message = text(response.status === 403 ? "msgForbidden" : "msgError");
    }
    return data;
  }

  // Live character counter, announced politely only near and past the limit.
  function updateCounter(textarea) {
    const limit = parseInt(textarea.dataset.maxlength, 10);
    const counter = section.querySelector('[data-counter-for="' + textarea.id + '"]');
    if (!limit || !counter) return;
    const left = limit - textarea.value.length;
    counter.hidden = false;
    counter.classList.toggle("field__counter--over", left < 0);
    counter.textContent = left >= 0 ? text("msgLeft", left) : text("msgOver", -left);
    counter.setAttribute("aria-live", left < 100 ? "polite" : "off");
  }
  section.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-maxlength]")) updateCounter(event.target);
  });
  section.querySelectorAll("textarea[data-maxlength]").forEach(updateCounter);

  // Live preview: the server renders the draft with the page's own renderer and sanitiser (the
  // HTML it returns is already clean), after a pause in typing; only the newest answer is shown.
  const previews = new WeakMap();
  const FORMATTING = /[*_`[\]>@<#|!\\]|https?:|^\s*(?:[-+]|\d+[.)])\s/m;
  function schedulePreview(textarea) {
    const form = textarea.form;
    const box = form && form.querySelector("[data-preview]");
    if (!box) return;
    const state = previews.get(box) || { timer: 0, asked: 0, sent: null };
    previews.set(box, state);
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(async function () {
      const body = textarea.value;
      if (body === state.sent) return;
      state.sent = body;
      const asked = ++state.asked;
      // Plain prose looks the same either way: the preview is for drafts with formatting in them.
      if (!FORMATTING.test(body)) { box.hidden = true; return; }
      const data = new FormData();
      data.append("body", body);
      let answer = {};
      try {
        const response = await send(box.dataset.preview, { method: "POST", body: data, headers: { "X-CSRFToken": csrfToken() } });
        answer = await response.json();
      } catch (error) { answer = { error: text("msgError") }; }
      if (asked !== state.asked) return;
      const target = box.querySelector("[data-preview-body]");
      if (answer.error) {
        target.textContent = answer.error;
        state.sent = null;
      } else {
        target.innerHTML = answer.html || "";
      }
      box.hidden = false;
    }, 500);
  }
  section.addEventListener("input", function (event) {
    if (event.target.matches("textarea[name=body]")) schedulePreview(event.target);
  });
  // Posting ends the draft: a preview still on its way must not show what is now a comment.
  section.addEventListener("submit", function (event) {
    const box = event.target.querySelector("[data-preview]");
    const state = box && previews.get(box);
    if (!state) return;
    window.clearTimeout(state.timer);
    state.asked += 1;
    state.sent = null;
    box.hidden = true;
  }, true);

  function closePanel(panel, keepFocus) {
    if (!panel) return;
    const opener = panel.openedBy;
    panel.innerHTML = "";
    panel.dataset.kind = "";
    if (opener) opener.setAttribute("aria-expanded", "false");
    if (opener && !keepFocus && opener.isConnected) opener.focus();
  }

  // Esc closes the open reply, edit or report panel; focus goes back to the button that opened it.
  section.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const panel = event.target.closest("[data-panel]") ||
      (event.target.closest("[data-comment]") || section).querySelector("[data-panel][data-kind]:not([data-kind=''])");
    if (!panel || !panel.dataset.kind) return;
    event.preventDefault();
    closePanel(panel);
  });

  // A sent report: the panel closes and the thanks stays in sight at the comment, where focus is.
  function reportSent(form, message) {
    const comment = form.closest("[data-comment]");
    const panel = form.closest("[data-panel]");
    if (!comment) return announce(message);
    const report = comment.querySelector("form[data-inline=report]");
    closePanel(panel, true);
    const thanks = document.createElement("p");
    thanks.className = "comment__thanks";
    thanks.setAttribute("role", "status");
    thanks.setAttribute("tabindex", "-1");
    thanks.textContent = message;
    // Reported once is enough: the thanks takes the Report button's place.
    if (report) report.replaceWith(thanks);
    else (panel || comment).before(thanks);
    thanks.focus({ preventScroll: true });
  }

  // Reply, Edit, Delete and Report open their form inside the comment.
  async function openPanel(form) {
    const comment = form.closest("[data-comment]");
    const panel = comment && comment.querySelector("[data-panel]");
    const button = form.querySelector("button");
    if (!panel) return form.submit();
    if (panel.dataset.kind === form.dataset.inline) return closePanel(panel);
    section.querySelectorAll("[data-panel]").forEach(function (other) {
      if (other !== panel && other.innerHTML) closePanel(other);
    });
    const response = await send(form.action, { headers: { Accept: "text/html" } });
    if (!response.ok) return form.submit();
    panel.innerHTML = "";
    panel.appendChild(fragment(await response.text()));
    panel.dataset.kind = form.dataset.inline;
    panel.openedBy = button;
    comment.querySelectorAll("[aria-expanded]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    button.setAttribute("aria-expanded", "true");
    panel.querySelectorAll("textarea[data-maxlength]").forEach(updateCounter);
    focusOn(panel.querySelector("textarea, input:not([type=hidden]):not([tabindex='-1']), button"));
  }

  function replaceThread(data) {
    const existing = document.getElementById("t" + data.thread_id);
    const content = data.thread_html ? fragment(data.thread_html) : null;
    if (existing && content) existing.replaceWith(content);
    else if (existing) existing.remove();
    else if (content) list().prepend(content);
    const empty = section.querySelector("[data-comments-empty]");
    if (empty && data.thread_html) empty.remove();
    const count = section.querySelector("[data-comment-count]");
    if (count && typeof data.count === "number") count.textContent = data.count;
  }

  async function submitCommentForm(form) {
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    section.setAttribute("aria-busy", "true");
    try {
      const data = await post(form);
      if (form.matches("[data-report]") && (data.ok || data.reported)) {
        reportSent(form, data.message);
      } else if (data.ok) {
        const isTopForm = !form.closest("[data-panel]");
        replaceThread(data);
        if (isTopForm) {
          // Only the comment goes: a guest's name and email stay for their next one.
          form.querySelectorAll("textarea").forEach(function (area) { area.value = ""; });
          // Each posting token is good for one comment; the answer brings the next one.
          const token = form.querySelector("input[name=ts]");
          if (token && data.ts) token.value = data.ts;
          form.querySelectorAll("[data-form-errors], .errorlist").forEach(function (el) { el.remove(); });
          form.querySelectorAll("textarea[data-maxlength]").forEach(updateCounter);
          form.querySelectorAll("textarea[name=body]").forEach(schedulePreview);
        }
        announce(data.message);
        focusOn(document.getElementById("c" + data.comment_id) || section.querySelector("h2"));
      } else if (data.form_html) {
        const replacement = fragment(data.form_html).firstElementChild;
        form.replaceWith(replacement);
        replacement.querySelectorAll("textarea[data-maxlength]").forEach(updateCounter);
        announce(data.message);
        focusOn(replacement.querySelector("[aria-invalid=true], .field--invalid textarea, .field--invalid input") || replacement.querySelector("[data-form-errors]"));
      } else {
        announce(data.message);
        if (data.message) window.alert(data.message);
      }
    } finally {
      if (button && button.isConnected) button.disabled = false;
      section.removeAttribute("aria-busy");
    }
  }

  async function toggleLike(form) {
    const button = form.querySelector("button");
    const data = await post(form);
    if (!data.ok) return announce(data.message);
    button.setAttribute("aria-pressed", data.liked ? "true" : "false");
    const icon = button.querySelector(".comment__icon");
    if (icon) icon.textContent = data.liked ? "♥" : "♡";
    const count = form.querySelector("[data-like-count]");
    if (count) { count.textContent = data.like_label; count.hidden = !data.like_count; }
    announce(data.message);
  }

  async function loadThreads(url, replace) {
    section.setAttribute("aria-busy", "true");
    try {
      const response = await send(url, { headers: { Accept: "text/html" } });
      if (!response.ok) { window.location.href = url; return; }
      const content = fragment(await response.text());
      const threads = Array.from(content.querySelectorAll("[data-thread-list] > li"));
      if (replace) {
        list().replaceChildren();
        // An empty view says so (no picks yet, say); a full one drops the old notice.
        const oldEmpty = section.querySelector("[data-comments-empty]");
        if (oldEmpty) oldEmpty.remove();
        const newEmpty = content.querySelector("[data-comments-empty]");
        if (newEmpty) list().after(newEmpty);
      }
      threads.forEach(function (li) { list().appendChild(li); });
      const oldMore = section.querySelector("[data-load-more-wrap]");
      if (oldMore) oldMore.remove();
      const newMore = content.querySelector("[data-load-more-wrap]");
      if (newMore) list().after(newMore);
      return threads;
    } finally {
      section.removeAttribute("aria-busy");
    }
  }

  section.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches("[data-inline]")) { event.preventDefault(); openPanel(form); }
    else if (form.matches("[data-like]")) { event.preventDefault(); toggleLike(form); }
    else if (form.matches("[data-comment-form]")) { event.preventDefault(); submitCommentForm(form); }
  });

  section.addEventListener("click", function (event) {
    const cancel = event.target.closest("[data-cancel]");
    if (cancel && cancel.closest("[data-panel]")) {
      event.preventDefault();
      return closePanel(cancel.closest("[data-panel]"));
    }
    const sort = event.target.closest(".comments__sort a[data-sort]");
    if (sort) {
      event.preventDefault();
      const url = section.dataset.listUrl + "?sort=" + encodeURIComponent(sort.dataset.sort);
      loadThreads(url, true).then(function () {
        section.querySelectorAll(".comments__sort a").forEach(function (a) { a.removeAttribute("aria-current"); });
        sort.setAttribute("aria-current", "true");
        history.replaceState(null, "", sort.getAttribute("href"));
        announce(text("msgSorted", sort.textContent.trim()));
      });
      return;
    }
    const more = event.target.closest("a[data-load-more]");
    if (more) {
      event.preventDefault();
      const url = section.dataset.listUrl + "?sort=" + encodeURIComponent(more.dataset.sort) +
        "&after=" + encodeURIComponent(more.dataset.after);
      loadThreads(url, false).then(function (threads) {
        if (!threads) return;
        announce(text("msgLoaded", threads.length));
        if (threads[0]) focusOn(threads[0].querySelector("article"));
      });
    }
  });
})();

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
