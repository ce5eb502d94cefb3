// The progress of a UNECE report PDF (templates/requests_app/report_run_detail.html): every 2 seconds, ask the page's
// own address for its JSON status and update the progress bar, the live message and the download link, until the
// run is finished. Without JavaScript the page's "Check again" link does the same by hand.
(function () {
  "use strict";

  const INTERVAL_MS = 2000;

  function start(root) {
    const url = root.dataset.statusUrl;
    const progress = root.querySelector("[data-report-run-progress]");
    const status = root.querySelector("[data-report-run-status]");
    const message = root.querySelector("[data-report-run-message]");
    const download = root.querySelector("[data-report-run-download]");
    const check = root.querySelector("[data-report-run-check]");
    let lastMessage = message ? message.textContent.trim() : "";

    function show(state) {
      if (progress) {
        progress.value = state.progress;
        progress.textContent = state.progress + " %";
      }
      if (status) status.textContent = state.status_label;
      // Only a changed text goes into the live region, so that a screen reader does not repeat it every 2 seconds.
      if (message && state.message !== lastMessage) {
        message.textContent = state.message;
        lastMessage = state.message;
      }
      if (download && state.download_url) {
        download.querySelector("a").href = state.download_url;
        download.hidden = false;
      }
      if (check && state.finished) check.hidden = true;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (state) {
          show(state);
          if (state.finished || state.stale) {
            // A failed or stale run offers to start again: a form that only the page's own HTML has.
            if (!state.download_url) window.location.reload();
            return;
          }
          window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          // Offline or signed out: stop, and leave the "Check again" link.
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  document.querySelectorAll("[data-report-run]").forEach(start);
})();
