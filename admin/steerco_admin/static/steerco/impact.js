/* Steerco impact preview: a drafted gate's effect per criterion, and the measures whose result changes
   (paged here; the API answer lists them all). window.SteercoImpact = {show}. */
(function () {
  "use strict";
  var PAGE = 25;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) { return; }
      if (k === "text") { e.textContent = attrs[k]; } else if (k.slice(0, 2) === "on") { e.addEventListener(k.slice(2), attrs[k]); } else { e.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }
  function counts(c) { return c ? c.pass + " pass, " + c.fail + " fail" : "not in this gate"; }
  function result(passed, absent) { return passed === null ? absent : (passed ? "passes" : "fails"); }

  function criteriaTable(criteria) {
    return el("table", {"class": "table table-condensed", "data-testid": "impact-criteria"}, [
      el("thead", {}, [el("tr", {}, ["Criterion", "Now", "With this draft", "Turn to fail", "Turn to pass"].map(function (h) { return el("th", {text: h}); }))]),
      el("tbody", {}, criteria.map(function (c) {
        var moved = c.to_fail || c.to_pass;
        return el("tr", {"class": moved ? "warning" : null, "data-testid": "impact-criterion-" + c.criterion}, [
          el("td", {text: c.label}), el("td", {text: counts(c.now)}), el("td", {text: counts(c.draft)}),
          el("td", {text: String(c.to_fail)}), el("td", {text: String(c.to_pass)})]);
      }))]);
  }

  function changedRows(rows) {
    return rows.map(function (m) {
      var why = m.criteria.map(function (c) { return c.label + ": " + result(c.before, "not checked") + " → " + result(c.after, "dropped"); });
      return el("tr", {"data-testid": "impact-measure"}, [el("td", {}, [el("a", {href: "/measures/" + m.id, text: m.code})]), el("td", {text: m.title}),
        el("td", {text: result(m.before, "new gate") + " → " + result(m.after)}), el("td", {text: why.join("; ")})]);
    });
  }

  function changedList(changed) {
    var box = el("div", {"data-testid": "impact-changed"});
    var page = 0, pages = Math.ceil(changed.length / PAGE);
    function draw() {
      box.innerHTML = "";
      var first = page * PAGE, rows = changed.slice(first, first + PAGE);
      box.appendChild(el("table", {"class": "table table-condensed"}, [
        el("thead", {}, [el("tr", {}, ["Measure", "Title", "Gate", "Criteria that change"].map(function (h) { return el("th", {text: h}); }))]),
        el("tbody", {}, changedRows(rows))]));
      if (pages > 1) {
        box.appendChild(el("div", {}, [
          el("button", {type: "button", "class": "btn btn-xs btn-default", text: "‹ previous", "data-testid": "impact-previous", disabled: page === 0 ? "disabled" : null, onclick: function () { page -= 1; draw(); }}),
          el("span", {"data-testid": "impact-page", style: "margin:0 8px", text: (first + 1) + "–" + (first + rows.length) + " of " + changed.length}),
          el("button", {type: "button", "class": "btn btn-xs btn-default", text: "next ›", "data-testid": "impact-next", disabled: page >= pages - 1 ? "disabled" : null, onclick: function () { page += 1; draw(); }})]));
      }
    }
    draw();
    return box;
  }

  /* fill `out` with the answer `b` of POST /api/v1/ui/models/<code>/impact for the gate to `doi` */
  function show(out, b, doi) {
    out.innerHTML = "";
    out.appendChild(el("p", {text: b.checked + " measure(s) at DoI " + (doi - 1) + " face this gate next" + (b.more ? " (first " + b.checked + " checked)" : "") +
      ". Now: " + b.now.pass + " pass, " + b.now.fail + " fail. With this draft: " + b.draft.pass + " pass, " + b.draft.fail + " fail."}));
    if (b.criteria.length) { out.appendChild(criteriaTable(b.criteria)); }
    out.appendChild(el("p", {"data-testid": "impact-summary", text: b.changed.length ? b.changed.length + " measure(s) change result:" : "No measure changes result."}));
    if (b.changed.length) { out.appendChild(changedList(b.changed)); }
  }

  window.SteercoImpact = {show: show};
}());
