// newsroom embed loader: replaces the placeholder before this script with the conversation's
// frame, sizes it to its content, and passes the page's light or dark preference and theme.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URLSearchParams) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var sibling = script.previousElementSibling;
  var holder = sibling && sibling.hasAttribute("data-newsroom-embed") ? sibling
    : document.querySelector("[data-newsroom-embed]:not([data-newsroom-ready])");
  if (!holder || holder.hasAttribute("data-newsroom-ready")) return;
  holder.setAttribute("data-newsroom-ready", "");
  var VARS = ["ink", "paper", "muted", "rule", "tint", "link", "accent", "sans", "serif", "radius"];
  var dark = window.matchMedia("(prefers-color-scheme: dark)");

  function theme() {
    var mode = data.theme;
    if (mode !== "dark" && mode !== "light") {
      var scheme = getComputedStyle(document.documentElement).colorScheme;
      mode = scheme === "dark" || scheme === "light" ? scheme : dark.matches ? "dark" : "light";
    }
    var style = getComputedStyle(holder), vars = {};
    VARS.forEach(function (name) {
      var value = style.getPropertyValue("--newsroom-" + name).trim();
      if (value) vars[name] = value;
    });
    return { newsroom: "theme", theme: mode, vars: vars };
  }

  var query = new URLSearchParams(), path;
  if (data.story) {
    path = "/embed/" + encodeURIComponent(data.story) + "/";
  } else {
    var canonical = document.querySelector('link[rel="canonical"]');
    path = "/embed/page";
    query.set("url", data.url || (canonical && canonical.href) || location.href.split("#")[0]);
    query.set("title", data.title || document.title);
    if (data.expires) query.set("exp", data.expires);
    if (data.signature) query.set("sig", data.signature);
  }
  if (data.sort) query.set("sort", data.sort);
  var first = theme();
  var hash = new URLSearchParams({ origin: location.origin, theme: first.theme, vars: JSON.stringify(first.vars) });
  var frame = document.createElement("iframe");
  frame.src = origin + path + (String(query) ? "?" + query : "") + "#" + hash;
  frame.title = holder.getAttribute("data-label") || holder.textContent.trim() || "Comments";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "display:block;width:100%;border:0;height:" + (parseInt(data.height, 10) || 480) + "px";

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.newsroom === "height") {
      var height = Number(message.height);
      if (height > 0 && height < 200000) frame.style.height = Math.ceil(height) + "px";
    } else if (message.newsroom === "ready") {
      send();
    }
  });
  function send() { if (frame.contentWindow) frame.contentWindow.postMessage(theme(), origin); }
  if (dark.addEventListener) dark.addEventListener("change", send);
  // Frames on one page open one after another: the first sets the frame's CSRF cookie, which
  // the next then shares (two first visits at once would each get a secret, and one would lose).
  var before = window.newsroomEmbeds || Promise.resolve();
  window.newsroomEmbeds = before.then(function () {
    return new Promise(function (done) {
      frame.addEventListener("load", done);
      frame.addEventListener("error", done);
      holder.replaceChildren(frame);
    });
  });
})();
