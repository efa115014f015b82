/* Forms marked data-confirm ask before they are sent (e.g. archiving a node names the measures below it). */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target, text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { e.preventDefault(); }
  });
}());
