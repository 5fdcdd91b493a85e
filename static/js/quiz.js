/* The attempt page: autosave, count down from the server's deadline, warn before time runs out
   and submit at the deadline. The form works without it (it posts every answer).

   Autosave: changed answers are sent together, at most every ~2 s (data-autosave-interval), and
   at once when the page is hidden (sendBeacon). Until the server acknowledges an answer it is
   kept in localStorage, so a reload, a closed tab or a lost connection loses nothing: on load
   the kept answers are put back into the form and sent again; they are resent when the
   connection returns. The request carries the page's autosave token, which lets the server
   answer it on its lean path (quiz/autosave.py); if the token is refused, the page falls back
   to the session and its CSRF token. Texts come translated from the template (data-msg-*).

   The bar at the top of the screen (sticky) holds the countdown, the progress (the prediction
   question counts as one), the save status and the way to the questions: "Các câu" lists them
   all (links, so it works without JavaScript), "Câu chưa làm" jumps to the next unanswered one.
   "Nộp bài" first makes sure the server can be reached (a small autosave round trip): offline,
   the page stays, says so, and submits by itself when the connection returns.

   Reloaded without a network, the page may be the service worker's copy (quiz/templates/quiz/
   sw.js), marked data-served="copy": it was rendered when it was last loaded online, so the
   answers the server acknowledged since then (kept here as "seen") are put back, the clock
   learnt online is used for the countdown, and the page says it is offline until the server
   answers again. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  function attr(name) { return form.getAttribute("data-" + name) || ""; }
  function fill(text, value) { return text.replace("%s", value); }
  function fillNamed(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  var total = parseInt(attr("total"), 10);
  var deadline = parseInt(attr("deadline"), 10) * 1000;
  var serverNow = parseInt(attr("server-now"), 10) * 1000;
  var warningMs = parseInt(attr("warning-seconds"), 10) * 1000;
  var interval = parseInt(attr("autosave-interval"), 10) || 2000;
  var servedCopy = attr("served") === "copy";
  var seenKey = "quiz-seen-" + attr("attempt");
  var seen = readSeen();
  // The phone's clock may be wrong; the server's counts. A copy's server time is old: the
  // difference measured on the last load from the server stands in for it.
  var skew = servedCopy && typeof seen.skew === "number" ? seen.skew : serverNow - Date.now();
  var answeredEl = form.querySelector("[data-answered]");
  var progressEl = form.querySelector("[data-progress]");
  var countdownEl = form.querySelector("[data-countdown]");
  var warningEl = form.querySelector("[data-time-warning]");
  var statusEl = form.querySelector("[data-save-status]");
  var barEl = form.querySelector("[data-bar]");
  var navEl = form.querySelector("[data-qnav]");
  var nextEl = form.querySelector("[data-next-unanswered]");
  var waitEl = form.querySelector("[data-submit-wait]");
  var submitEl = form.querySelector("[data-submit]");
  var predictionEl = form.querySelector("#q-prediction input[name=prediction]");
  var copyEl = form.querySelector("[data-offline-copy]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var url = attr("autosave-url");
  var token = attr("autosave-token");
  var storageKey = "quiz-answers-" + attr("attempt");
  var predictionKey = "quiz-prediction-" + attr("attempt");
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
        if (key && /^quiz-(answers|prediction|seen)-/.test(key) && key !== storageKey && key !== predictionKey && key !== seenKey) {
          var old = JSON.parse(localStorage.getItem(key) || "{}");
          if (!old.at || Date.now() - old.at > 86400000) { localStorage.removeItem(key); }
        }
      }
      kept = (JSON.parse(localStorage.getItem(storageKey) || "{}").answers) || {};
      var guess = JSON.parse(localStorage.getItem(predictionKey) || "{}").value;
      if (predictionEl && !predictionEl.value && typeof guess === "string") { predictionEl.value = guess; }
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

  // --- What the server has acknowledged, for a copy of the page shown offline ---------------------
  function readSeen() {
    try { return JSON.parse(localStorage.getItem(seenKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function storeSeen() {
    try { localStorage.setItem(seenKey, JSON.stringify({ answers: seen.answers || {}, skew: skew, at: Date.now() })); } catch (e) { /* only the copy needs it */ }
  }
  function startSeen() {
    if (servedCopy) {
      // The copy's checked options are as old as the copy: put back what was saved since.
      var saved = seen.answers || {};
      Object.keys(saved).forEach(function (position) {
        var input = form.querySelector("input[type=radio][name='q" + parseInt(position, 10) + "'][value='" + parseInt(saved[position], 10) + "']");
        if (input) { input.checked = true; }
      });
      if (copyEl) { copyEl.hidden = false; }
      return;
    }
    // From the server: what it shows is what it has.
    seen = { answers: {} };
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (input) {
      if (/^q\d+$/.test(input.name)) { seen.answers[input.name.slice(1)] = parseInt(input.value, 10); }
    });
    storeSeen();
  }
  function online() {
    if (copyEl) { copyEl.hidden = true; }
  }

  function storePrediction() {
    // The prediction goes to the server with the form only; until then it is kept here too.
    try {
      if (predictionEl && predictionEl.value.trim()) {
        localStorage.setItem(predictionKey, JSON.stringify({ value: predictionEl.value.trim(), at: Date.now() }));
      } else {
        localStorage.removeItem(predictionKey);
      }
    } catch (e) { /* the form still carries it */ }
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
    online();
    seen.answers = seen.answers || {};
    saved.forEach(function (position) {
      if (batch[position] !== undefined) { seen.answers[position] = batch[position]; }
      if (pending[position] === batch[position]) { delete pending[position]; }
    });
    store();
    storeSeen();
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
    if (!submitting) { say(attr("msg-saving")); }
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
        // A copy of the page already says so, in its own box.
        if (!submitting) { say(copyEl && !copyEl.hidden ? "" : attr("msg-offline")); }
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
  if (predictionEl) {
    predictionEl.addEventListener("input", function () { storePrediction(); updateProgress(); });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beacon(); } else { flush(); }
  });
  window.addEventListener("pagehide", beacon);
  window.addEventListener("online", function () {
    lastSent = 0;
    if (!Object.keys(pending).length) { online(); }
    flush();
  });

  // --- Progress and the way to the questions --------------------------------------------------
  function questions() {
    // Every question in page order: [position, fieldset, answered?]; the prediction last.
    var list = [];
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.question"), function (fieldset) {
      var done = fieldset.id === "q-prediction"
        ? !!(predictionEl && predictionEl.value.trim())
        : !!fieldset.querySelector("input[type=radio]:checked");
      list.push({ key: fieldset.id.slice(2), fieldset: fieldset, done: done });
    });
    return list;
  }
  function answered() {
    return questions().filter(function (q) { return q.done; }).length;
  }
  function updateProgress() {
    var list = questions();
    var n = list.filter(function (q) { return q.done; }).length;
    answeredEl.textContent = n;
    progressEl.value = n;
    list.forEach(function (q) {
      var link = form.querySelector("[data-nav='" + q.key + "']");
      if (!link) { return; }
      link.classList.toggle("is-answered", q.done);
      var state = link.querySelector("[data-nav-state]");
      if (state) { state.textContent = " – " + attr(q.done ? "msg-nav-done" : "msg-nav-open"); }
    });
    var left = list.length - n;
    nextEl.hidden = false;
    nextEl.textContent = left ? attr("msg-next") + " (" + left + ")" : attr("msg-to-submit");
  }
  function barHeight() {
    var h = barEl.getBoundingClientRect().height;
    form.style.setProperty("--bar-h", Math.ceil(h) + "px");
    return h;
  }
  function jumpTo(target) {
    // Scroll the question just under the bar and put the keyboard on it.
    if (navEl) { navEl.open = false; }
    var top = target.getBoundingClientRect().top + window.pageYOffset - barHeight() - 8;
    window.scrollTo({ top: Math.max(0, top), behavior: "auto" });
    var focusable = target.querySelector("input:checked") || target.querySelector("input");
    if (focusable) { focusable.focus({ preventScroll: true }); }
  }
  function unanswered() { return questions().filter(function (q) { return !q.done; }); }
  nextEl.addEventListener("click", function (event) {
    event.preventDefault();
    var open = unanswered();
    if (!open.length) { jumpTo(submitEl); return; }
    // The next unanswered question below the one at the top of the screen, else the first.
    var line = barHeight() + 16;
    var below = open.filter(function (q) { return q.fieldset.getBoundingClientRect().top > line; });
    jumpTo((below[0] || open[0]).fieldset);
  });
  if (navEl) {
    navEl.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-nav]");
      if (!link) { return; }
      event.preventDefault();
      var target = document.getElementById("q-" + link.getAttribute("data-nav"));
      if (target) { jumpTo(target); }
    });
  }
  window.addEventListener("resize", barHeight);

  // --- Submit: only once the server can be reached ---------------------------------------------
  function probe() {
    // One autosave round trip with whatever is still pending (often nothing): any answer from
    // the server means the form can be posted; no answer means the phone is offline.
    var batch = {};
    Object.keys(pending).forEach(function (position) { batch[position] = pending[position]; });
    var headers = { "X-Requested-With": "fetch" };
    if (!token) { headers["X-CSRFToken"] = csrf; }
    return fetch(url, { method: "POST", body: body(batch), credentials: "same-origin", headers: headers, cache: "no-store" });
  }
  var retry = null;
  function trySubmit() {
    if (retry) { clearTimeout(retry); retry = null; }
    probe().then(function () {
      waitEl.hidden = true;
      HTMLFormElement.prototype.submit.call(form);
    }, function () {
      waitEl.textContent = attr("msg-waiting");
      waitEl.hidden = false;
      submitEl.textContent = attr("msg-waiting-button");
      say("");
      barHeight();
      retry = setTimeout(trySubmit, 5000);
    });
  }
  window.addEventListener("online", function () { if (submitting) { trySubmit(); } });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting) { return; }
    if (!form.hasAttribute("data-time-up")) {
      if (predictionEl && !predictionEl.value.trim()) {
        say(attr("msg-prediction-needed"));
        jumpTo(document.getElementById("q-prediction"));
        return;
      }
      var open = unanswered();
      if (open.length) {
        var names = open.map(function (q) { return q.key === "prediction" ? attr("msg-prediction-short") : q.key; });
        if (!window.confirm(fillNamed(attr("msg-confirm"), { n: open.length, list: names.join(", ") }))) {
          jumpTo(open[0].fieldset);
          return;
        }
      }
    }
    // The form carries every answer; what is stored stays until the next page load of this
    // attempt (a submit that fails loses nothing).
    submitting = true;
    submitEl.setAttribute("aria-disabled", "true");
    submitEl.textContent = attr("msg-submitting");
    trySubmit();
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = deadline - (Date.now() + skew);
    if (left <= 0) {
      countdownEl.textContent = "00:00";
      if (!submitting) {
        // Half a second past the deadline, so the server agrees the time is up.
        form.setAttribute("data-time-up", "");
        setTimeout(function () {
          if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
        }, 500);
      }
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

  startSeen();
  var restored = restore();
  updateProgress();
  barHeight();
  if (restored) { say(fill(attr("msg-restored"), restored)); flush(); }
  tick();
})();
