/* Tables of the book: sort by any column (click its header) and filter rows by any text (a city,
   a country). Works from file:// with no network. The labels come from the page's language through
   data attributes that analysis/display.py writes on each table's wrapper. Also where Chinese
   headers, headings and navigation may break (markWords). */
(function () {
  "use strict";

  /* Chinese text in a header, heading or navigation link may break only between words (排名,
     never 排 / 名): the browser's word segmenter (Intl.Segmenter, ICU's dictionary) finds them, a
     <wbr> marks each, and the element is then kept from breaking anywhere else
     (science-cities.css, .sc-words). No <wbr> goes before closing punctuation or after opening
     punctuation, so that no line starts with "：" or "？" and none ends with "（". */
  var CJK = /[\u3400-\u9fff]/;
  var CLOSING = /^[：？！，。、；）》」』%]/;
  var OPENING = /[（《「『]$/;
  var WORDS_IN = "table.sc-table th, h1, h2, h3, .bd-sidebar-primary a, .prev-next-area .prev-next-title";
  function markWords(element) {
    if (!CJK.test(element.textContent) || !(window.Intl && Intl.Segmenter)) return;
    var words = new Intl.Segmenter("zh", { granularity: "word" });
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(function (text) {
      var parts = Array.from(words.segment(text.data), function (s) { return s.segment; });
      if (parts.length < 2) return;
      var pieces = document.createDocumentFragment();
      parts.forEach(function (part, i) {
        if (i && !CLOSING.test(part) && !OPENING.test(parts[i - 1])) {
          pieces.appendChild(document.createElement("wbr"));
        }
        pieces.appendChild(document.createTextNode(part));
      });
      text.parentNode.replaceChild(pieces, text);
    });
    element.classList.add("sc-words");
  }

  /* A cell's place in the order: its data-sort if it has one ("or lower": Infinity), else its
     number, or its text in a text column. */
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (cell && cell.dataset.sort !== undefined) return parseFloat(cell.dataset.sort);
    var text = cell ? cell.textContent.trim() : "";
    if (!numeric) return text;
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return isNaN(number) ? -Infinity : number;
  }

  /* What a filter compares: lower case, curly apostrophes as straight ones, and letters without
     their accents, so that "xi'an" and "xian" find Xi’an, and "zurich" Zürich. */
  function plain(text) {
    return text.toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
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

  /* Keep the rows that hold the query; say so, in a live line under the box, when none does. */
  function filterRows(table, query, status) {
    var words = plain(query.trim()), shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var text = plain(row.textContent);
      row.hidden = words !== "" && text.indexOf(words) === -1 &&
        text.replace(/'/g, "").indexOf(words.replace(/'/g, "")) === -1;
      if (!row.hidden) shown += 1;
    });
    status.hidden = shown > 0;
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
    var status = document.createElement("p");
    status.className = "sc-no-rows";
    status.setAttribute("role", "status");
    status.textContent = wrap.dataset.emptyLabel || "No row holds this text.";
    status.hidden = true;
    input.addEventListener("input", function () { filterRows(table, input.value, status); });
    wrap.parentNode.insertBefore(input, wrap);
    wrap.parentNode.insertBefore(status, wrap);
  }

  // On a phone a table shows its key columns (analysis/display.py marks them); a button shows
  // the others, and a table wider than the screen says that it scrolls.
  function columnsButton(wrap) {
    if (!wrap.classList.contains("sc-has-detail")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sc-columns";
    button.setAttribute("aria-expanded", "false");
    button.textContent = wrap.dataset.allLabel || "Show all columns";
    button.addEventListener("click", function () {
      var all = wrap.classList.toggle("sc-all-columns");
      button.setAttribute("aria-expanded", all ? "true" : "false");
      button.textContent = all ? wrap.dataset.keyLabel : wrap.dataset.allLabel;
      markScrolling(wrap);
    });
    wrap.parentNode.insertBefore(button, wrap);
  }

  function markScrolling(wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("sc-scrolls", scrolls);
    if (scrolls) {
      wrap.setAttribute("tabindex", "0");  // a keyboard can scroll it too
      wrap.setAttribute("aria-label", wrap.dataset.scrollLabel || "");
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("aria-label");
    }
  }

  function enhanceAll() {
    Array.prototype.forEach.call(document.querySelectorAll(WORDS_IN), markWords);
    var wraps = document.querySelectorAll("div.sc-table-wrap");
    Array.prototype.forEach.call(wraps, function (wrap) {
      enhance(wrap);
      columnsButton(wrap);
      markScrolling(wrap);
    });
    window.addEventListener("resize", function () {
      Array.prototype.forEach.call(wraps, markScrolling);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
