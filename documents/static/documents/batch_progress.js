// Updates a batch's progress bar without reloading, until the batch has finished.
(function () {
  "use strict";
  function start() {
    var box = document.querySelector(".progress-box");
    if (!box || box.dataset.finished === "1") { return; }
    var bar = document.getElementById("batch-progress");
    var text = document.getElementById("batch-progress-text");
    var status = document.getElementById("batch-status");
    function poll() {
      // X-Wako-Polling: this request is not the officer's activity and must not keep an idle
      // session alive. Once the session has ended (401) the page reloads into the login page.
      fetch(box.dataset.progressUrl, {
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Wako-Polling": "1" }
      })
        .then(function (response) {
          if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
          return response.json();
        })
        .then(function (data) {
          if (!data) { return; }
          bar.max = data.total; bar.value = data.rendered;
          text.textContent = data.rendered.toLocaleString("ja-JP") + " / " + data.total.toLocaleString("ja-JP") + "件 作成";
          status.textContent = data.status_label;
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
