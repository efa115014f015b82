/* Steerco governance model editor: levels, value rules, gates, criteria (visual builder), evidence,
   fields, approval steps, decisions, SLA; save as draft, test a rule, preview the impact. */
(function () {
  "use strict";
  var C = window.SteercoCriteria;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var model = data.definition, cat = data.catalogue;
  var root = document.getElementById("editor");
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var trees = new Map();   // criterion object -> builder tree (null: expert only)
  var routes = new Map();  // approval step -> builder tree of its routing condition (null: JSONLogic only)
  var collapsed = new Set(); // DoIs of the gates shown folded (long models stay navigable)
  var dirty = false;
  var findings = data.findings || []; // paths the rules read that measures lack (errors) or may lack (warnings)
  var notes = [];                     // {gate, crit, el}: where each criterion shows its findings

  model.levels = model.levels || [];
  model.gates = model.gates || [];

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) { return; }
      if (k === "text") { e.textContent = attrs[k]; } else if (k.slice(0, 2) === "on") { e.addEventListener(k.slice(2), attrs[k]); } else { e.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }
  function touch() { dirty = true; status("Unsaved changes.", "text-warning"); }
  function status(text, cls) { var s = document.getElementById("editor-status"); s.className = cls || ""; s.textContent = text; }
  function slug(text, taken) {
    var base = (text || "item").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40) || "item";
    if (!/^[a-z]/.test(base)) { base = "c_" + base; }
    var code = base, i = 2;
    while (taken.indexOf(code) >= 0) { code = base + "_" + i++; }
    return code;
  }
  function api(method, url, body, extra) {
    return fetch(url, {method: method, credentials: "same-origin",
      headers: Object.assign({"Content-Type": "application/json", "X-CSRFToken": csrf}, extra || {}), body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, body: j}; }); });
  }
  function text(label, value, onInput, attrs) {
    var id = "e" + Math.random().toString(36).slice(2);
    var input = el("input", Object.assign({"class": "form-control input-sm", id: id}, attrs || {}));
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("input", function () { onInput(input.value); touch(); });
    return el("div", {"class": "form-group"}, [el("label", {"for": id, text: label}), input]);
  }
  function bare(value, onInput, attrs) {
    var input = el("input", Object.assign({"class": "form-control input-sm"}, attrs || {}));
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("input", function () { onInput(input.value); touch(); });
    return input;
  }
  function select(label, options, value, onChange, attrs) {
    var id = "e" + Math.random().toString(36).slice(2);
    var s = el("select", Object.assign({"class": "form-control input-sm", id: id}, attrs || {}),
      options.map(function (o) { return el("option", {value: o, text: o.replace(/_/g, " ")}); }));
    s.value = value;
    s.addEventListener("change", function () { onChange(s.value); touch(); });
    return el("div", {"class": "form-group"}, [el("label", {"for": id, text: label}), s]);
  }
  function intOrNull(x) { return x === "" ? null : parseInt(x, 10); }

  /* ---------------------------------------------------------------- levels */
  function levels() {
    var rows = model.levels.map(function (lv) {
      return el("tr", {}, [el("td", {text: String(lv.doi)}),
        el("td", {}, [bare(lv.name, function (x) { lv.name = x; var g = gateFor(lv.doi); if (g && !g._named) { g.name = x; } }, {"aria-label": "Name of level " + lv.doi})]),
        el("td", {}, [bare(lv.risk_weight, function (x) { lv.risk_weight = x === "" ? 0 : Number(x); }, {type: "number", min: 0, max: 100, "aria-label": "Risk weight % of level " + lv.doi})])]);
    });
    return el("div", {"class": "sc-gate", id: "levels"}, [el("h3", {text: "Levels (Degree of Implementation)"}),
      el("table", {"class": "table table-condensed sc-levels"}, [
        el("thead", {}, [el("tr", {}, [el("th", {text: "DoI"}), el("th", {text: "Name"}), el("th", {text: "Risk weight %"})])]),
        el("tbody", {}, rows)]),
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ level (adds its gate)", "data-testid": "add-level", onclick: addLevel}),
      model.levels.length > 2 ? el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", text: "remove the last level and its gate", onclick: removeLevel}) : null]);
  }
  function gateFor(doi) { for (var i = 0; i < model.gates.length; i++) { if (model.gates[i].doi === doi) { return model.gates[i]; } } return null; }
  function addLevel() {
    var doi = model.levels.length;
    model.levels.push({doi: doi, name: "Level " + doi, risk_weight: 100});
    model.gates.push({doi: doi, name: "Level " + doi, type: "go_no_go", must_meet: [], should_meet: [], min_score: 0, evidence: [],
      required_fields: [], approval: {steps: [{name: "Sponsor approval", roles: ["sponsor"], mode: "any"}]},
      decisions: data.decisions.slice(), sla: {reminder_days: 5, escalation_days: 10}});
    touch(); render();
  }
  function removeLevel() {
    var lv = model.levels.pop();
    model.gates = model.gates.filter(function (g) { return g.doi !== lv.doi; });
    if (baselineGate() === lv.doi) { model.baseline_gate = null; }
    touch(); render();
  }

  /* ---------------------------------------------------------------- value rules */
  /* absent keys mean the defaults the server applies: the baseline at DoI 3 when there is such a gate,
     closure at 90 % of plan over 12 planned periods */
  function baselineGate() {
    if (model.baseline_gate !== undefined) { return model.baseline_gate; }
    return gateFor(3) ? 3 : null;
  }
  function closureNote() {
    var g = model.gates.filter(function (x) { return x.type === "closure"; })[0];
    return g ? "Closure gate: “" + (g.name || "") + "” (DoI " + g.doi + ", the gate of type closure): the value confirmed there becomes read-only and counts as realized."
      : "No gate has the type closure: no value is confirmed, and a measure counts as closed at the last level. Give a gate the type closure to have the value confirmed there.";
  }
  function valueRules() {
    var rule = model.closure || {};
    var id = "e" + Math.random().toString(36).slice(2);
    var sel = el("select", {"class": "form-control input-sm", id: id, "data-testid": "baseline-gate"},
      [el("option", {value: "", text: "never (no baseline)"})].concat(model.gates.map(function (g) {
        return el("option", {value: String(g.doi), text: "DoI " + g.doi + " · " + (g.name || "(no name)")});
      })));
    sel.value = baselineGate() === null ? "" : String(baselineGate());
    sel.addEventListener("change", function () { model.baseline_gate = sel.value === "" ? null : parseInt(sel.value, 10); touch(); });
    var closure = function (key) {
      return function (x) {
        model.closure = model.closure || {};
        if (x === "") { delete model.closure[key]; } else { model.closure[key] = Number(x); }
        if (!Object.keys(model.closure).length) { delete model.closure; }
      };
    };
    var share = rule.share_of_plan === undefined ? 90 : rule.share_of_plan;
    var periods = rule.periods === undefined ? 12 : rule.periods;
    return el("div", {"class": "sc-gate", id: "value-rules", "data-testid": "value-rules"}, [el("h3", {text: "Value rules"}),
      el("div", {"class": "row"}, [
        el("div", {"class": "col-md-4"}, [el("div", {"class": "form-group"}, [el("label", {"for": id, text: "Baseline frozen (value committed) at gate"}), sel])]),
        el("div", {"class": "col-md-4"}, [text("Closure: actuals must reach (% of plan)", share, closure("share_of_plan"), {type: "number", min: 0, max: 1000, "data-testid": "closure-share"})]),
        el("div", {"class": "col-md-4"}, [text("over the first (planned periods)", periods, closure("periods"), {type: "number", min: 0, "data-testid": "closure-periods"})])]),
      el("p", {"class": "help-block", id: "closure-note", "data-testid": "closure-note", text: closureNote()})]);
  }

  /* ---------------------------------------------------------------- criteria */
  function criterion(gate, kind, c) {
    var list = gate[kind];
    if (!trees.has(c)) { trees.set(c, C.toTree(c.rule, cat)); }
    var tree = trees.get(c);
    var sentence = el("div", {"class": "sc-sentence", "data-testid": "sentence"});
    var expert = el("textarea", {"class": "form-control sc-expert", rows: 12, spellcheck: "false", "aria-label": "JSONLogic", "data-testid": "expert"});
    var builderBox = el("div", {"class": "sc-builder"});
    var expertNote = el("div", {"class": "help-block", "data-testid": "expert-note"});
    var pathNote = el("div", {"class": "help-block", "data-testid": "rule-note"});
    notes.push({gate: gate, crit: c, el: pathNote});
    showNote(pathNote, gate, c);
    var showSentence = function () {
      var t = trees.get(c);
      sentence.textContent = t ? "Passes when " + C.sentence(t, cat) + "." : "Written in JSONLogic (expert tab): the builder cannot show this rule.";
      expert.value = JSON.stringify(c.rule, null, 2);
      expert.rows = Math.max(8, Math.min(24, expert.value.split("\n").length + 1));
    };
    var onTree = function (t) { c.rule = C.toRule(t, cat); showSentence(); touch(); };
    var builderPane = el("div", {}, [builderBox]);
    var expertPane = el("div", {style: "display:none"}, [expert, el("button", {type: "button", "class": "btn btn-xs btn-default", text: "Check and use", style: "margin-top:4px",
      onclick: function () {
        var rule;
        try { rule = JSON.parse(expert.value); } catch (e) { expertNote.textContent = "Not valid JSON: " + e.message; expertNote.className = "help-block sc-error"; return; }
        api("POST", "/api/v1/ui/rules/check", {rule: rule, model: data.code, gate: gate.name, criterion: c.code}).then(function (r) {
          if (!r.body.ok) { expertNote.textContent = r.body.problem || r.body.message; expertNote.className = "help-block sc-error"; return; }
          c.rule = rule; var t = C.toTree(rule, cat); trees.set(c, t);
          var warned = r.body.warnings.map(function (w) { return " Warning: " + w.problem + "."; }).join("");
          expertNote.textContent = "Rule accepted" + (r.body.reads.length ? "; it reads " + r.body.reads.join(", ") : "") + "." + warned;
          expertNote.className = "help-block" + (warned ? " text-warning" : "");
          setFindings(findings.filter(function (f) { return f.doi !== gate.doi || f.criterion !== c.code; })
            .concat(r.body.warnings.map(function (w) { return Object.assign({}, w, {doi: gate.doi, criterion: c.code}); })));
          if (t) { new C.Builder(builderBox, t, cat, onTree); }
          showSentence(); touch();
        });
      }}), expertNote]);
    if (tree) { new C.Builder(builderBox, tree, cat, onTree); } else { builderBox.textContent = "This rule uses JSONLogic the builder does not draw; edit it in the expert tab, or start over: "; builderBox.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "new condition", onclick: function () { var t = C.newTree(cat); trees.set(c, t); c.rule = C.toRule(t, cat); render(); touch(); }})); }
    var tabB = el("li", {"class": "active"}, [el("a", {href: "#", text: "Builder", onclick: function (e) { e.preventDefault(); tabB.className = "active"; tabE.className = ""; builderPane.style.display = ""; expertPane.style.display = "none"; }})]);
    var tabE = el("li", {}, [el("a", {href: "#", text: "Expert (JSONLogic)", "data-testid": "tab-expert", onclick: function (e) { e.preventDefault(); tabE.className = "active"; tabB.className = ""; builderPane.style.display = "none"; expertPane.style.display = ""; }})]);
    var testSel = el("select", {"class": "form-control input-sm", "aria-label": "Measure to test", style: "display:inline-block;width:auto"},
      data.measures.map(function (m) { return el("option", {value: m, text: m}); }));
    var testOut = el("span", {"data-testid": "test-result", style: "margin-left:6px"});
    var testBox = data.measures.length ? el("div", {style: "margin-top:6px"}, [el("span", {text: "Test on measure "}), testSel,
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "Test", style: "margin-left:4px", "data-testid": "test-rule", onclick: function () {
        api("POST", "/api/v1/ui/rules/test", {rule: c.rule, measure: testSel.value}).then(function (r) {
          if (!r.ok) { testOut.className = "sc-error"; testOut.textContent = r.body.message; return; }
          testOut.className = r.body.passed ? "text-success" : "text-danger";
          testOut.textContent = r.body.measure + (r.body.passed ? " passes." : " fails" + (r.body.missing.length ? " (missing: " + r.body.missing.join(", ") + ")." : "."));
        });
      }}), testOut]) : el("div", {"class": "help-block", text: "No measure on this model yet to test against."});
    showSentence();
    var taken = list.filter(function (x) { return x !== c; }).map(function (x) { return x.code; });
    return el("div", {"class": "sc-crit", "data-testid": "criterion"}, [
      el("div", {"class": "row"}, [
        el("div", {"class": "col-md-4"}, [text("Label", c.label, function (x) { c.label = x; if (c._auto) { c.code = slug(x, taken); } }, {"data-testid": "crit-label"})]),
        el("div", {"class": kind === "should_meet" ? "col-md-6" : "col-md-8"}, [text("Explanation shown when it fails", c.explanation, function (x) { c.explanation = x; }, {"data-testid": "crit-explanation"})]),
        kind === "should_meet" ? el("div", {"class": "col-md-2"}, [text("Weight", c.weight || 1, function (x) { c.weight = Number(x) || 1; }, {type: "number", min: 1})]) : null]),
      el("ul", {"class": "nav nav-tabs nav-sm"}, [tabB, tabE]), builderPane, expertPane, sentence, pathNote, testBox,
      el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", text: "remove criterion", onclick: function () { list.splice(list.indexOf(c), 1); touch(); render(); }})]);
  }
  function addCriterion(gate, kind) {
    var t = C.newTree(cat);
    var c = {code: slug("criterion", gate.must_meet.concat(gate.should_meet).map(function (x) { return x.code; })),
      label: "", explanation: "", rule: C.toRule(t, cat), _auto: true};
    if (kind === "should_meet") { c.weight = 1; }
    trees.set(c, t);
    gate[kind].push(c);
    touch(); render();
  }

  /* ---------------------------------------------------------------- gates */
  function gate(g) {
    g.must_meet = g.must_meet || []; g.should_meet = g.should_meet || []; g.evidence = g.evidence || [];
    g.required_fields = g.required_fields || []; g.approval = g.approval || {steps: []}; g.approval.steps = g.approval.steps || [];
    g.decisions = g.decisions || data.decisions.slice(); g.sla = g.sla || {};
    var folded = collapsed.has(g.doi), last = model.gates.length;
    var head = document.createTextNode(" Gate to DoI " + g.doi + ": " + (g.name || "(no name)"));
    var outer = el("div", {"class": "sc-gate" + (folded ? " sc-folded" : ""), "data-testid": "gate-" + g.doi, id: "gate-" + g.doi});
    var box = el("div", {id: "gate-body-" + g.doi, "data-testid": "gate-body"});
    if (folded) { box.hidden = true; }
    outer.appendChild(el("div", {"class": "sc-gate-head"}, [
      el("button", {type: "button", "class": "btn btn-link sc-fold", "aria-expanded": String(!folded), "aria-controls": "gate-body-" + g.doi,
        "data-testid": "fold", onclick: function () { if (folded) { collapsed.delete(g.doi); } else { collapsed.add(g.doi); } render(); focusOn("#gate-" + g.doi + " .sc-fold"); }},
        [el("span", {"class": "sc-caret", "aria-hidden": "true", text: folded ? "▸" : "▾"}), head]),
      el("span", {"class": "text-muted sc-gate-sum", "data-testid": "gate-summary", text: summary(g)}),
      el("span", {"class": "sc-gate-move"}, [
        el("button", {type: "button", "class": "btn btn-xs btn-default", text: "↑ earlier", "aria-label": "Move gate " + g.doi + " earlier", "data-testid": "gate-earlier",
          disabled: g.doi <= 1 ? "disabled" : null, onclick: function () { moveGate(g, -1); }}),
        el("button", {type: "button", "class": "btn btn-xs btn-default", text: "↓ later", "aria-label": "Move gate " + g.doi + " later", "data-testid": "gate-later",
          disabled: g.doi >= last ? "disabled" : null, onclick: function () { moveGate(g, 1); }})])]));
    outer.appendChild(box);
    box.appendChild(el("div", {"class": "row"}, [
      el("div", {"class": "col-md-6"}, [text("Gate name", g.name, function (x) { g.name = x; g._named = true; head.textContent = " Gate to DoI " + g.doi + ": " + (x || "(no name)"); }, {"data-testid": "gate-name"})]),
      el("div", {"class": "col-md-3"}, [select("Gate type", data.gate_types, g.type || "go_no_go", function (x) { g.type = x; document.getElementById("closure-note").textContent = closureNote(); })]),
      el("div", {"class": "col-md-3"}, [text("Minimum should-meet score %", g.min_score || 0, function (x) { g.min_score = Number(x) || 0; }, {type: "number", min: 0, max: 100})])]));
    box.appendChild(el("h4", {text: "Must-meet criteria (knock-out)"}));
    g.must_meet.forEach(function (c) { box.appendChild(criterion(g, "must_meet", c)); });
    if (!g.must_meet.length) { box.appendChild(el("p", {"class": "text-muted", text: "No must-meet criterion."})); }
    box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-primary", text: "+ must-meet criterion", "data-testid": "add-must", onclick: function () { addCriterion(g, "must_meet"); }}));
    box.appendChild(el("h4", {text: "Should-meet criteria (weighted score)"}));
    g.should_meet.forEach(function (c) { box.appendChild(criterion(g, "should_meet", c)); });
    box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ should-meet criterion", onclick: function () { addCriterion(g, "should_meet"); }}));
    box.appendChild(el("div", {"class": "row", style: "margin-top:10px"}, [
      el("div", {"class": "col-md-6"}, [evidence(g)]), el("div", {"class": "col-md-6"}, [fields(g)])]));
    box.appendChild(approval(g));
    box.appendChild(el("div", {"class": "row"}, [
      el("div", {"class": "col-md-6"}, [decisions(g)]),
      el("div", {"class": "col-md-3"}, [text("Reminder after (days)", g.sla.reminder_days, function (x) { g.sla.reminder_days = intOrNull(x); }, {type: "number", min: 0})]),
      el("div", {"class": "col-md-3"}, [text("Escalation after (days)", g.sla.escalation_days, function (x) { g.sla.escalation_days = intOrNull(x); }, {type: "number", min: 0}), escalateTo(g)])]));
    box.appendChild(impact(g));
    return outer;
  }
  function escalateTo(g) {
    var id = "e" + Math.random().toString(36).slice(2);
    var known = data.roles.concat(g.sla.escalate_to && data.roles.indexOf(g.sla.escalate_to) < 0 ? [g.sla.escalate_to] : []);
    var s = el("select", {"class": "form-control input-sm", id: id, "data-testid": "escalate-to"},
      [el("option", {value: "", text: "nobody (reminders only)"})].concat(known.map(function (r) { return el("option", {value: r, text: r.replace(/_/g, " ")}); })));
    s.value = g.sla.escalate_to || "";
    s.addEventListener("change", function () { if (s.value) { g.sla.escalate_to = s.value; } else { delete g.sla.escalate_to; } touch(); });
    return el("div", {"class": "form-group"}, [el("label", {"for": id, text: "Escalate to (role)"}), s]);
  }
  function summary(g) {
    var n = function (x, word) { return x + " " + word + (x === 1 ? "" : "s"); };
    var routed = g.approval.steps.filter(function (s) { return s.condition !== undefined && s.condition !== null; }).length;
    return [g.must_meet.length + " must-meet", g.should_meet.length + " should-meet", n(g.evidence.length, "evidence item"),
      n(g.approval.steps.length, "approval step") + (routed ? " (" + routed + " routed by value)" : "")].join(" · ");
  }
  /* Swap a gate with its neighbour: the DoI numbers stay in sequence, the gates' content and the names
     of the levels they lead to change places; risk weights stay with their DoI (they measure progress). */
  function moveGate(g, step) {
    var other = gateFor(g.doi + step);
    if (!other) { return; }
    var a = g.doi, b = other.doi, la = levelFor(a), lb = levelFor(b), bg = baselineGate();
    g.doi = b; other.doi = a;
    // the baseline is frozen at a gate (its approval), so the setting moves with the gate
    if (bg === a) { model.baseline_gate = b; } else if (bg === b) { model.baseline_gate = a; }
    if (la && lb) { var name = la.name; la.name = lb.name; lb.name = name; }
    var fa = collapsed.has(a), fb = collapsed.has(b);
    collapsed.delete(a); collapsed.delete(b);
    if (fa) { collapsed.add(b); } if (fb) { collapsed.add(a); }
    touch(); render();
    status("Gate “" + (g.name || "") + "” now leads to DoI " + g.doi + ". Unsaved changes.", "text-warning");
    focusOn("#gate-" + g.doi + " [data-testid=" + (step < 0 ? "gate-earlier" : "gate-later") + "]:not([disabled])", "#gate-" + g.doi + " .sc-fold");
  }
  function levelFor(doi) { for (var i = 0; i < model.levels.length; i++) { if (model.levels[i].doi === doi) { return model.levels[i]; } } return null; }
  /* focus the first element found of the selectors, in the order given */
  function focusOn() {
    for (var i = 0; i < arguments.length; i++) { var e = document.querySelector(arguments[i]); if (e) { e.focus(); return; } }
  }
  function evidence(g) {
    var rows = g.evidence.map(function (e, i) {
      return el("div", {"class": "sc-cond"}, [
        el("input", {"class": "form-control input-sm", "aria-label": "Evidence label", value: e.label || "", oninput: function (ev) { e.label = ev.target.value; if (e._auto) { e.code = slug(e.label, []); } touch(); }}),
        (function () { var s = el("select", {"class": "form-control input-sm", "aria-label": "Kind", onchange: function (ev) { e.kind = ev.target.value; touch(); }}, data.evidence_kinds.map(function (k) { return el("option", {value: k, text: k === "any" ? "file or link" : k}); })); s.value = e.kind || "any"; return s; }()),
        el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", text: "✕", "aria-label": "Remove evidence", onclick: function () { g.evidence.splice(i, 1); touch(); render(); }})]);
    });
    return el("div", {}, [el("h4", {text: "Required evidence"})].concat(rows).concat([
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ evidence", onclick: function () { g.evidence.push({code: "evidence_" + (g.evidence.length + 1), label: "", kind: "file", _auto: true}); touch(); render(); }})]));
  }
  function fields(g) {
    var box = el("div", {}, [el("h4", {text: "Required fields"})]);
    cat.filter(function (f) { return f.kind !== "count" && f.path.indexOf("evidence.") !== 0; }).forEach(function (f) {
      var cb = el("input", {type: "checkbox", onchange: function () {
        var i = g.required_fields.indexOf(f.path);
        if (cb.checked && i < 0) { g.required_fields.push(f.path); } else if (!cb.checked && i >= 0) { g.required_fields.splice(i, 1); }
        touch();
      }});
      cb.checked = g.required_fields.indexOf(f.path) >= 0;
      box.appendChild(el("label", {"class": "checkbox-inline", style: "margin:0 10px 0 0"}, [cb, document.createTextNode(" " + f.label)]));
    });
    return box;
  }
  function approval(g) {
    var box = el("div", {}, [el("h4", {text: "Approval steps (in order)"})]);
    g.approval.steps.forEach(function (s, i) {
      s.roles = s.roles || [];
      var roles = el("fieldset", {"class": "sc-roles", "data-testid": "approver-roles"}, [el("legend", {text: "Approver roles"})].concat(data.roles.map(function (r) {
        var cb = el("input", {type: "checkbox", value: r, onchange: function () {
          var at = s.roles.indexOf(r);  // roles the list does not offer stay as they are
          if (cb.checked && at < 0) { s.roles.push(r); } else if (!cb.checked && at >= 0) { s.roles.splice(at, 1); }
          touch();
        }});
        cb.checked = s.roles.indexOf(r) >= 0;
        return el("label", {"class": "checkbox-inline"}, [cb, document.createTextNode(" " + r.replace(/_/g, " "))]);
      })));
      var parallel = null;
      if (i > 0) {
        var pcb = el("input", {type: "checkbox", "data-testid": "step-parallel", onchange: function () { if (pcb.checked) { s.parallel = true; } else { delete s.parallel; } touch(); }});
        pcb.checked = !!s.parallel;
        parallel = el("label", {"class": "checkbox-inline"}, [pcb, document.createTextNode(" runs alongside the step before")]);
      }
      box.appendChild(el("div", {"class": "sc-step", "data-testid": "approval-step"}, [el("div", {"class": "row"}, [
        el("div", {"class": "col-md-3"}, [text("Step " + (i + 1) + " name", s.name, function (x) { s.name = x; }, {"data-testid": "step-name"})]),
        el("div", {"class": "col-md-5"}, [roles]),
        el("div", {"class": "col-md-2"}, [select("Mode", data.modes, s.mode || "any", function (x) { s.mode = x; if (x === "quorum" && !s.quorum) { s.quorum = 2; } }, {"data-testid": "step-mode"})]),
        el("div", {"class": "col-md-1"}, [text("Quorum", s.quorum, function (x) { s.quorum = intOrNull(x); }, {type: "number", min: 1, "data-testid": "step-quorum"})]),
        el("div", {"class": "col-md-1"}, [el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", style: "margin-top:24px", text: "✕", "aria-label": "Remove step", onclick: function () { g.approval.steps.splice(i, 1); touch(); render(); }})])]),
        routing(s), parallel]));
    });
    var self = el("input", {type: "checkbox", onchange: function () { g.approval.allow_self_approval = self.checked; touch(); }});
    self.checked = !!g.approval.allow_self_approval;
    box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ approval step", onclick: function () { g.approval.steps.push({name: "Approval", roles: ["sponsor"], mode: "any"}); touch(); render(); }}));
    box.appendChild(el("label", {"class": "checkbox-inline", style: "margin-left:12px"}, [self, document.createTextNode(" allow self-approval")]));
    var again = el("input", {type: "checkbox", "data-testid": "skip-counted", onchange: function () { if (again.checked) { g.approval.skip_counted = true; } else { delete g.approval.skip_counted; } touch(); }});
    again.checked = !!g.approval.skip_counted;
    box.appendChild(el("label", {"class": "checkbox-inline", style: "margin-left:12px"}, [again, document.createTextNode(" an approval given in an earlier step counts again in a later one")]));
    box.appendChild(distinct(g));
    return box;
  }
  /* "Applies only when …": a step routed by value (e.g. the steering committee above 1 M) is drawn with the
     criteria builder; a step without a condition applies to every measure */
  function routing(s) {
    var box = el("div", {"class": "sc-route", "data-testid": "step-routing"});
    var draw = function () {
      box.innerHTML = "";
      if (s.condition === undefined || s.condition === null) {
        box.appendChild(el("span", {"class": "text-muted", "data-testid": "routing-sentence", text: "Applies to every measure. "}));
        box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ only when… (route by value)", "data-testid": "add-routing", onclick: function () {
          var t = {type: "group", op: "all", items: [{type: "cond", field: valueField(), op: "gt", value: ""}]};
          routes.set(s, t); s.condition = C.toRule(t, cat); touch(); draw();
        }}));
        return;
      }
      if (!routes.has(s)) { routes.set(s, C.toTree(s.condition, cat)); }
      var t = routes.get(s);
      var sentence = el("div", {"class": "sc-sentence", "data-testid": "routing-sentence"});
      var say = function () {
        sentence.textContent = t ? "Applies only when " + C.sentence(t, cat) + "." : "Applies only when this JSONLogic holds: " + JSON.stringify(s.condition);
      };
      say();
      box.appendChild(sentence);
      if (t) {
        var b = el("div", {"class": "sc-builder"});
        box.appendChild(b);
        new C.Builder(b, t, cat, function (nt) { t = nt; s.condition = C.toRule(nt, cat); say(); touch(); });
      }
      box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-link", text: "apply to every measure (remove the condition)", "data-testid": "remove-routing",
        onclick: function () { delete s.condition; routes.delete(s); touch(); draw(); }}));
    };
    draw();
    return box;
  }
  /* the measure's value figure routing starts from: the first money fact of the catalogue */
  function valueField() {
    var money = cat.filter(function (f) { return f.value; })[0] || cat.filter(function (f) { return f.path === "potential"; })[0];
    return money ? money.path : (cat[0] ? cat[0].path : "potential");
  }
  /* pairs of measure roles that must be held by different people (e.g. the controller is not the owner) */
  function distinct(g) {
    var pairs = g.approval.distinct || [];
    var box = el("div", {"data-testid": "distinct", style: "margin-top:6px"});
    var choice = function (value, onChange, label) {
      var s = el("select", {"class": "form-control input-sm", "aria-label": label, style: "display:inline-block;width:auto"},
        data.measure_roles.concat(data.measure_roles.indexOf(value) < 0 && value ? [value] : []).map(function (r) { return el("option", {value: r, text: r}); }));
      s.value = value;
      s.addEventListener("change", function () { onChange(s.value); touch(); });
      return s;
    };
    pairs.forEach(function (p, i) {
      box.appendChild(el("div", {"class": "sc-cond"}, [el("span", {text: "The "}),
        choice(p[0], function (x) { p[0] = x; }, "Role"), el("span", {text: " may not be the same person as the "}),
        choice(p[1], function (x) { p[1] = x; }, "Other role"),
        el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", text: "✕", "aria-label": "Remove pair", onclick: function () {
          pairs.splice(i, 1); if (!pairs.length) { delete g.approval.distinct; } touch(); render(); }})]));
    });
    box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ roles held by different people", "data-testid": "add-distinct", onclick: function () {
      g.approval.distinct = pairs.concat([[data.measure_roles[2] || "controller", data.measure_roles[0] || "owner"]]); touch(); render(); }}));
    return box;
  }
  function decisions(g) {
    var box = el("div", {}, [el("h4", {text: "Allowed decisions"})]);
    data.decisions.forEach(function (d) {
      var cb = el("input", {type: "checkbox", onchange: function () {
        g.decisions = data.decisions.filter(function (x) { return x === d ? cb.checked : g.decisions.indexOf(x) >= 0; }); touch();
      }});
      cb.checked = g.decisions.indexOf(d) >= 0;
      if (d === "go") { cb.disabled = true; }
      box.appendChild(el("label", {"class": "checkbox-inline", style: "margin:0 10px 0 0"}, [cb, document.createTextNode(" " + d.replace(/_/g, " "))]));
    });
    return box;
  }
  function impact(g) {
    var out = el("div", {"data-testid": "impact-" + g.doi});
    return el("div", {style: "margin-top:8px"}, [el("button", {type: "button", "class": "btn btn-sm btn-info", text: "Preview impact on the portfolio", "data-testid": "impact",
      onclick: function () {
        out.textContent = "Checking…";
        api("POST", "/api/v1/ui/models/" + encodeURIComponent(data.code) + "/impact", {definition: clean(model), doi: g.doi}).then(function (r) {
          out.innerHTML = "";
          if (!r.ok) { out.appendChild(el("div", {"class": "alert alert-danger", text: r.body.message})); return; }
          window.SteercoImpact.show(out, r.body, g.doi);
        });
      }}), out]);
  }

  /* ---------------------------------------------------------------- findings */
  function showNote(box, gate, c) {
    box.innerHTML = "";
    findings.filter(function (f) { return f.doi === gate.doi && f.criterion === c.code; }).forEach(function (f) {
      box.appendChild(el("div", {"class": f.severity === "error" ? "sc-error" : "text-warning", text: (f.severity === "error" ? "Error: " : "Warning: ") + f.problem + "."}));
    });
  }
  /* each criterion shows its own; the box above the editor lists them all, with where they are */
  function setFindings(list) {
    findings = list || [];
    notes.forEach(function (n) { showNote(n.el, n.gate, n.crit); });
    var box = document.getElementById("editor-findings");
    box.innerHTML = "";
    box.className = "alert " + (findings.some(function (f) { return f.severity === "error"; }) ? "alert-danger" : "alert-warning");
    box.style.display = findings.length ? "" : "none";
    box.appendChild(el("ul", {}, findings.map(function (f) { return el("li", {text: f.severity + ": " + f.message}); })));
  }

  /* ---------------------------------------------------------------- page */
  function clean(m) {
    return JSON.parse(JSON.stringify(m, function (k, v) { return k.charAt(0) === "_" ? undefined : v; }));
  }
  function render() {
    root.innerHTML = "";
    notes = [];
    root.appendChild(el("div", {"class": "row"}, [el("div", {"class": "col-md-6"}, [text("Model name", model.name, function (x) { model.name = x; }, {"data-testid": "model-name"})])]));
    model.gates.sort(function (a, b) { return a.doi - b.doi; });
    root.appendChild(index());
    root.appendChild(levels());
    root.appendChild(valueRules());
    model.gates.forEach(function (g) { root.appendChild(gate(g)); });
  }
  /* the gates in order, each a link to its panel (unfolding it), and fold / unfold all */
  function index() {
    var links = model.gates.map(function (g) {
      return el("li", {}, [el("a", {href: "#gate-" + g.doi, "data-testid": "index-gate-" + g.doi, text: g.doi + " · " + (g.name || "(no name)"),
        onclick: function (e) { e.preventDefault(); collapsed.delete(g.doi); render(); var t = document.getElementById("gate-" + g.doi); t.scrollIntoView(); focusOn("#gate-" + g.doi + " .sc-fold"); }})]);
    });
    var all = function (fold) { return function () { collapsed.clear(); if (fold) { model.gates.forEach(function (g) { collapsed.add(g.doi); }); } render(); }; };
    return el("nav", {"class": "sc-gate-index", "aria-label": "Gates", "data-testid": "gate-index"}, [
      el("strong", {text: "Gates in order: "}), el("ol", {}, links),
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "Fold all", "data-testid": "fold-all", onclick: all(true)}),
      el("button", {type: "button", "class": "btn btn-xs btn-default", text: "Unfold all", "data-testid": "unfold-all", onclick: all(false)})]);
  }
  function save() {
    // If-Match: a draft someone else saved since this page was drawn is not overwritten (409 says who).
    return api("PUT", "/api/v1/ui/models/" + encodeURIComponent(data.code) + "/draft", {definition: clean(model)},
               {"If-Match": 'W/"' + data.version + '"'}).then(function (r) {
      if (r.ok) { data.version = r.body.version; }
      if (!r.ok) {
        if (r.body.problems) { setFindings(r.body.problems); status("Not saved: " + r.body.problems.length + " problem(s), listed above the gates.", "sc-error"); } else { status(r.body.message, "sc-error"); }
        return false;
      }
      setFindings(r.body.warnings);
      dirty = false;
      var p = r.body.problem;
      var problem = document.getElementById("editor-problem");
      problem.textContent = p ? "Before publishing: " + p.location + ": " + p.problem : "";
      problem.style.display = p ? "" : "none";
      status("Draft saved.", "text-success");
      return true;
    });
  }
  document.getElementById("save-draft").addEventListener("click", save);
  document.getElementById("review-publish").addEventListener("click", function (e) {
    e.preventDefault();
    var href = e.currentTarget.getAttribute("href");
    save().then(function (ok) { if (ok) { window.location.href = href; } });
  });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  model.gates.forEach(function (g) { g._named = true; });
  // a long model opens on its first gate; the others show their summary line until unfolded
  if (model.gates.length > 3) { model.gates.forEach(function (g) { if (g.doi > 1) { collapsed.add(g.doi); } }); }
  render();
  setFindings(findings);
}());
