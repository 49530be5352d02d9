// Live tally on the registration form: total credits, credits per level and units ticked per group, updated as
// boxes are ticked. The server works out the full rules of combination on "Update the tally" and on submit, so
// the form works the same without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) { return; }
  var boxes = form.querySelectorAll("input.unit-box");
  function update() {
    var total = 0, levels = {}, groups = {};
    boxes.forEach(function (box) {
      if (!box.checked) { return; }
      var credits = parseInt(box.dataset.credits, 10) || 0;
      total += credits;
      levels[box.dataset.level] = (levels[box.dataset.level] || 0) + credits;
      if (box.dataset.group) { groups[box.dataset.group] = (groups[box.dataset.group] || 0) + 1; }
    });
    var totalNode = document.getElementById("tally-credits");
    if (totalNode) { totalNode.textContent = String(total); }
    form.querySelectorAll(".tally-level").forEach(function (node) {
      node.textContent = String(levels[node.dataset.level] || 0);
    });
    form.querySelectorAll("fieldset.unit-group").forEach(function (fieldset) {
      var name = fieldset.dataset.group, legend = fieldset.querySelector("legend");
      if (!legend || name === "Mandatory units") { return; }
      var count = groups[name] || 0, note = legend.querySelector(".group-count");
      if (!note) { note = document.createElement("span"); note.className = "group-count small ms-2"; legend.appendChild(note); }
      note.textContent = count ? "(" + count + " ticked)" : "(none ticked yet)";
      note.classList.toggle("text-danger", !count);
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
}());
