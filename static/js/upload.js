/* Evidence upload: drag and drop or the file picker, one XHR per file with its own progress bar.
 * Vanilla JS, no dependencies. Without JavaScript the form still posts all files in one request.
 * Each file is sent with a stable idempotency token, so a retry or a double click never makes a duplicate.
 * On a phone the Upload button sits far below the progress bars: pressing it scrolls them into view, and each
 * file's result is announced to screen readers (the #upload-announcements log) as well as shown on its row.
 * The shared Title applies to every file whose own title the candidate has not edited.
 */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }

  var input = document.getElementById("id_files");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("file-list");
  var status = document.getElementById("upload-status");
  var progressArea = document.getElementById("upload-progress") || status;
  var announcements = document.getElementById("upload-announcements");
  var sharedTitle = form.querySelector("input[name=title]");
  var button = document.getElementById("upload-button");
  var rowTemplate = document.getElementById("file-row");
  var maxSize = parseInt(form.dataset.maxSize, 10);
  var maxFiles = parseInt(form.dataset.maxFiles, 10);
  var accepted = (form.dataset.accept || "").split(",");
  var tokenInput = form.querySelector("input[name=token]");
  var baseToken = tokenInput ? tokenInput.value : String(Date.now());
  var queue = [];
  var counter = 0;
  var busy = false;

  function humanSize(bytes) {
    var units = ["bytes", "KB", "MB", "GB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function setProgress(entry, percent) {
    var bar = entry.row.querySelector(".progress-bar");
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    entry.row.querySelector(".progress").setAttribute("aria-valuenow", String(percent));
  }

  function announce(text) {
    if (!announcements) { return; }
    var line = document.createElement("p");
    line.textContent = text;
    announcements.appendChild(line);
  }

  function titleFor(entry) {
    var own = entry.row.querySelector(".file-title");
    var shared = sharedTitle ? sharedTitle.value.trim() : "";
    return (shared && !entry.titleEdited) ? shared : own.value;
  }

  function setMessage(entry, text, kind) {
    var box = entry.row.querySelector(".file-message");
    box.textContent = "";
    box.className = "file-message small mt-1 " + (kind === "error" ? "text-danger" : "text-success");
    if (kind === "done" && entry.url) {
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = text;
      box.appendChild(link);
    } else {
      box.textContent = text;
    }
  }

  function addFiles(files) {
    status.textContent = "";
    var pending = queue.filter(function (e) { return e.state === "queued"; }).length;
    for (var i = 0; i < files.length; i++) {
      var file = files[i];
      var fragment = rowTemplate.content.cloneNode(true);
      var row = fragment.querySelector("li");
      var id = "file-" + (++counter);
      row.id = id;
      row.querySelector(".file-name").textContent = file.name;
      row.querySelector(".file-size").textContent = humanSize(file.size);
      var title = row.querySelector(".file-title");
      title.id = id + "-title";
      var shared = sharedTitle ? sharedTitle.value.trim() : "";
      title.value = shared || file.name.replace(/\.[^.]+$/, "");
      title.dataset.fileName = file.name.replace(/\.[^.]+$/, "");
      row.querySelector("label").setAttribute("for", title.id);
      row.querySelector(".progress").setAttribute("aria-label", "Upload progress for " + file.name);
      list.appendChild(fragment);
      var entry = { file: file, row: document.getElementById(id), id: counter, state: "queued", url: null,
                    titleEdited: false };
      queue.push(entry);
      (function (entry) {
        entry.row.querySelector(".file-title").addEventListener("input", function () { entry.titleEdited = true; });
      })(entry);
      if (file.size === 0) {
        entry.state = "refused";
        setMessage(entry, "“" + file.name + "” is empty (0 bytes). Choose the file again.", "error");
      } else if (file.size > maxSize) {
        entry.state = "refused";
        setMessage(entry, "“" + file.name + "” is larger than the " + form.dataset.maxSizeText + " limit.", "error");
      } else if (accepted.indexOf(extensionOf(file.name)) === -1) {
        entry.state = "refused";
        setMessage(entry, "“" + file.name + "”: this type of file is not accepted.", "error");
      } else if (++pending > maxFiles) {
        entry.state = "refused";
        setMessage(entry, "Too many files in one go: at most " + maxFiles + " at a time. Upload this one in another batch.", "error");
      }
    }
    // The picker's own selection is not sent: the queue is. Clearing it lets the same file be picked again.
    input.value = "";
  }

  input.addEventListener("change", function () { addFiles(input.files); });
  // Files chosen before this script ran (a slow phone, a quick hand) fired their change event unheard: queue them.
  if (input.files && input.files.length) { addFiles(input.files); }

  // Typing the shared title shows it on every file whose own title was not edited (empty: back to the names).
  if (sharedTitle) {
    sharedTitle.addEventListener("input", function () {
      var shared = sharedTitle.value.trim();
      queue.forEach(function (entry) {
        if (entry.titleEdited) { return; }
        var own = entry.row.querySelector(".file-title");
        own.value = shared || own.dataset.fileName;
      });
    });
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("dragover");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) { addFiles(event.dataTransfer.files); }
  });

  function commonFields() {
    var data = new FormData(form);
    data.delete("files");
    data.delete("token");
    data.delete("title");
    return data;
  }

  function send(entry) {
    return new Promise(function (resolve) {
      var data = commonFields();
      data.append("title", titleFor(entry));
      data.append("token", baseToken + "-f" + entry.id);
      data.append("files", entry.file, entry.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { setProgress(entry, Math.min(99, Math.round(event.loaded * 100 / event.total))); }
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (answer && answer.ok && answer.items.length) {
          entry.state = "done";
          entry.url = answer.items[0].url;
          setProgress(entry, 100);
          setMessage(entry, "Uploaded: open “" + answer.items[0].title + "”", "done");
          announce(entry.file.name + " uploaded as “" + answer.items[0].title + "”.");
        } else {
          entry.state = (answer && answer.errors) ? "refused" : "queued";
          var text = answer && answer.errors && answer.errors.length ? answer.errors.join(" ")
            : "The upload failed (" + xhr.status + "). Try again.";
          // A refused file was not saved: its bar goes back to 0%, and its row says why.
          setProgress(entry, 0);
          setMessage(entry, text, "error");
          announce(entry.file.name + " not uploaded: " + text);
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        setProgress(entry, 0);
        setMessage(entry, "The connection dropped. Nothing was saved for this file; press Upload to try again.", "error");
        announce(entry.file.name + ": the connection dropped, nothing was saved.");
        resolve();
      });
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    var declaration = form.querySelector("input[name=declaration]");
    if (declaration && !declaration.checked) {
      status.className = "alert alert-danger";
      status.textContent = "Tick the declaration to confirm that the evidence provided is a result of your own work.";
      declaration.focus();
      return;
    }
    var todo = queue.filter(function (e) { return e.state === "queued"; });
    if (!todo.length) {
      status.className = "alert alert-warning";
      status.textContent = "Choose at least one file to upload.";
      return;
    }
    busy = true;
    button.disabled = true;
    status.className = "";
    status.textContent = "Uploading " + todo.length + " file" + (todo.length > 1 ? "s" : "") + "…";
    if (announcements) { announcements.textContent = ""; }
    // The progress bars are far above the button on a phone: bring them into view. At once, not smoothly (the
    // stylesheet's scroll-behavior): a quick upload changed the page while the smooth scroll was still moving
    // and it stopped 110 px past the area, the result message off the top of the screen.
    progressArea.scrollIntoView({ block: "start", behavior: "instant" });
    status.focus({ preventScroll: true });
    // One file at a time: kinder to a phone's connection, and the progress bars read in order.
    todo.reduce(function (chain, entry) {
      return chain.then(function () { return send(entry); });
    }, Promise.resolve()).then(function () {
      busy = false;
      button.disabled = false;
      var done = queue.filter(function (e) { return e.state === "done"; }).length;
      var failed = queue.filter(function (e) { return e.state !== "done"; }).length;
      status.className = failed ? "alert alert-warning" : "alert alert-success";
      status.textContent = "";
      status.appendChild(document.createTextNode(
        done + " file" + (done === 1 ? "" : "s") + " uploaded" + (failed ? ", " + failed + " not uploaded. " : ". ")));
      var link = document.createElement("a");
      link.href = form.dataset.listUrl;
      link.textContent = "See all my evidence";
      status.appendChild(link);
    });
  });
})();
