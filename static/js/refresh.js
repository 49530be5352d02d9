// Pages with work under way in the background (a sample being generated): reload every few seconds while an
// element carries data-refresh-seconds. Without JavaScript the page offers a refresh link instead.
(function () {
  "use strict";
  var el = document.querySelector("[data-refresh-seconds]");
  if (!el) { return; }
  var seconds = parseInt(el.getAttribute("data-refresh-seconds"), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
}());
