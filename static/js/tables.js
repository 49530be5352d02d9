/* Wide tables show that they scroll (issue 17 item 4): a `.table-responsive` wrapper whose table is wider than
 * the screen gets the class `is-scrollable` (a visible scrollbar and an edge shade, site.css), a hint above it,
 * and becomes a focusable, named region so that keyboard users can scroll it too. Re-checked on resize.
 */
(function () {
  "use strict";
  var HINT = "Scroll sideways to see every column.";

  function check(wrapper) {
    var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
    wrapper.classList.toggle("is-scrollable", scrolls);
    var hint = wrapper.previousElementSibling;
    var hasHint = hint && hint.classList.contains("scroll-hint");
    if (scrolls) {
      if (!hasHint) {
        hint = document.createElement("p");
        hint.className = "scroll-hint small text-muted mb-1";
        hint.textContent = HINT;
        wrapper.parentNode.insertBefore(hint, wrapper);
      }
      if (!wrapper.hasAttribute("tabindex")) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        var caption = wrapper.querySelector("caption");
        wrapper.setAttribute("aria-label", (caption ? caption.textContent.trim() + ": " : "") + "wide table, scrolls sideways");
        wrapper.dataset.madeFocusable = "1";
      }
      var atEnd = wrapper.scrollLeft + wrapper.clientWidth >= wrapper.scrollWidth - 1;
      wrapper.classList.toggle("scrolled-to-end", atEnd);
    } else {
      if (hasHint) { hint.remove(); }
      if (wrapper.dataset.madeFocusable) {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
        delete wrapper.dataset.madeFocusable;
      }
    }
  }

  function checkAll() {
    document.querySelectorAll("main .table-responsive").forEach(check);
  }

  document.querySelectorAll("main .table-responsive").forEach(function (wrapper) {
    wrapper.addEventListener("scroll", function () { check(wrapper); }, { passive: true });
  });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(checkAll);
  });
  checkAll();
})();
