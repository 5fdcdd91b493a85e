/* The attempt page: autosave, count down from the server's deadline, warn before time runs out
   and submit at the deadline. The form works without it (it posts every answer).

   Autosave: changed answers are sent together, at most every ~2 s (data-autosave-interval), and
   at once when the page is hidden (sendBeacon). Until the server acknowledges an answer it is
   kept in localStorage, so a reload, a closed tab or a lost connection loses nothing: on load
   the kept answers are put back into the form and sent again; they are resent when the
   connection returns. The request carries the page's autosave token, which lets the server
   answer it on its lean path (quiz/autosave.py); if the token is refused, the page falls back
   to the session and its CSRF token. Texts come translated from the template (data-msg-*). */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  function attr(name) { return form.getAttribute("data-" + name) || ""; }
  function fill(text, value) { return text.replace("%s", value); }
  var total = parseInt(attr("total"), 10);
  var deadline = parseInt(attr("deadline"), 10) * 1000;
  var serverNow = parseInt(attr("server-now"), 10) * 1000;
  var warningMs = parseInt(attr("warning-seconds"), 10) * 1000;
  var interval = parseInt(attr("autosave-interval"), 10) || 2000;
  var skew = serverNow - Date.now(); // the phone's clock may be wrong; the server's counts
  var answeredEl = form.querySelector("[data-answered]");
  var progressEl = form.querySelector("[data-progress]");
  var countdownEl = form.querySelector("[data-countdown]");
  var warningEl = form.querySelector("[data-time-warning]");
  var statusEl = form.querySelector("[data-save-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var url = attr("autosave-url");
  var token = attr("autosave-token");
  var storageKey = "quiz-answers-" + attr("attempt");
  var pending = {};      // position → index, not yet acknowledged by the server
  var inFlight = null;   // the batch being sent
  var lastSent = 0;
  var timer = null;
  var closed = false;    // the server said the attempt is over: stop sending
  var submitting = false;

  // --- localStorage: the answers the server has not acknowledged yet --------------------------
  function store() {
    try {
      if (Object.keys(pending).length) {
        localStorage.setItem(storageKey, JSON.stringify({ answers: pending, at: Date.now() }));
      } else {
        localStorage.removeItem(storageKey);
      }
    } catch (e) { /* private mode or full: the answers still go to the server */ }
  }
  function restore() {
    var kept = {};
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf("quiz-answers-") === 0 && key !== storageKey) {
          var old = JSON.parse(localStorage.getItem(key) || "{}");
          if (!old.at || Date.now() - old.at > 86400000) { localStorage.removeItem(key); }
        }
      }
      kept = (JSON.parse(localStorage.getItem(storageKey) || "{}").answers) || {};
    } catch (e) { kept = {}; }
    var n = 0;
    Object.keys(kept).forEach(function (position) {
      var input = form.querySelector("input[type=radio][name='q" + parseInt(position, 10) + "'][value='" + parseInt(kept[position], 10) + "']");
      if (input) {
        input.checked = true;
        pending[position] = parseInt(kept[position], 10);
        n++;
      }
    });
    return n;
  }

  // --- Sending ---------------------------------------------------------------------------------
  function body(batch) {
    var data = new URLSearchParams();
    if (token) { data.append("token", token); }
    Object.keys(batch).forEach(function (position) { data.append("q" + position, batch[position]); });
    return data;
  }
  function say(text) { statusEl.textContent = text; }
  function schedule(delay) {
    if (timer || closed) { return; }
    timer = setTimeout(function () { timer = null; flush(); }, Math.max(0, delay));
  }
  function acknowledge(batch, saved) {
    saved.forEach(function (position) {
      if (pending[position] === batch[position]) { delete pending[position]; }
    });
    store();
    if (saved.length === 1) { say(fill(attr("msg-saved-one"), saved[0])); }
    else if (saved.length > 1) { say(fill(attr("msg-saved-many"), saved.join(", "))); }
  }
  function flush() {
    if (closed || inFlight || !Object.keys(pending).length) { return; }
    var wait = lastSent + interval - Date.now();
    if (wait > 0) { schedule(wait); return; }
    var batch = {};
    Object.keys(pending).forEach(function (position) { batch[position] = pending[position]; });
    inFlight = batch;
    lastSent = Date.now();
    var headers = { "X-Requested-With": "fetch" };
    if (!token) { headers["X-CSRFToken"] = csrf; }
    fetch(url, { method: "POST", body: body(batch), credentials: "same-origin", headers: headers, keepalive: true })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) { throw new Error("not an autosave answer"); }
        return response.json().then(function (data) {
          inFlight = null;
          if (response.status === 403 && token) {
            token = "";  // the session changed since the page was loaded: use the session path
            lastSent = 0;
          } else if (response.ok) {
            acknowledge(batch, data.saved || []);
          } else {
            acknowledge(batch, data.saved || []);
            say(data.message || attr("msg-refused"));
            if (response.status === 409) { closed = true; return; }
            if (response.status === 400) {
              // A refused answer is not sent again (the final submit still carries the form).
              Object.keys(batch).forEach(function (position) {
                if (pending[position] === batch[position]) { delete pending[position]; }
              });
              store();
            }
          }
          schedule(0);
        });
      })
      .catch(function () {
        // Offline or the server unreachable: keep everything and try again.
        inFlight = null;
        say(attr("msg-offline"));
        schedule(3000);
      });
  }
  function beacon() {
    // The page is being hidden or left: send what is pending now, without waiting for the
    // interval. Nothing is acknowledged, so it stays stored and is sent again if the page comes back.
    if (closed || submitting || !token || !Object.keys(pending).length || !navigator.sendBeacon) { return; }
    navigator.sendBeacon(url, body(pending));
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio" || input.name.charAt(0) !== "q") { return; }
    updateProgress();
    pending[parseInt(input.name.slice(1), 10)] = parseInt(input.value, 10);
    store();
    flush();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beacon(); } else { flush(); }
  });
  window.addEventListener("pagehide", beacon);
  window.addEventListener("online", function () { lastSent = 0; flush(); });

  // --- Progress, submit, countdown -----------------------------------------------------------
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

  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    var unanswered = total - answered();
    if (unanswered > 0 && !form.hasAttribute("data-time-up") && !window.confirm(fill(attr("msg-confirm"), unanswered))) {
      event.preventDefault();
      return;
    }
    // The form carries every answer; what is stored stays until the next page load of this
    // attempt (a submit that fails offline loses nothing).
    submitting = true;
    var button = form.querySelector("[data-submit]");
    button.setAttribute("aria-disabled", "true");
    button.textContent = attr("msg-submitting");
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

  var restored = restore();
  updateProgress();
  if (restored) { say(fill(attr("msg-restored"), restored)); flush(); }
  tick();
})();
