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
    section.dispatchEvent(new CustomEvent("comments:changed"));
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
      threads.forEach(function (li) {
        // A thread that arrived live is already here.
        if (li.id && document.getElementById(li.id)) li.remove(); else list().appendChild(li);
      });
      const oldMore = section.querySelector("[data-load-more-wrap]");
      if (oldMore) oldMore.remove();
      const newMore = content.querySelector("[data-load-more-wrap]");
      if (newMore) list().after(newMore);
      section.dispatchEvent(new CustomEvent("comments:changed"));
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

  // A flood of new comments (the live layer, below): draw the first page of threads again.
  section.addEventListener("comments:reload", function () {
    const current = section.querySelector(".comments__sort a[aria-current]");
    const sort = current ? current.dataset.sort : "oldest";
    loadThreads(section.dataset.listUrl + "?sort=" + encodeURIComponent(sort), true).then(function (threads) {
      if (threads && threads[0]) focusOn(threads[0].querySelector("article"));
    });
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
        section.dispatchEvent(new CustomEvent("comments:changed")); // new comments go elsewhere now
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

/* ---- Live: an open story page learns what is new (articles/live.py) without moving ---- */
// New comments wait behind a "3 new comments" button until the reader presses it; counts and
// tallies update in place. One poll at a time, every ~15 s while the tab is seen, backing off
// while it is hidden or failing; none after the page is left.
(function () {
  const section = document.querySelector("[data-comments][data-live-url]");
  const slot = section && section.querySelector("[data-live-slot]");
  if (!slot || !window.fetch || !window.AbortController) return;
  const live = section.querySelector("[data-comments-live]");
  const list = () => section.querySelector("[data-thread-list]");
  const MAX_WAIT = 5 * 60 * 1000;
  const pending = new Map(); // comment id: what the poll said of it, in the order they arrived
  let etag = section.dataset.liveEtag;
  let since = section.dataset.liveSince;
  let labels = [], moreLabel = "", more = false, shownCount = 0;
  let timer = null, controller = null, failures = 0, hiddenPolls = 0, stopped = false;
  slot.classList.add("comments__live--on"); // its room is kept from the start: nothing moves later

  function interval() {
    return Math.max(0.2, parseFloat(section.dataset.liveInterval) || 15) * 1000;
  }

  function schedule(soon) {
    window.clearTimeout(timer);
    if (stopped) return;
    let wait = interval() * Math.pow(2, failures + (document.hidden ? hiddenPolls : 0));
    if (soon) wait = Math.min(wait, 1000);
    wait = Math.min(wait, MAX_WAIT) * (0.8 + Math.random() * 0.4); // pages opened together spread out
    timer = window.setTimeout(poll, wait);
  }

  async function poll() {
    if (controller || stopped) return;
    if (document.hidden) hiddenPolls += 1;
    controller = new AbortController();
    try {
      const response = await fetch(section.dataset.liveUrl + "?since=" + encodeURIComponent(since), {
        headers: { "If-None-Match": etag, Accept: "application/json" },
        credentials: "same-origin", // the page's language, whatever chose it; nothing else is read
        cache: "no-store",
        signal: controller.signal,
      });
      if (response.status === 304) failures = 0;
      else if (response.ok) {
        const data = await response.json();
        etag = response.headers.get("ETag") || etag;
        since = String(data.since);
        failures = 0;
        apply(data);
      } else if (response.status === 404) stopped = true; // the story was taken down
      else failures += 1;
    } catch (error) {
      if (error.name === "AbortError") return;
      failures += 1;
    } finally {
      controller = null;
    }
    schedule(false);
  }

  function apply(data) {
    const count = section.querySelector("[data-comment-count]");
    if (count) count.textContent = data.count;
    updateReactions(data);
    labels = data.labels || labels;
    moreLabel = data.more_label || moreLabel;
    more = more || (data.more && currentSort() !== "picks");
    (data.comments || []).forEach(function (item) {
      if (!document.getElementById("c" + item.id)) pending.set(item.id, item);
    });
    render();
  }

  function updateReactions(data) {
    const form = document.querySelector("form[data-reactions]");
    if (!form || form.getAttribute("aria-busy") === "true") return;
    (data.reactions || []).forEach(function (item) {
      const button = form.querySelector('button[name="kind"][value="' + CSS.escape(item.key) + '"]');
      if (!button) return;
      button.setAttribute("aria-label", item.name);
      button.style.setProperty("--share", item.share + "%");
      button.querySelector("[data-count]").textContent = item.count;
      button.querySelector("[data-share]").textContent = item.share + "%";
    });
    const total = form.querySelector("[data-total]");
    if (total && data.total_text) total.textContent = data.total_text;
  }

  function currentSort() {
    const current = section.querySelector(".comments__sort a[aria-current]");
    return current ? current.dataset.sort : "oldest";
  }

  // Where the current view puts a new top-level comment: [list, the <li> it goes before], or null.
  function topLevelPlace() {
    if (section.querySelector(".comments__context")) return null; // one thread, or a later page
    const sort = currentSort();
    const roots = Array.from(list().children);
    const lastPage = !section.querySelector("[data-load-more]");
    if (sort === "newest") return [list(), roots[0] || null];
    if (sort === "liked") {
      // No likes yet: before the first thread without likes (newer first among equals).
      const unliked = roots.find(function (li) {
        const likes = li.querySelector(":scope > article [data-like-count]");
        return likes && likes.hidden;
      });
      if (unliked) return [list(), unliked];
    }
    return lastPage ? [list(), null] : null;
  }

  function placeable(item, seen) {
    // Editor's picks show picked comments alone, without replies: a new comment is no pick yet.
    if (currentSort() === "picks" || document.getElementById("c" + item.id)) return false;
    if (item.parent === null) return topLevelPlace() !== null;
    if (document.getElementById("c" + item.parent)) return true;
    return seen.has(item.parent);
  }

  function waiting() {
    const seen = new Set();
    return Array.from(pending.values()).filter(function (item) {
      if (!placeable(item, seen)) return false;
      seen.add(item.id);
      return true;
    });
  }

  function render() {
    pending.forEach(function (item, id) { if (document.getElementById("c" + id)) pending.delete(id); });
    const items = waiting();
    const flood = more || items.length >= labels.length;
    let button = slot.querySelector("button");
    if (!items.length && !more) {
      if (button) button.remove();
      shownCount = 0;
      return;
    }
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button comments__live-button";
      button.addEventListener("click", show);
      slot.appendChild(button);
    }
    const label = flood ? moreLabel : labels[items.length][0];
    if (button.textContent !== label) button.textContent = label;
    if (!shownCount) say(label); // once when it appears, not at every arrival
    shownCount = items.length || 1;
  }

  function say(message) {
    if (!live || !message) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function csrf() {
    const field = section.querySelector('input[name=csrfmiddlewaretoken]:not([value=""])');
    return field ? field.value : "";
  }

  function insert(item) {
    const content = document.createElement("template");
    content.innerHTML = item.html.trim();
    const li = content.content.firstElementChild;
    li.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(function (input) { input.value = csrf(); });
    li.querySelector("article").classList.add("comment--arrived");
    if (item.parent === null) {
      const place = topLevelPlace();
      place[0].insertBefore(li, place[1]);
      const empty = section.querySelector("[data-comments-empty]");
      if (empty) empty.remove();
    } else {
      const parentLi = document.getElementById("c" + item.parent).closest("li");
      if (item.replying) {
        // At the last level replies follow their parent in reading order, after its own replies.
        const family = new Set([item.parent]);
        let next = parentLi.nextElementSibling;
        while (next && next.tagName === "LI") {
          const to = next.querySelector(":scope > article .comment__context a[href^='#c']");
          if (!to || !family.has(parseInt(to.getAttribute("href").slice(2), 10))) break;
          family.add(parseInt(next.querySelector(":scope > article").dataset.comment, 10));
          next = next.nextElementSibling;
        }
        parentLi.parentElement.insertBefore(li, next);
      } else {
        let replies = parentLi.querySelector(":scope > ol.comment-replies");
        if (!replies) {
          replies = document.createElement("ol");
          replies.className = "comment-replies";
          parentLi.appendChild(replies);
        }
        replies.appendChild(li);
      }
    }
    return li.querySelector("article");
  }

  function show() {
    if (more || waiting().length >= labels.length) {
      pending.clear();
      more = false;
      render();
      const all = section.querySelector(".comments__context a"); // one thread or a later page
      if (all) window.location.assign(all.href);
      else section.dispatchEvent(new CustomEvent("comments:reload"));
      return;
    }
    const items = waiting();
    if (!items.length) return render();
    // Keep what the reader was looking at where it was, whatever goes in above it.
    const anchor = Array.from(section.querySelectorAll("[data-comment]")).find(function (el) {
      return el.getBoundingClientRect().bottom > 0;
    });
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    const root = document.documentElement;
    root.style.overflowAnchor = "none";
    const added = items.map(insert);
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
    root.style.overflowAnchor = "";
    items.forEach(function (item) { pending.delete(item.id); });
    render();
    const first = added[0];
    first.setAttribute("tabindex", "-1");
    first.focus();
    say(labels[items.length][1]);
  }

  // The reader's own post, a new sort or "Load more" changed the threads: recount what waits.
  section.addEventListener("comments:changed", render);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) return;
    hiddenPolls = 0;
    schedule(true);
  });
  window.addEventListener("pagehide", function () {
    stopped = true;
    window.clearTimeout(timer);
    if (controller) controller.abort();
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    stopped = false;
    schedule(true);
  });
  schedule(false);
})();
