/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Search-as-you-type over a long grouped <select> of units (150 units on a phone).
  function enhanceUnitSelect(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "unit-filter";
    input.placeholder = select.getAttribute("data-filter-placeholder") || "Tìm đơn vị…";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    var options = Array.prototype.slice.call(select.querySelectorAll("option"));
    function fold(s) {
      return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    }
    var folded = options.map(function (o) { return fold(o.textContent); });
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      var firstMatch = null;
      options.forEach(function (o, i) {
        var show = !o.value || !q || folded[i].indexOf(q) !== -1;
        o.hidden = !show;
        o.disabled = !show && !o.selected;
        if (show && o.value && !firstMatch) { firstMatch = o; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      if (q && firstMatch && (!select.value || select.selectedOptions[0].hidden)) { select.value = firstMatch.value; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-select]"), enhanceUnitSelect);
    var alert = document.querySelector("[data-autofocus]");
    if (alert) { alert.focus(); }
  });
})();
