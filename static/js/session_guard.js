/* 滞納整理システム: warns before the idle timeout ends the session and keeps unsent forms.
 *
 * - SESSION_IDLE_MINUTES after the last page the server served, the server ends the session. This
 *   script shows a warning WARN seconds before, with 「操作を続ける」, which asks the server once
 *   (POST /accounts/keepalive/, a staff action: it moves the idle clock) and starts counting again.
 * - While a POST form on the page is being filled, what is typed is kept in sessionStorage (this
 *   tab only, gone when the tab closes), under the page's path. When the time runs out, the page
 *   goes to the login page with ?next= back here; after signing in again, the page offers
 *   「入力を復元する」. Never kept: passwords, hidden fields (tokens), files, and any field whose
 *   name mentions 個人番号 (individual_number) or that is marked data-no-keep. Sending the form
 *   forgets what was kept.
 * The page works without this script: it only adds the warning and the restore. */
(function () {
  "use strict";
  var body = document.body;
  // what is left of the idle time when the page was served (the server records its idle clock at
  // most once a minute, so this may be less than the whole), and the whole, counted again after
  // 「操作を続ける」, which always moves the server's clock
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var whole = parseInt(body.getAttribute("data-idle-timeout") || "0", 10) || idle;
  if (!idle) return;
  var warnSeconds = parseInt(body.getAttribute("data-warn-seconds") || "120", 10);
  var warnBefore = Math.max(0, Math.min(warnSeconds, idle - 5));
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var loginUrl = body.getAttribute("data-login-url");
  var staff = body.getAttribute("data-staff") || "";
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var storageKey = "wako:form:" + staff + ":" + location.pathname;
  var NEVER = /individual_number|my_?number|kojin/i;

  function keepable(field) {
    if (!field.name || field.disabled) return false;
    var type = (field.type || "").toLowerCase();
    if (type === "password" || type === "hidden" || type === "file" || type === "submit" || type === "button") return false;
    if (NEVER.test(field.name) || field.hasAttribute("data-no-keep") || field.closest("[data-no-keep]")) return false;
    return true;
  }

  function forms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      return (form.method || "").toLowerCase() === "post" && !form.hasAttribute("data-no-keep");
    });
  }

  function snapshot() {
    var kept = [];
    forms().forEach(function (form, index) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!keepable(field)) return;
        var type = (field.type || "").toLowerCase();
        if ((type === "checkbox" || type === "radio") && !field.checked) return;
        if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.selectedOptions, function (o) { kept.push([index, field.name, o.value]); });
          return;
        }
        if (field.value !== "" && field.value !== field.defaultValue) kept.push([index, field.name, field.value]);
      });
    });
    return kept;
  }

  function save() {
    try {
      var kept = snapshot();
      if (kept.length) sessionStorage.setItem(storageKey, JSON.stringify(kept));
    } catch (e) { /* storage full or off: nothing to keep */ }
  }

  function forget() {
    try { sessionStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
  }

  function restore(kept) {
    var all = forms();
    kept.forEach(function (item) {
      var form = all[item[0]];
      if (!form) return;
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== item[1] || !keepable(field)) return;
        var type = (field.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") { if (field.value === item[2]) field.checked = true; }
        else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { if (o.value === item[2]) o.selected = true; });
        } else field.value = item[2];
      });
    });
  }

  function offerRestore() {
    var raw;
    try { raw = sessionStorage.getItem(storageKey); } catch (e) { return; }
    if (!raw || !forms().length) return;
    var kept = JSON.parse(raw);
    var box = document.createElement("div");
    box.className = "messages session-restore";
    box.setAttribute("role", "status");
    box.innerHTML = '<p class="message info">この画面で送信されなかった入力が残っています（ログアウト前の入力）。 ' +
      '<button type="button" data-act="restore">入力を復元する</button> <button type="button" class="link" data-act="discard">破棄する</button></p>';
    box.addEventListener("click", function (event) {
      var act = event.target.getAttribute("data-act");
      if (!act) return;
      if (act === "restore") restore(kept);
      forget();
      box.remove();
    });
    var main = document.querySelector("main");
    main.insertBefore(box, main.firstChild);
  }

  var warning = null;
  var warnTimer = null;
  var endTimer = null;

  function expire() {
    save();
    location.href = loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
  }

  function showWarning() {
    if (warning) return;
    warning = document.createElement("div");
    warning.className = "session-warning";
    warning.setAttribute("role", "alertdialog");
    warning.setAttribute("aria-live", "assertive");
    warning.innerHTML = "<p><strong>操作がないため、まもなく自動的にログアウトします。</strong>" +
      "入力中の内容はこの画面に残し、もう一度ログインしたあとで復元できます。</p>" +
      '<p><button type="button" data-act="continue">操作を続ける</button></p>';
    warning.addEventListener("click", function (event) {
      if (event.target.getAttribute("data-act") !== "continue") return;
      var request = new XMLHttpRequest();
      request.open("POST", keepaliveUrl);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.onload = function () {
        if (request.status === 204) {
          warning.remove();
          warning = null;
          idle = whole;
          warnBefore = Math.max(0, Math.min(warnSeconds, idle - 5));
          schedule();
        } else { expire(); }
      };
      request.onerror = expire;
      request.send();
    });
    document.body.appendChild(warning);
    warning.querySelector("button").focus();
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(showWarning, (idle - warnBefore) * 1000);
    endTimer = setTimeout(expire, (idle + 2) * 1000);
  }

  document.addEventListener("input", function (event) {
    if (event.target.form && forms().indexOf(event.target.form) >= 0) save();
  });
  document.addEventListener("submit", forget);
  offerRestore();
  schedule();
})();
