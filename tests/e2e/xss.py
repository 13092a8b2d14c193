"""Load a page full of hostile input and prove none of it became live markup or ran.

Three independent checks, so one defence cannot hide the failure of another:
- nothing ran: no dialog opened, `window.__xss` stayed unset, no console error (the CSP would
  log one for every inline script it blocked);
- nothing was parsed as markup: no element anywhere carries an event-handler attribute or a
  script-bearing URL, and every container shows its payload as plain text;
- nothing escaped its container: each container holds no elements it did not start with.
"""

from pathlib import Path

PAYLOADS = [
    line
    for line in (Path(__file__).resolve().parents[1] / "xss_payloads.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("# ")
]

# Runs in the page: every element or attribute a payload could have smuggled in as live markup.
FIND_ACTIVE_MARKUP = """() => {
  const found = [];
  const scriptish = /^(javascript|vbscript|data):/i;
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["iframe", "object", "embed", "frame", "base"].includes(tag)) found.push("<" + tag + ">");
    if (tag === "meta" && el.hasAttribute("http-equiv")) found.push("<meta http-equiv>");
    if (tag === "script" && !(el.src || "").startsWith(location.origin + "/static/")) {
      found.push("<script> " + el.outerHTML.slice(0, 80));
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      // Browsers ignore ASCII whitespace and control characters around and inside a scheme.
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, "");
      if (name.startsWith("on")) found.push(tag + "[" + name + "]");
      if (urlAttributes.includes(name) && scriptish.test(value)) {
        found.push(tag + "[" + name + "=" + attr.value.slice(0, 40) + "]");
      }
    }
  }
  return found;
}"""

# Runs in the page: what each matching container holds.
DESCRIBE_CONTAINERS = """(selector) => [...document.querySelectorAll(selector)].map(el => ({
  text: el.textContent,
  children: [...el.querySelectorAll("*")].map(child => child.tagName.toLowerCase()),
}))"""


class ScriptWatch:
    """Record every dialog and console message a page produces, from before it loads."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        self.console = []
        page.on("dialog", self._on_dialog)
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_nothing_ran(self):
        # Give deferred handlers (onload, onerror of broken images, autofocus) a moment to fire.
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(100)
        assert self.dialogs == [], f"a payload opened a dialog: {self.dialogs}"
        assert self.console == [], f"the page logged errors or messages: {self.console}"
        assert self.page.evaluate("() => window.__xss") is None, "a payload set window.__xss"
        live = self.page.evaluate(FIND_ACTIVE_MARKUP)
        assert live == [], f"payloads became live markup: {live}"


def assert_shown_as_text(page, selector, expected, *, allowed_children=()):
    """Assert each element matching `selector` shows its expected string literally, in order.

    `allowed_children` names the tags the template itself puts inside the container (say, the
    link in a related-link paragraph); anything else inside it came from a payload.
    """
    containers = page.evaluate(DESCRIBE_CONTAINERS, selector)
    assert [c["text"].strip() for c in containers] == [e.strip() for e in expected]
    for container in containers:
        strays = [tag for tag in container["children"] if tag not in allowed_children]
        assert strays == [], f"{strays} escaped into {selector}: {container['text'][:80]!r}"


def open_and_check(page, path):
    """Open `path` with a ScriptWatch attached; return the watch after asserting nothing ran."""
    watch = ScriptWatch(page)
    response = page.goto(path)
    assert response.status == 200
    watch.assert_nothing_ran()
    return watch
