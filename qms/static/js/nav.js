// The phone menu button, and a hint above tables wider than their box. Without this script the
// menu still opens (the button is a link to #mainnav, shown by :target) and tables still scroll.
(function () {
  "use strict";
  var script = document.currentScript;
  var hintText = (script && script.dataset.scrollHint) || "";

  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var header = document.querySelector(".topbar");
    if (!toggle || !header) return;
    toggle.setAttribute("role", "button");
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("nav-open")) {
        header.classList.remove("nav-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  function markWideTables() {
    if (!hintText) return;
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      var previous = wrap.previousElementSibling;
      var hint = previous && previous.classList.contains("scroll-hint") ? previous : null;
      if (wide && !hint) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = hintText;
        wrap.parentNode.insertBefore(hint, wrap);
        // A box that scrolls must be reachable from the keyboard to be scrolled without a mouse.
        if (!wrap.hasAttribute("tabindex")) wrap.setAttribute("tabindex", "0");
      } else if (!wide && hint) {
        hint.remove();
      }
    });
  }

  setUpMenu();
  markWideTables();
  var pending = 0;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markWideTables, 150);
  });
})();
