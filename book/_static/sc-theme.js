/* The theme's menu buttons on a phone (and its sidebar button on a laptop). pydata-sphinx-theme
   0.17 binds its sidebar dialogs to the first element of class primary-toggle (and
   secondary-toggle) on the page, but sphinx-book-theme 1.3 renders a second one, the only one a
   reader can see and tap, which then does nothing (pydata-sphinx-theme issue 2451). A click on any
   later toggle is passed to the first, which opens the navigation (or the page's contents).
   Remove this file when the pinned theme binds every toggle itself. */
(function () {
  "use strict";
  function forward(selector) {
    var toggles = document.querySelectorAll(selector);
    for (var i = 1; i < toggles.length; i++) {
      toggles[i].addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        toggles[0].click();
      });
    }
  }
  function start() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
