// The conversation inside an embedding site's frame: tells the host its height, takes the host's
// theme, and keeps sign-in inside the frame. site.js does everything else, as on our own pages.
(function () {
  "use strict";
  var main = document.querySelector("[data-embed-frame]");
  if (!main || window.parent === window) return;
  var root = document.documentElement;
  var KEY = "newsroom-embed";
  // Custom properties a host may set, and values that cannot reach out (no url(), no escapes).
  var VARS = ["ink", "paper", "muted", "rule", "tint", "link", "accent", "sans", "serif", "radius"];
  var SAFE = /^[#\w\s.,%()"'+-]{1,80}$/;

  function stored() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (error) { return {}; }
  }
  function originOf(text) {
    try {
      var url = new URL(text);
      return /^https?:$/.test(url.protocol) ? url.origin : "";
    } catch (error) { return ""; }
  }

  var hash = new URLSearchParams(location.hash.slice(1));
  var saved = stored();
  // The browser's word on who frames us comes first; the loader's (in the hash) elsewhere.
  var ancestors = location.ancestorOrigins;
  var host = originOf(ancestors && ancestors.length ? ancestors[0] : hash.get("origin") || saved.host);
  var vars = saved.vars || {};
  try { vars = JSON.parse(hash.get("vars")) || vars; } catch (error) { /* keep the saved ones */ }
  apply({ theme: hash.get("theme") || saved.theme, vars: vars });

  function apply(data) {
    if (data.theme === "dark" || data.theme === "light") root.setAttribute("data-theme", data.theme);
    var given = data.vars && typeof data.vars === "object" ? data.vars : {};
    VARS.forEach(function (name) {
      var value = given[name];
      if (typeof value === "string" && SAFE.test(value) && !/url\s*\(/i.test(value)) {
        root.style.setProperty("--" + name, value);
      }
    });
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ host: host, theme: root.getAttribute("data-theme"), vars: given }));
    } catch (error) { /* storage blocked: the hash still themes this page */ }
  }

  function tell(message) {
    if (host) window.parent.postMessage(message, host);  // only a host of that origin gets it
  }

  if (host) {
    root.classList.add("embed--sized");
    var last = 0;
    var size = function () {
      var height = Math.ceil(root.getBoundingClientRect().height);
      if (height !== last) { last = height; tell({ newsroom: "height", height: height }); }
    };
    if (window.ResizeObserver) new ResizeObserver(size).observe(document.body);
    window.addEventListener("load", size);
    window.addEventListener("resize", size);  // the host's width changed: the height follows
    size();
    tell({ newsroom: "ready" });
  }

  window.addEventListener("message", function (event) {
    if (!host || event.origin !== host || event.source !== window.parent) return;
    var data = event.data;
    if (data && typeof data === "object" && data.newsroom === "theme") apply(data);
  });

  // "Log in" links lead to our own sign-in page: in the frame, sign in inside it instead.
  var login = main.getAttribute("data-login-url");
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href*="/accounts/login/"]');
    if (link && login) {
      event.preventDefault();
      location.assign(login + location.hash);  // the host's origin and theme come along
    }
  });
})();
