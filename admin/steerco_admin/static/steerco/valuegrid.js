/* The value grid: marks changed cells, keeps row totals live, moves between cells with the keyboard,
   posts only the changed cells and warns before leaving with unsaved amounts. No dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("value-form");
  if (!form) { return; }
  var cells = Array.prototype.slice.call(form.querySelectorAll("input.sc-cell"));
  var counter = form.querySelector("[data-testid=dirty-count]");
  var submitting = false;

  function orig(input) {
    var o = form.querySelector("input[name='orig:" + input.name.slice(5) + "']");
    return o ? o.value : "";
  }
  function amount(text) {
    var t = (text || "").trim();
    if (t === "") { return 0; }
    return /^-?\d+(\.\d{1,2})?$/.test(t) ? Number(t) : NaN;
  }
  function same(a, b) {
    a = a.trim(); b = b.trim();
    return a === b || (a !== "" && b !== "" && amount(a) === amount(b));
  }
  function dirty(input) { return !same(input.value, orig(input)); }

  function refreshRow(row) {
    var total = row.querySelector(".sc-total");
    if (!total) { return; }
    var sum = 0, bad = false;
    row.querySelectorAll("input.sc-cell").forEach(function (i) { var a = amount(i.value); if (isNaN(a)) { bad = true; } else { sum += a; } });
    row.querySelectorAll("td.sc-ro").forEach(function (td) {
      if (td.dataset.amount) { sum += Number(td.dataset.amount); }
    });
    total.textContent = bad ? "?" : sum.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    total.title = bad ? "a cell of this row is not an amount" : "";
  }
  function refreshCount() {
    var n = cells.filter(dirty).length;
    if (counter) { counter.textContent = n ? n + " unsaved change" + (n === 1 ? "" : "s") : ""; }
  }

  cells.forEach(function (input) {
    input.addEventListener("input", function () {
      input.classList.toggle("sc-dirty", dirty(input));
      refreshRow(input.closest("tr"));
      refreshCount();
    });
    input.addEventListener("keydown", function (ev) {
      var row = input.closest("tr"), td = input.closest("td");
      var col = Array.prototype.indexOf.call(row.children, td), target = null;
      var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
      var atEnd = input.selectionStart === input.value.length;
      if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) {
        ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); return;
      }
      if (ev.key === "ArrowDown" || (ev.key === "Enter" && !ev.shiftKey)) { target = vertical(row, col, 1); }
      else if (ev.key === "ArrowUp" || (ev.key === "Enter" && ev.shiftKey)) { target = vertical(row, col, -1); }
      else if (ev.key === "ArrowRight" && atEnd) { target = horizontal(row, col, 1); }
      else if (ev.key === "ArrowLeft" && atStart) { target = horizontal(row, col, -1); }
      else { return; }
      if (ev.key === "Enter") { ev.preventDefault(); }
      if (target) { ev.preventDefault(); target.focus(); target.select(); }
    });
  });

  function vertical(row, col, step) {
    for (var r = step > 0 ? row.nextElementSibling : row.previousElementSibling; r;
         r = step > 0 ? r.nextElementSibling : r.previousElementSibling) {
      var i = r.children[col] && r.children[col].querySelector("input.sc-cell");
      if (i) { return i; }
    }
    return null;
  }
  function horizontal(row, col, step) {
    for (var c = col + step; c >= 0 && c < row.children.length; c += step) {
      var i = row.children[c].querySelector("input.sc-cell");
      if (i) { return i; }
    }
    return null;
  }

  form.addEventListener("submit", function () {
    // Post only what changed, so amounts someone else saved meanwhile are not overwritten.
    submitting = true;
    cells.forEach(function (input) {
      if (!dirty(input)) {
        input.disabled = true;
        var o = form.querySelector("input[name='orig:" + input.name.slice(5) + "']");
        if (o) { o.disabled = true; }
      }
    });
  });
  window.addEventListener("pageshow", function () {
    submitting = false;
    cells.forEach(function (input) { input.disabled = false; });
    form.querySelectorAll("input[name^='orig:']").forEach(function (o) { o.disabled = false; });
  });
  window.addEventListener("beforeunload", function (ev) {
    if (!submitting && cells.some(dirty)) { ev.preventDefault(); ev.returnValue = ""; }
  });
  cells.forEach(function (input) { input.classList.toggle("sc-dirty", dirty(input)); });
  refreshCount();
})();
