// The review desk: decide one comment after another from the keyboard. Each decision moves on
// at once and is saved in the background; a failed save says so and brings the comment back.
(function () {
  "use strict";
  const root = document.querySelector(".desk-review-main");
  if (!root) return;
  const ids = JSON.parse(document.getElementById("review-ids").textContent);
  const cardBox = document.getElementById("review-card");
  const statusBox = document.getElementById("review-status");
  const errorBox = document.getElementById("review-error");
  const help = document.getElementById("review-help");
  const query = root.dataset.query;
  const cards = new Map();
  const undoStack = []; // {id, index}
  let index = 0;
  const current = cardBox.querySelector(".desk-review-card");
  if (current) {
    index = Math.max(0, ids.indexOf(Number(current.dataset.id)));
    cards.set(Number(current.dataset.id), current.outerHTML);
  }
  const url = (template, id) => root.dataset[template].replace("/0/", "/" + id + "/");
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function say(text) { statusBox.textContent = text; }
  function fail(text) { errorBox.textContent = text; errorBox.classList.add("desk-visible"); }

  async function card(id) {
    if (!cards.has(id)) {
      const answer = await fetch(url("cardUrl", id) + "?" + query, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(answer.status);
      cards.set(id, await answer.text());
    }
    return cards.get(id);
  }

  function updatePosition() {
    const position = root.querySelector("[data-position]");
    position.textContent = ids.length ? (index + 1) + " / " + ids.length : "";
  }

  async function show(i) {
    index = Math.max(0, Math.min(i, ids.length - 1));
    updatePosition();
    if (!ids.length) {
      cardBox.innerHTML = "";
      const p = document.createElement("p");
      p.className = "desk-review-empty";
      p.textContent = root.dataset.emptyText;
      cardBox.append(p);
      return;
    }
    const id = ids[index];
    try {
      cardBox.innerHTML = await card(id);
    } catch (error) {
      fail(root.dataset.loadFailed + " (" + error.message + ")");
      return;
    }
    cardBox.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    // Read the next one ahead, so the move after the next decision is instant too.
    if (ids[index + 1] !== undefined) card(ids[index + 1]).catch(() => {});
  }

  async function post(template, id, body) {
    const answer = await fetch(url(template, id) + "?" + query, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() },
      body: new URLSearchParams(body),
    });
    let data = {};
    try { data = await answer.json(); } catch (error) { /* a proxy's HTML error page */ }
    return { ok: answer.ok, status: answer.status, data: data };
  }

  function decide(decision) {
    const shown = cardBox.querySelector(".desk-review-card");
    if (!shown) return;
    if (decision === "keep" && !shown.hasAttribute("data-reported")) {
      say(root.dataset.noReports);
      return;
    }
    const id = Number(shown.dataset.id);
    const at = ids.indexOf(id);
    const author = shown.dataset.author;
    ids.splice(at, 1);
    cards.delete(id);
    show(at);
    post("decideUrl", id, { decision: decision, expected_status: shown.dataset.status })
      .then((answer) => {
        if (answer.ok) {
          undoStack.push({ id: id, index: at });
          say(answer.data.detail);
        } else if (answer.status === 409) {
          say(answer.data.detail);
        } else {
          throw new Error(answer.data.detail || answer.status);
        }
      })
      .catch((error) => {
        // Not saved: bring the comment back where it was, and say so where it cannot be missed.
        ids.splice(Math.min(at, ids.length), 0, id);
        updatePosition();
        fail(root.dataset.notSaved.replace("%(name)s", author) + " (" + error.message + ")");
      });
  }

  function undo() {
    const last = undoStack.pop();
    if (!last) { say(root.dataset.nothingToUndo); return; }
    post("undoUrl", last.id, {}).then((answer) => {
      say(answer.data.detail || "");
      if (answer.ok) {
        cards.delete(last.id);
        ids.splice(Math.min(last.index, ids.length), 0, last.id);
        show(ids.indexOf(last.id));
      }
    }).catch((error) => fail(root.dataset.undoFailed + " (" + error.message + ")"));
  }

  function toggleHelp() {
    help.hidden = !help.hidden;
    root.querySelector("[data-action=help]").setAttribute("aria-expanded", String(!help.hidden));
  }

  function openBan() {
    const form = document.getElementById("desk-ban");
    if (!form) return;
    form.open = true;
    const first = form.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  }

  const actions = {
    next: () => show(index + 1),
    previous: () => show(index - 1),
    approve: () => decide("approve"),
    reject: () => decide("reject"),
    spam: () => decide("spam"),
    pick: () => decide("pick"),
    keep: () => decide("keep"),
    undo: undo,
    ban: openBan,
    help: toggleHelp,
  };
  const keys = { j: "next", k: "previous", a: "approve", r: "reject", s: "spam", p: "pick",
    e: "keep", u: "undo", b: "ban", "?": "help" };

  root.querySelectorAll("[data-action][hidden]").forEach((el) => { el.hidden = false; });
  // Buttons and links do what their key does, without leaving the page.
  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || !actions[target.dataset.action]) return;
    event.preventDefault();
    actions[target.dataset.action]();
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });

  // Counts and other moderators' decisions, without a reload.
  async function refresh() {
    if (document.hidden || !ids.length) return;
    try {
      const answer = await fetch(root.dataset.countsUrl + "?" + query + "&ids=" + ids.join(","),
        { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!answer.ok) return;
      const data = await answer.json();
      for (const [name, count] of Object.entries(data.counts)) {
        const el = root.querySelector("[data-count=" + name + "]");
        if (el) el.textContent = count;
      }
      const shownId = ids[index];
      for (const gone of data.gone) {
        const at = ids.indexOf(gone);
        if (at === -1) continue;
        ids.splice(at, 1);
        cards.delete(gone);
        if (at < index) index -= 1;
      }
      if (data.gone.includes(shownId)) {
        say(root.dataset.decidedElsewhere);
        show(index);
      } else {
        updatePosition();
      }
    } catch (error) { /* the next poll tries again */ }
  }
  window.setInterval(refresh, Number(root.dataset.pollMs) || 15000);
  root.refreshNow = refresh;
})();
