/* Steerco form builder: put custom fields in order with the ↑ ↓ buttons (keyboard: Tab, Enter) or by
   dragging a row by its handle. The order of the rows is the order the form is saved in; each row keeps
   its own checkboxes through its hidden "row" number, so only labels are renumbered here. */
(function () {
  "use strict";
  var body = document.querySelector("[data-testid=field-rows]");
  if (!body) { return; }
  var status = document.getElementById("order-status");
  var dragged = null;

  function filled() { return Array.prototype.filter.call(body.rows, function (r) { return r.querySelector("[data-move]"); }); }
  function labelOf(row) { return row.querySelector("input[name=label]").value || "the field"; }

  /* positions changed: name each control after its new place, and say where the field went */
  function renumber(moved) {
    Array.prototype.forEach.call(body.rows, function (row, i) {
      row.setAttribute("data-testid", "field-row-" + i);
      row.querySelectorAll("[aria-label]").forEach(function (c) {
        c.setAttribute("aria-label", c.getAttribute("aria-label").replace(/field \d+/i, function (m) { return m.replace(/\d+/, String(i + 1)); }));
      });
    });
    var rows = filled();
    rows.forEach(function (row, i) {
      row.querySelector("[data-move=up]").disabled = i === 0;
      row.querySelector("[data-move=down]").disabled = i === rows.length - 1;
    });
    if (moved) {
      status.textContent = "“" + labelOf(moved) + "” is now field " + (rows.indexOf(moved) + 1) + " of " + rows.length + ". Save to keep the order.";
    }
  }

  function move(row, up) {
    var rows = filled(), i = rows.indexOf(row), other = rows[up ? i - 1 : i + 1];
    if (!other) { return; }
    body.insertBefore(row, up ? other : other.nextSibling);
    renumber(row);
  }

  body.addEventListener("click", function (e) {
    var b = e.target.closest("[data-move]");
    if (!b) { return; }
    var row = b.closest("tr"), up = b.getAttribute("data-move") === "up";
    move(row, up);
    // keep the keyboard where it was; at the end of the list, on the button that still works
    var again = row.querySelector("[data-move=" + (up ? "up" : "down") + "]");
    (again.disabled ? row.querySelector("[data-move=" + (up ? "down" : "up") + "]") : again).focus();
  });

  filled().forEach(function (row) {
    var handle = row.querySelector(".sc-drag");
    handle.addEventListener("mousedown", function () { row.draggable = true; });
    handle.addEventListener("mouseup", function () { row.draggable = false; });
    row.addEventListener("dragstart", function (e) { dragged = row; row.classList.add("sc-dragging"); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", labelOf(row)); });
    row.addEventListener("dragend", function () { row.draggable = false; row.classList.remove("sc-dragging"); dragged = null; });
    row.addEventListener("dragover", function (e) { if (dragged && dragged !== row) { e.preventDefault(); } });
    row.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!dragged || dragged === row) { return; }
      var rect = row.getBoundingClientRect(), after = e.clientY > rect.top + rect.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
      renumber(dragged);
    });
  });
  /* "+ field": another blank row at the end, named after a row number no other row has */
  function addRow() {
    var blank = body.rows[body.rows.length - 1].cloneNode(true);
    var next = 1 + Math.max.apply(null, Array.prototype.map.call(body.querySelectorAll("input[name=row]"), function (x) { return parseInt(x.value, 10); }));
    blank.className = "";
    blank.querySelectorAll("input, select").forEach(function (c) {
      if (c.name === "row" || c.type === "radio") { c.value = String(next); c.checked = false; } else if (c.type === "checkbox") { c.checked = false; c.name = c.name.replace(/_\d+$/, "_" + next); } else if (c.tagName === "SELECT") { c.selectedIndex = 0; } else { c.value = ""; }
    });
    body.appendChild(blank);
    renumber(null);
    blank.querySelector("input[name=label]").focus();
    status.textContent = "Field " + body.rows.length + " added.";
  }
  /* the fields under their sections, as the measure's Details tab will show them */
  function sections() {
    var out = document.getElementById("section-summary"), groups = [], by = {};
    Array.prototype.forEach.call(body.rows, function (row) {
      var label = row.querySelector("input[name=label]").value.trim();
      if (!label) { return; }
      var sec = row.querySelector("input[name=section]").value.trim() || "(no section)";
      if (!by[sec]) { by[sec] = []; groups.push(sec); }
      by[sec].push(label);
    });
    out.textContent = groups.length ? "Sections: " + groups.map(function (g) { return g + ": " + by[g].join(", "); }).join(" · ") : "";
  }
  var add = document.getElementById("add-field");
  if (add) { add.addEventListener("click", addRow); }
  body.addEventListener("input", sections);
  body.addEventListener("click", function (e) { if (e.target.closest("[data-move]")) { sections(); } });
  renumber(null);
  sections();
}());
