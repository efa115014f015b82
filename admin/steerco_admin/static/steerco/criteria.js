/* Steerco visual criteria builder: a tree of conditions <-> null-safe JSONLogic, and a sentence.
   No dependencies. window.SteercoCriteria = {toTree, toRule, sentence, Builder}. */
(function () {
  "use strict";
  var OPS = {
    text: ["filled", "empty", "eq", "ne", "contains"],
    number: ["gt", "ge", "lt", "le", "eq", "ne", "filled", "empty"],
    count: ["any", "atleast", "atmost", "exactly"],
    date: ["filled", "empty", "past", "future"],
    choice: ["eq", "ne", "oneof", "filled", "empty"],
    multi: ["includes", "filled", "empty"],
    "boolean": ["istrue", "isfalse"]
  };
  var LABEL = {
    filled: "is filled in", empty: "is empty", eq: "is", ne: "is not", contains: "contains",
    gt: "is greater than", ge: "is at least", lt: "is less than", le: "is at most",
    any: "has at least one", atleast: "number is at least", atmost: "number is at most", exactly: "number is exactly",
    past: "is in the past", future: "is in the future", oneof: "is one of", includes: "includes",
    istrue: "is yes", isfalse: "is no"
  };
  var NO_VALUE = {filled: 1, empty: 1, any: 1, past: 1, future: 1, istrue: 1, isfalse: 1};
  var CMP = {gt: ">", ge: ">=", lt: "<", le: "<=", eq: "==", ne: "!="};
  var CMP_BACK = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "==": "eq", "!=": "ne"};
  var COUNT_BACK = {">=": "atleast", "<=": "atmost", "==": "exactly"};

  function v(p) { return {"var": p}; }
  function count(p) { return {"reduce": [{"var": [p, []]}, {"+": [{"var": "accumulator"}, 1]}, 0]}; }
  function notNull(p) { return {"!=": [v(p), null]}; }
  function guarded(p, rule) { return {"and": [notNull(p), rule]}; }

  function kindOf(cat, path) {
    for (var i = 0; i < cat.length; i++) { if (cat[i].path === path) { return cat[i]; } }
    return null;
  }

  function num(x) { var n = Number(x); return isNaN(n) ? x : n; }

  function condRule(c, cat) {
    var f = kindOf(cat, c.field) || {kind: "text"}, p = c.field, op = c.op, val = c.value;
    if (f.kind === "number") { val = num(val); }
    switch (op) {
      case "filled": return f.kind === "number" ? notNull(p) : {"!!": v(p)};
      case "empty": return f.kind === "number" ? {"==": [v(p), null]} : {"!": v(p)};
      case "any": return {"!!": v(p)};
      case "atleast": return {">=": [count(p), num(val)]};
      case "atmost": return {"<=": [count(p), num(val)]};
      case "exactly": return {"==": [count(p), num(val)]};
      case "contains": case "includes": return guarded(p, {"in": [val, v(p)]});
      case "oneof": return guarded(p, {"in": [v(p), String(val || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean)]});
      case "past": return guarded(p, {"<": [{"days_until": [v(p)]}, 0]});
      case "future": return guarded(p, {">": [{"days_until": [v(p)]}, 0]});
      case "istrue": return {"==": [v(p), true]};
      case "isfalse": return {"==": [v(p), false]};
      default: return guarded(p, obj(CMP[op], [v(p), val]));
    }
  }
  function obj(k, val) { var o = {}; o[k] = val; return o; }

  function toRule(node, cat) {
    if (node.type === "group") {
      var items = node.items.map(function (n) { return toRule(n, cat); });
      if (items.length === 1) { return items[0]; }
      return obj(node.op === "any" ? "or" : "and", items);
    }
    return condRule(node, cat);
  }

  /* --- JSONLogic back to the tree (null when the rule is not one the builder writes) --- */
  function only(o) { var k = Object.keys(o || {}); return (o && typeof o === "object" && !Array.isArray(o) && k.length === 1) ? k[0] : null; }
  function varPath(x) {
    if (Array.isArray(x) && x.length === 1) { x = x[0]; }
    if (only(x) !== "var") { return null; }
    var a = x["var"];
    if (Array.isArray(a)) { a = a[0]; }
    return typeof a === "string" ? a : null;
  }
  function countPath(x) {
    if (only(x) !== "reduce" || !Array.isArray(x.reduce)) { return null; }
    return varPath(x.reduce[0]);
  }
  function isLit(x) { return x === null || ["string", "number", "boolean"].indexOf(typeof x) >= 0; }

  function cond(field, op, value) { return {type: "cond", field: field, op: op, value: value === undefined ? "" : value}; }

  function parse(r) {
    var k = only(r), a = k ? r[k] : null, p;
    if (!k) { return null; }
    if ((k === "and" || k === "or") && Array.isArray(a)) {
      if (k === "and" && a.length === 2) {
        var g = guardPath(a[0]), inner = g ? parse(a[1]) : null;
        if (inner && inner.type === "cond" && inner.field === g) { return inner; }
      }
      var items = a.map(parse);
      if (items.some(function (x) { return x === null; })) { return null; }
      return {type: "group", op: k === "or" ? "any" : "all", items: items};
    }
    if (k === "!!") { p = varPath(a); return p ? cond(p, "filled") : null; }
    if (k === "!") {
      p = varPath(a);
      if (p) { return cond(p, "empty"); }
      if (only(a) === "missing" && Array.isArray(a.missing) && a.missing.every(function (x) { return typeof x === "string"; })) {
        if (a.missing.length === 1) { return cond(a.missing[0], "filled"); }
        return {type: "group", op: "all", items: a.missing.map(function (x) { return cond(x, "filled"); })};
      }
      return null;
    }
    if (k === "in" && Array.isArray(a) && a.length === 2) {
      if (isLit(a[0]) && varPath(a[1])) { return cond(varPath(a[1]), "contains", a[0]); }
      if (varPath(a[0]) && Array.isArray(a[1]) && a[1].every(isLit)) { return cond(varPath(a[0]), "oneof", a[1].join(", ")); }
      return null;
    }
    if (CMP_BACK[k] && Array.isArray(a) && a.length === 2) {
      p = varPath(a[0]);
      if (p && a[1] === null) { return cond(p, k === "!=" ? "filled" : "empty"); }
      if (p && typeof a[1] === "boolean" && k === "==") { return cond(p, a[1] ? "istrue" : "isfalse"); }
      if (p && isLit(a[1])) { return cond(p, CMP_BACK[k], a[1]); }
      var cp = countPath(a[0]);
      if (cp && COUNT_BACK[k] && typeof a[1] === "number") { return cond(cp, COUNT_BACK[k], a[1]); }
      if (only(a[0]) === "days_until" && a[1] === 0 && (k === "<" || k === ">")) {
        p = varPath(a[0].days_until);
        return p ? cond(p, k === "<" ? "past" : "future") : null;
      }
    }
    return null;
  }
  function guardPath(x) {
    var k = only(x);
    if (k === "!=" && Array.isArray(x[k]) && x[k][1] === null) { return varPath(x[k][0]); }
    if (k === "!!") { return varPath(x[k]); }
    return null;
  }

  function toTree(rule, cat) {
    var t = parse(rule);
    if (!t) { return null; }
    if (t.type !== "group") { t = {type: "group", op: "all", items: [t]}; }
    fixKinds(t, cat);
    return t;
  }
  /* the parser reads "contains" for any list test; a multi-choice field says "includes" */
  function fixKinds(n, cat) {
    if (n.type === "group") { n.items.forEach(function (x) { fixKinds(x, cat); }); return; }
    var f = kindOf(cat, n.field);
    if (!f) { cat.push({path: n.field, label: n.field, kind: n.op === "any" || /count/.test(n.op) ? "count" : "text", choices: []}); f = cat[cat.length - 1]; }
    if (f.kind === "multi" && n.op === "contains") { n.op = "includes"; }
    if (f.kind === "count" && n.op === "filled") { n.op = "any"; }
  }

  function sentence(node, cat, nested) {
    if (node.type === "group") {
      var parts = node.items.map(function (n) { return sentence(n, cat, true); });
      var s = parts.join(node.op === "any" ? " or " : " and ");
      return nested && node.items.length > 1 ? "(" + s + ")" : s;
    }
    var f = kindOf(cat, node.field), label = f ? f.label : node.field, val = node.value;
    if (NO_VALUE[node.op]) { return label + " " + LABEL[node.op]; }
    if (val === "" || val === null || val === undefined) { val = "…"; }
    return label + " " + LABEL[node.op] + " " + (typeof val === "string" && node.op !== "oneof" ? "“" + val + "”" : val);
  }

  /* --- the builder widget --- */
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else if (k.slice(0, 2) === "on") { e.addEventListener(k.slice(2), attrs[k]); } else { e.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }

  function Builder(container, tree, cat, onChange) {
    this.container = container; this.tree = tree; this.cat = cat; this.onChange = onChange;
    this.render();
  }
  Builder.prototype.changed = function (rerender) {
    if (rerender) { this.render(); }
    this.onChange(this.tree);
  };
  Builder.prototype.render = function () {
    this.container.innerHTML = "";
    this.container.appendChild(this.group(this.tree, null));
  };
  Builder.prototype.group = function (g, parent) {
    var self = this;
    var opSel = el("select", {"class": "form-control input-sm", "aria-label": "Combine", onchange: function () { g.op = opSel.value; self.changed(false); }},
      [el("option", {value: "all", text: "All of these are true"}), el("option", {value: "any", text: "Any of these is true"})]);
    opSel.value = g.op;
    var box = el("div", {"class": "sc-group"}, [opSel]);
    g.items.forEach(function (n, i) {
      box.appendChild(n.type === "group" ? self.group(n, g) : self.cond(n, g, i));
    });
    var first = self.cat[0] ? self.cat[0].path : "title";
    box.appendChild(el("div", {}, [
      el("button", {type: "button", "class": "btn btn-xs btn-default", "data-testid": "add-condition", text: "+ condition",
        onclick: function () { g.items.push(cond(first, OPS[(kindOf(self.cat, first) || {kind: "text"}).kind][0])); self.changed(true); }}),
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ group", style: "margin-left:4px",
        onclick: function () { g.items.push({type: "group", op: "any", items: [cond(first, "filled")]}); self.changed(true); }}),
      parent ? el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", text: "remove group",
        onclick: function () { parent.items.splice(parent.items.indexOf(g), 1); self.changed(true); }}) : null
    ]));
    return box;
  };
  Builder.prototype.cond = function (c, g, i) {
    var self = this, f = kindOf(self.cat, c.field) || {kind: "text", choices: []};
    var fieldSel = el("select", {"class": "form-control input-sm", "aria-label": "Field", "data-testid": "cond-field", onchange: function () {
      c.field = fieldSel.value; var k = (kindOf(self.cat, c.field) || {kind: "text"}).kind;
      if (OPS[k].indexOf(c.op) < 0) { c.op = OPS[k][0]; }
      c.value = ""; self.changed(true);
    }}, self.cat.map(function (x) { return el("option", {value: x.path, text: x.label}); }));
    fieldSel.value = c.field;
    var opSel = el("select", {"class": "form-control input-sm", "aria-label": "Operator", "data-testid": "cond-op", onchange: function () { c.op = opSel.value; self.changed(true); }},
      OPS[f.kind].map(function (o) { return el("option", {value: o, text: LABEL[o]}); }));
    opSel.value = c.op;
    var valueEl = null;
    if (!NO_VALUE[c.op]) {
      if (f.kind === "choice" && c.op !== "oneof" || f.kind === "multi") {
        valueEl = el("select", {"class": "form-control input-sm", "aria-label": "Value", "data-testid": "cond-value"},
          [el("option", {value: "", text: "choose…"})].concat((f.choices || []).map(function (x) { return el("option", {value: x, text: x}); })));
      } else {
        valueEl = el("input", {"class": "form-control input-sm", "aria-label": "Value", "data-testid": "cond-value",
          type: (f.kind === "number" || f.kind === "count") ? "number" : "text", step: "any",
          placeholder: c.op === "oneof" ? "a, b, c" : "value"});
      }
      valueEl.value = c.value === null || c.value === undefined ? "" : c.value;
      valueEl.addEventListener(valueEl.tagName === "SELECT" ? "change" : "input", function () {
        c.value = (f.kind === "number" || f.kind === "count") && valueEl.value !== "" ? Number(valueEl.value) : valueEl.value;
        self.changed(false);
      });
    }
    return el("div", {"class": "sc-cond"}, [fieldSel, opSel, valueEl,
      el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", "aria-label": "Remove condition", text: "✕",
        onclick: function () { g.items.splice(i, 1); if (!g.items.length && g === self.tree) { g.items.push(cond(c.field, c.op)); } self.changed(true); }})]);
  };

  function complete(node) {
    if (node.type === "group") { return node.items.length > 0 && node.items.every(complete); }
    return !!NO_VALUE[node.op] || (node.value !== "" && node.value !== null && node.value !== undefined);
  }

  window.SteercoCriteria = {toTree: toTree, toRule: toRule, sentence: sentence, Builder: Builder, complete: complete,
                            newTree: function (cat) { var p = cat[0] ? cat[0].path : "title"; return {type: "group", op: "all", items: [cond(p, "filled")]}; }};
}());
