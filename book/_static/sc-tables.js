/* Tables of the book: sort by any column (click its header) and filter rows by any text (a city,
   a country). Works from file:// with no network. The labels come from the page's language through
   data attributes that analysis/display.py writes on each table's wrapper. */
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var text = row.cells[index] ? row.cells[index].textContent.trim() : "";
    if (!numeric) return text;
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return isNaN(number) ? -Infinity : number;
  }

  function sortBy(table, index, button) {
    var header = button.parentNode;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var numeric = table.tBodies[0].rows.length > 0 &&
      table.tBodies[0].rows[0].cells[index].classList.contains("num");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var order = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang || undefined);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function filterRows(table, query) {
    var words = query.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.hidden = words !== "" && row.textContent.toLowerCase().indexOf(words) === -1;
    });
  }

  function enhance(wrap) {
    var table = wrap.querySelector("table.sc-table");
    if (!table || !table.tHead || wrap.dataset.enhanced) return;
    wrap.dataset.enhanced = "1";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sc-sort";
      button.title = wrap.dataset.sortLabel || "Sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "sc-filter";
    input.placeholder = wrap.dataset.filterLabel || "Filter";
    input.setAttribute("aria-label", input.placeholder);
    input.addEventListener("input", function () { filterRows(table, input.value); });
    wrap.parentNode.insertBefore(input, wrap);
  }

  function enhanceAll() {
    Array.prototype.forEach.call(document.querySelectorAll("div.sc-table-wrap"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
