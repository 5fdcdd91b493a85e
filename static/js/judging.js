/* The judge's score sheet: the running total while scoring. The page works without it (the
   server shows the total of the saved points, and the confirmation page the final one). */
(function () {
  "use strict";
  var form = document.querySelector("[data-score-sheet]");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-score]"));
  var totals = document.querySelectorAll("[data-total]");
  var filled = document.querySelector("[data-filled]");
  var lang = document.documentElement.lang || "vi";

  function format(n) {
    return n.toLocaleString(lang, { maximumFractionDigits: 2 });
  }

  function update() {
    var sum = 0, count = 0;
    inputs.forEach(function (input) {
      var raw = input.value.trim();
      if (raw === "") { input.removeAttribute("aria-invalid"); return; }
      var value = Number(raw), max = Number(input.max);
      var ok = Number.isInteger(value) && value >= 0 && value <= max;
      if (ok) {
        input.removeAttribute("aria-invalid");
        sum += value * (parseFloat(input.getAttribute("data-weight")) || 1);
        count += 1;
      } else {
        input.setAttribute("aria-invalid", "true");
      }
    });
    var text = count ? format(sum) : "–";
    Array.prototype.forEach.call(totals, function (el) { el.textContent = text; });
    if (filled) { filled.textContent = String(count); }
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
