/* The attempt page: autosave each answer as it is chosen, count down from the server's
   deadline, warn before time runs out and submit at the deadline. The form works without it. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var total = parseInt(form.getAttribute("data-total"), 10);
  var deadline = parseInt(form.getAttribute("data-deadline"), 10) * 1000;
  var serverNow = parseInt(form.getAttribute("data-server-now"), 10) * 1000;
  var warningMs = parseInt(form.getAttribute("data-warning-seconds"), 10) * 1000;
  var skew = serverNow - Date.now(); // the phone's clock may be wrong; the server's counts
  var answeredEl = form.querySelector("[data-answered]");
  var progressEl = form.querySelector("[data-progress]");
  var countdownEl = form.querySelector("[data-countdown]");
  var warningEl = form.querySelector("[data-time-warning]");
  var statusEl = form.querySelector("[data-save-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var url = form.getAttribute("data-autosave-url");
  var pending = {};
  var submitting = false;

  function answered() {
    var names = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (i) { names[i.name] = true; });
    return Object.keys(names).length;
  }
  function updateProgress() {
    var n = answered();
    answeredEl.textContent = n;
    progressEl.value = n;
  }
  function say(text) { statusEl.textContent = text; }

  function save(position, index, tries) {
    pending[position] = index;
    var body = new URLSearchParams({ position: position, index: index });
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.ok) {
        if (pending[position] === index) { delete pending[position]; }
        say("Đã lưu câu " + position + ".");
        return;
      }
      return response.json().then(function (data) { say(data.message || "Không lưu được câu trả lời."); });
    }).catch(function () {
      // Offline: keep the answer and retry; the final submit also carries every answer.
      say("Mất kết nối — câu trả lời sẽ được lưu khi có mạng trở lại.");
      if ((tries || 0) < 20) { setTimeout(function () { if (pending[position] === index) { save(position, index, (tries || 0) + 1); } }, 3000); }
    });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio" || input.name.charAt(0) !== "q") { return; }
    updateProgress();
    save(parseInt(input.name.slice(1), 10), parseInt(input.value, 10));
  });

  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    var unanswered = total - answered();
    if (unanswered > 0 && !form.hasAttribute("data-time-up") &&
        !window.confirm("Còn " + unanswered + " câu chưa trả lời. Nộp bài?")) {
      event.preventDefault();
      return;
    }
    submitting = true;
    var button = form.querySelector("[data-submit]");
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Đang nộp bài…";
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = deadline - (Date.now() + skew);
    if (left <= 0) {
      countdownEl.textContent = "00:00";
      if (!submitting) { form.setAttribute("data-time-up", ""); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    var secs = Math.ceil(left / 1000);
    var h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
    countdownEl.textContent = (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
    if (left <= warningMs) {
      warningEl.hidden = false;
      countdownEl.parentNode.classList.add("is-urgent");
    }
    setTimeout(tick, 250);
  }
  updateProgress();
  tick();
})();
