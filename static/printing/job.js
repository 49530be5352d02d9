// Polls a printing batch's progress and updates the page until it finishes.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") return;
  const url = box.dataset.statusUrl;
  const bar = document.getElementById("job-bar");
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const job = await response.json();
        document.getElementById("job-status").textContent = job.status_label;
        document.getElementById("job-done").textContent = job.done;
        document.getElementById("job-total").textContent = job.total;
        bar.style.width = job.percent + "%";
        bar.parentElement.setAttribute("aria-valuenow", job.done);
        if (job.error) document.getElementById("job-error").textContent = job.error;
        if (job.finished) {
          if (job.status === "done") document.getElementById("job-download").hidden = false;
          return;
        }
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1500);
  }
  setTimeout(poll, 1000);
})();
