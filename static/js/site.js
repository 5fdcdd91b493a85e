/* Small progressive enhancements; every page works without this file. Texts come translated
   from the page (data-msg-* attributes): no string of the interface is written here. */
(function () {
  "use strict";

  function fold(s) {
    // Search without diacritics: «phong tong hop» finds «Phòng Tổng hợp».
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  // --- The unit picker -----------------------------------------------------------------------
  // A long grouped <select> of units (150 on a phone) gets a search box whose results show each
  // unit's full path; a unit is chosen only when the person taps it (nothing is picked for them).
  // The <select> stays in the form, out of sight, and carries the value; without JavaScript it
  // is the picker.
  var SEP = " › ";
  var pickers = 0;
  function enhanceUnitSelect(select) {
    var msg = function (name, fallback) { return select.getAttribute("data-msg-" + name) || fallback || ""; };
    var limit = parseInt(select.getAttribute("data-unit-limit"), 10) || 40;
    var id = select.id || ("unit-select-" + (++pickers));
    var box = document.createElement("div");
    box.className = "unit-picker";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id + "-search";
    input.className = "unit-filter";
    input.autocomplete = "off";
    input.placeholder = msg("placeholder", select.getAttribute("data-filter-placeholder"));
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-results");
    var chosen = document.createElement("p");
    chosen.className = "unit-chosen";
    chosen.setAttribute("data-unit-chosen", "");
    chosen.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    list.id = id + "-results";
    list.className = "unit-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", msg("results"));
    list.hidden = true;
    var note = document.createElement("p");
    note.className = "help unit-note";
    note.setAttribute("aria-live", "polite");
    note.hidden = true;
    box.appendChild(chosen);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(note);
    select.parentNode.insertBefore(box, select);
    select.classList.add("visually-hidden");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    var label = document.querySelector("label[for='" + select.id + "']");
    if (label) { label.htmlFor = input.id; }

    var units = Array.prototype.filter.call(select.options, function (o) { return o.value; }).map(function (o) {
      return { value: o.value, label: o.textContent.trim(), folded: fold(o.textContent) };
    });
    var shown = [];
    var active = -1;

    function showChosen() {
      var option = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
      chosen.textContent = "";
      if (!option || !option.value) {
        chosen.hidden = true;
        return;
      }
      chosen.hidden = false;
      chosen.appendChild(document.createTextNode(msg("chosen") + " "));
      var strong = document.createElement("strong");
      strong.textContent = option.textContent.trim();
      chosen.appendChild(strong);
    }
    function close() {
      list.hidden = true;
      note.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function setActive(i) {
      var items = list.children;
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); items[active].classList.remove("is-active"); }
      active = i;
      if (active >= 0 && items[active]) {
        items[active].setAttribute("aria-selected", "true");
        items[active].classList.add("is-active");
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(unit) {
      select.value = unit.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      close();
      showChosen();
    }
    function render() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) { close(); return; }
      var matches = units.filter(function (u) {
        return words.every(function (w) { return u.folded.indexOf(w) !== -1; });
      });
      shown = matches.slice(0, limit);
      shown.forEach(function (unit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-value", unit.value);
        var cut = unit.label.lastIndexOf(SEP);
        if (cut > 0) {
          var parent = document.createElement("span");
          parent.className = "unit-parent";
          parent.textContent = unit.label.slice(0, cut + SEP.length);
          li.appendChild(parent);
        }
        var name = document.createElement("span");
        name.className = "unit-name";
        name.textContent = cut > 0 ? unit.label.slice(cut + SEP.length) : unit.label;
        li.appendChild(name);
        li.addEventListener("click", function () { choose(unit); });
        list.appendChild(li);
      });
      list.hidden = !shown.length;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      active = -1;
      if (!matches.length) {
        note.textContent = msg("none");
      } else if (matches.length > shown.length) {
        note.textContent = fill(msg("more"), { n: matches.length - shown.length });
      } else {
        note.textContent = fill(msg("count"), { n: matches.length });
      }
      note.hidden = !note.textContent;
    }
    input.addEventListener("input", render);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && shown.length) {
        event.preventDefault();
        setActive(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp" && shown.length) {
        event.preventDefault();
        setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Enter never submits the form from here; it picks the highlighted unit, if any.
        event.preventDefault();
        if (active >= 0 && shown[active]) { choose(shown[active]); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    select.addEventListener("change", showChosen);
    showChosen();
  }

  // --- Countdowns to a moment of the server's clock ("còn 2 ngày 3 giờ") ----------------------
  // The page prints the moment as a date and the time left as the server counted it; this keeps
  // the time left current, counting from the server's clock, not the phone's.
  function startCountdown(el) {
    var until = parseInt(el.getAttribute("data-until"), 10) * 1000;
    var skew = parseInt(el.getAttribute("data-now"), 10) * 1000 - Date.now();
    function msg(name) { return el.getAttribute("data-msg-" + name) || ""; }
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    // The visible text may change every second; the live region next to it (aria-live polite)
    // changes only when the minute does, so a screen reader is not interrupted each second.
    var live = el.nextElementSibling && el.nextElementSibling.hasAttribute("data-until-live") ? el.nextElementSibling : null;
    var lastMinute = null;
    function announce(text, minute) {
      if (live && minute !== lastMinute) {
        if (lastMinute !== null) { live.textContent = text; }  // not on load: the page already says it
        lastMinute = minute;
      }
    }
    function tick() {
      var left = Math.floor((until - (Date.now() + skew)) / 1000);
      if (left <= 0) { el.textContent = msg("ended"); announce(msg("ended"), -1); return; }
      var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      if (d) { el.textContent = fill(msg("days"), { d: d, h: h }); }
      else if (h) { el.textContent = fill(msg("hours"), { h: h, m: pad(m) }); }
      else { el.textContent = fill(msg("minutes"), { m: m, s: pad(s) }); }
      announce(d || h ? el.textContent : fill(msg("live"), { m: m }), Math.floor(left / 60));
      setTimeout(tick, d || h ? 30000 : 1000);
    }
    if (until && !isNaN(skew)) { tick(); }
  }

  // --- A live word count under a long text, against the allowed range ------------------------
  function startWordCount(counter) {
    var area = document.getElementById(counter.getAttribute("data-word-count"));
    if (!area) { return; }
    var min = parseInt(counter.getAttribute("data-min"), 10) || 0;
    var max = parseInt(counter.getAttribute("data-max"), 10) || Infinity;
    var format = function (n) { return n.toLocaleString(document.documentElement.lang === "vi" ? "vi-VN" : "en"); };
    area.parentNode.insertBefore(counter, area.nextSibling);
    counter.hidden = false;
    area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    function update() {
      // The server's rule: words are what lies between spaces (essays.models.Essay.word_count).
      var text = area.value.trim();
      var n = text ? text.split(/\s+/).length : 0;
      var key = n < min ? "short" : (n > max ? "long" : "ok");
      counter.textContent = fill(counter.getAttribute("data-msg-" + key) || "", { n: format(n), min: format(min), max: format(max) });
      counter.className = "word-count word-count-" + key;
    }
    area.addEventListener("input", update);
    update();
  }

  // --- The attempt pages' service worker (quiz/templates/quiz/sw.js) --------------------------
  // Registered on any page of a signed-in person, so it is ready before the first attempt page;
  // its scope is the folder of its script, /quiz/attempts/, and nothing else. Signed out, the
  // copies of attempt pages it kept (and the answers quiz.js noted for them) are deleted: the next
  // person on this phone must never see them.
  function attemptWorker() {
    var body = document.body;
    if (body.hasAttribute("data-signed-out")) {
      if (window.caches) {
        caches.keys().then(function (keys) {
          keys.forEach(function (key) { if (key.indexOf("quiz-attempt-copies") === 0) { caches.delete(key); } });
        }).catch(function () { /* nothing kept */ });
      }
      try {
        for (var i = localStorage.length - 1; i >= 0; i--) {
          var key = localStorage.key(i);
          if (key && key.indexOf("quiz-seen-") === 0) { localStorage.removeItem(key); }
        }
      } catch (e) { /* no storage: nothing kept */ }
      return;
    }
    var url = body.getAttribute("data-attempt-worker");
    if (url && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(url).catch(function () { /* the page works without it */ });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    attemptWorker();
    Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-select]"), enhanceUnitSelect);
    Array.prototype.forEach.call(document.querySelectorAll("[data-until]"), startCountdown);
    Array.prototype.forEach.call(document.querySelectorAll("[data-word-count]"), startWordCount);
    var alert = document.querySelector("[data-autofocus]");
    if (alert) { alert.focus(); }
  });
})();
