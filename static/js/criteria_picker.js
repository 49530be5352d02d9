/* The criteria picker's filter box (templates/assessment/partials/criteria_picker.html): hides the criteria
   that do not hold every typed word, opens the units that hold a match, and puts the units back as they
   were when the box is emptied. Ticked boxes stay ticked (and submitted) while hidden.
   "Open all units" / "Close all units" open or close every unit shown (they are buttons: Enter and Space work)
   and say so in the live region; the page without this script keeps each unit's own heading. */
(function () {
  "use strict";

  function setUp(picker) {
    var box = picker.querySelector("[data-picker-filter]");
    var count = picker.querySelector("[data-picker-count]");
    var units = Array.prototype.slice.call(picker.querySelectorAll("details.picker-unit"));
    var wasOpen = null;
    if (!box) { return; }

    function apply() {
      var words = box.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length; });
      if (words.length && wasOpen === null) {
        wasOpen = units.map(function (u) { return u.open; });
      }
      var shown = 0;
      units.forEach(function (unit, index) {
        var unitMatches = 0;
        unit.querySelectorAll("fieldset.picker-outcome").forEach(function (outcome) {
          var matches = 0;
          outcome.querySelectorAll("label.picker-row").forEach(function (row) {
            var text = row.textContent.toLowerCase();
            var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
            row.hidden = !hit;
            if (hit) { matches += 1; }
          });
          outcome.hidden = matches === 0;
          unitMatches += matches;
        });
        if (words.length) {
          unit.hidden = unitMatches === 0;
          unit.open = unitMatches > 0;
        } else {
          unit.hidden = false;
          if (wasOpen !== null) { unit.open = wasOpen[index]; }
        }
        shown += unitMatches;
      });
      if (!words.length) { wasOpen = null; }
      if (count) {
        count.textContent = words.length ? (shown === 1 ? "1 criterion matches." : shown + " criteria match.") : "";
      }
    }

    function setAll(open) {
      units.forEach(function (unit) { if (!unit.hidden) { unit.open = open; } });
      if (wasOpen !== null) {  // while filtering: emptying the box keeps what was asked for
        wasOpen = units.map(function () { return open; });
      }
      if (count) { count.textContent = open ? "All units open." : "All units closed."; }
    }

    var group = picker.querySelector("[data-picker-all-group]");
    if (group) {
      group.querySelectorAll("[data-picker-all]").forEach(function (button) {
        button.addEventListener("click", function () { setAll(button.getAttribute("data-picker-all") === "open"); });
      });
      group.hidden = false;
    }

    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter in the filter must not submit the form
    });
    if (box.value) { apply(); }
  }

  document.querySelectorAll("[data-picker]").forEach(setUp);
})();
