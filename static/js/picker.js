// Candidate pickers: a text field (data-suggest-url) taking usernames or candidate numbers, with suggestions
// from the centre's small JSON endpoint as the admin types. Without JavaScript the typed name is checked by
// the server; with it, choosing a suggestion writes the username into the field (the last name in a list).
(function () {
  var fields = document.querySelectorAll("[data-suggest-url]");
  Array.prototype.forEach.call(fields, function (field) {
    var list = document.createElement("ul");
    list.className = "list-group picker-suggestions";
    list.id = field.id + "-suggestions";
    list.setAttribute("aria-label", "Suggestions");
    field.setAttribute("aria-controls", list.id);
    field.insertAdjacentElement("afterend", list);
    var timer = null, asked = "";
    var many = field.tagName === "TEXTAREA";

    function url() {
      var centre = field.form && field.form.querySelector("[name=centre]");
      var template = field.getAttribute("data-suggest-template");
      if (centre && centre.value && template) return template.replace("{centre}", centre.value);
      return field.getAttribute("data-suggest-url");
    }
    function cut() {  // where the name being typed starts
      if (!many) return 0;
      return Math.max(field.value.lastIndexOf(","), field.value.lastIndexOf("\n")) + 1;
    }
    function clear() { while (list.firstChild) list.removeChild(list.firstChild); }
    function choose(username) {
      field.value = field.value.slice(0, cut()).replace(/,$/, ", ") + username + (many ? "\n" : "");
      clear();
      field.focus();
    }
    function show(results) {
      clear();
      results.forEach(function (r) {
        var item = document.createElement("li");
        item.className = "list-group-item p-0";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-link btn-sm text-start w-100 picker-choice";
        button.textContent = r.label;
        button.addEventListener("click", function () { choose(r.username); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = field.value.slice(cut()).trim();
      if (typed.length < 2) { clear(); return; }
      timer = setTimeout(function () {
        asked = typed;
        fetch(url() + "?q=" + encodeURIComponent(typed), {credentials: "same-origin",
                                                          headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) { if (asked === typed) show(data.results || []); })
          .catch(clear);
      }, 200);
    });
  });
})();
