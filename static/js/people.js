// Suggest a username (first.last) while the centre admin types the name, until they type one themselves.
(function () {
  var form = document.getElementById("person-form");
  if (!form) return;
  var first = form.querySelector("[name=first_name]"), last = form.querySelector("[name=last_name]");
  var username = form.querySelector("[name=username]");
  if (!first || !last || !username) return;
  var touched = username.value !== "";
  function plain(s) { return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, ""); }
  function suggest() {
    if (touched) return;
    username.value = [plain(first.value), plain(last.value)].filter(Boolean).join(".");
  }
  username.addEventListener("input", function () { touched = username.value !== ""; });
  first.addEventListener("input", suggest);
  last.addEventListener("input", suggest);
  // The names may already be typed (a slow page, a browser's autofill, a form sent back with errors).
  if (!touched && (first.value || last.value)) suggest();
})();
