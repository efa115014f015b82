/* Behaviour shared by Steerco's pages, bound here because the Content-Security-Policy runs no inline handler.
   data-autosubmit on a field submits its form when the field changes;
   data-busy-label on a form disables its button and shows the label while the form is sent. */
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });
  document.querySelectorAll("form[data-busy-label]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button");
      if (button) { button.disabled = true; button.textContent = form.getAttribute("data-busy-label"); }
    });
  });
}());
