/* Small helps for keyboard and screen-reader users; every page works without this file. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  // After a failed submit, start at the list of errors, so it is read out and one Tab reaches the first link.
  summary.focus();
  // A link in the summary puts the cursor in its field and scrolls the field's label and message into view.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    (input.closest(".field") || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
