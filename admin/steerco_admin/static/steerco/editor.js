/* Steerco governance model editor: levels, gates, criteria (visual builder), evidence, fields,
   approval steps, decisions, SLA; save as draft, test a rule, preview the impact. */
(function () {
  "use strict";
  var C = window.SteercoCriteria;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var model = data.definition, cat = data.catalogue;
  var root = document.getElementById("editor");
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var trees = new Map();   // criterion object -> builder tree (null: expert only)
  var dirty = false;

  model.levels = model.levels || [];
  model.gates = model.gates || [];

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
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
  function api(method, url, body) {
    return fetch(url, {method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, body: j}; }); });
  }
  function text(label, value, onInput, attrs) {
    var id = "e" + Math.random().toString(36).slice(2);
    var input = el("input", Object.assign({"class": "form-control input-sm", id: id}, attrs || {}));
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("input", function () { onInput(input.value); touch(); });
    return el("div", {"class": "form-group"}, [el("label", {"for": id, text: label}), input]);
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
        el("td", {}, [text("Name", lv.name, function (x) { lv.name = x; var g = gateFor(lv.doi); if (g && !g._named) { g.name = x; } }, {"aria-label": "Level name"})]),
        el("td", {}, [text("Risk weight %", lv.risk_weight, function (x) { lv.risk_weight = x === "" ? 0 : Number(x); }, {type: "number", min: 0, max: 100})])]);
    });
    return el("div", {"class": "sc-gate"}, [el("h3", {text: "Levels (Degree of Implementation)"}),
      el("table", {"class": "table table-condensed"}, [el("tbody", {}, rows)]),
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
    touch(); render();
  }

  /* ---------------------------------------------------------------- criteria */
  function criterion(gate, kind, c) {
    var list = gate[kind];
    if (!trees.has(c)) { trees.set(c, C.toTree(c.rule, cat)); }
    var tree = trees.get(c);
    var sentence = el("div", {"class": "sc-sentence", "data-testid": "sentence"});
    var expert = el("textarea", {"class": "form-control", rows: 4, "aria-label": "JSONLogic", "data-testid": "expert"});
    var builderBox = el("div", {"class": "sc-builder"});
    var expertNote = el("div", {"class": "help-block"});
    var showSentence = function () {
      var t = trees.get(c);
      sentence.textContent = t ? "Passes when " + C.sentence(t, cat) + "." : "Written in JSONLogic (expert tab): the builder cannot show this rule.";
      expert.value = JSON.stringify(c.rule, null, 1);
    };
    var onTree = function (t) { c.rule = C.toRule(t, cat); showSentence(); touch(); };
    var builderPane = el("div", {}, [builderBox]);
    var expertPane = el("div", {style: "display:none"}, [expert, el("button", {type: "button", "class": "btn btn-xs btn-default", text: "Check and use", style: "margin-top:4px",
      onclick: function () {
        var rule;
        try { rule = JSON.parse(expert.value); } catch (e) { expertNote.textContent = "Not valid JSON: " + e.message; expertNote.className = "help-block sc-error"; return; }
        api("POST", "/api/v1/ui/rules/check", {rule: rule}).then(function (r) {
          if (!r.body.ok) { expertNote.textContent = r.body.problem || r.body.message; expertNote.className = "help-block sc-error"; return; }
          c.rule = rule; var t = C.toTree(rule, cat); trees.set(c, t);
          expertNote.textContent = "Rule accepted; it reads " + r.body.reads.join(", ") + "."; expertNote.className = "help-block";
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
      el("ul", {"class": "nav nav-tabs nav-sm"}, [tabB, tabE]), builderPane, expertPane, sentence, testBox,
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
    var box = el("div", {"class": "sc-gate", "data-testid": "gate-" + g.doi});
    box.appendChild(el("h3", {text: "Gate to DoI " + g.doi}));
    box.appendChild(el("div", {"class": "row"}, [
      el("div", {"class": "col-md-6"}, [text("Gate name", g.name, function (x) { g.name = x; g._named = true; }, {"data-testid": "gate-name"})]),
      el("div", {"class": "col-md-3"}, [select("Gate type", data.gate_types, g.type || "go_no_go", function (x) { g.type = x; })]),
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
      el("div", {"class": "col-md-3"}, [text("Escalation after (days)", g.sla.escalation_days, function (x) { g.sla.escalation_days = intOrNull(x); }, {type: "number", min: 0})])]));
    box.appendChild(impact(g));
    return box;
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
      var roles = el("select", {"class": "form-control input-sm", multiple: "multiple", size: 3, "aria-label": "Approver roles", onchange: function () {
        s.roles = Array.prototype.filter.call(roles.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); touch();
      }}, data.roles.map(function (r) { var o = el("option", {value: r, text: r.replace(/_/g, " ")}); o.selected = (s.roles || []).indexOf(r) >= 0; return o; }));
      box.appendChild(el("div", {"class": "row"}, [
        el("div", {"class": "col-md-4"}, [text("Step name", s.name, function (x) { s.name = x; })]),
        el("div", {"class": "col-md-3"}, [el("label", {text: "Approver roles"}), roles]),
        el("div", {"class": "col-md-2"}, [select("Mode", data.modes, s.mode || "any", function (x) { s.mode = x; if (x === "quorum" && !s.quorum) { s.quorum = 2; } })]),
        el("div", {"class": "col-md-2"}, [text("Quorum", s.quorum, function (x) { s.quorum = intOrNull(x); }, {type: "number", min: 1})]),
        el("div", {"class": "col-md-1"}, [el("button", {type: "button", "class": "btn btn-xs btn-link text-danger", style: "margin-top:24px", text: "✕", "aria-label": "Remove step", onclick: function () { g.approval.steps.splice(i, 1); touch(); render(); }})])]));
    });
    var self = el("input", {type: "checkbox", onchange: function () { g.approval.allow_self_approval = self.checked; touch(); }});
    self.checked = !!g.approval.allow_self_approval;
    box.appendChild(el("button", {type: "button", "class": "btn btn-xs btn-default", text: "+ approval step", onclick: function () { g.approval.steps.push({name: "Approval", roles: ["sponsor"], mode: "any"}); touch(); render(); }}));
    box.appendChild(el("label", {"class": "checkbox-inline", style: "margin-left:12px"}, [self, document.createTextNode(" allow self-approval")]));
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
          var b = r.body;
          out.appendChild(el("p", {text: b.checked + " measure(s) at DoI " + (g.doi - 1) + " face this gate next" + (b.more ? " (first " + b.checked + " checked)" : "") + ". Now: " + b.now.pass + " pass, " + b.now.fail + " fail. With this draft: " + b.draft.pass + " pass, " + b.draft.fail + " fail."}));
          if (b.changed.length) {
            out.appendChild(el("table", {"class": "table table-condensed"}, [el("tbody", {}, b.changed.map(function (m) {
              return el("tr", {}, [el("td", {}, [el("a", {href: "/measures/" + m.id, text: m.code})]), el("td", {text: m.title}),
                el("td", {text: (m.before === null ? "new gate" : (m.before ? "passes" : "fails")) + " → " + (m.after ? "passes" : "fails")}),
                el("td", {text: m.failed.join(", ")})]);
            }))]));
          }
        });
      }}), out]);
  }

  /* ---------------------------------------------------------------- page */
  function clean(m) {
    return JSON.parse(JSON.stringify(m, function (k, v) { return k.charAt(0) === "_" ? undefined : v; }));
  }
  function render() {
    root.innerHTML = "";
    root.appendChild(el("div", {"class": "row"}, [el("div", {"class": "col-md-6"}, [text("Model name", model.name, function (x) { model.name = x; }, {"data-testid": "model-name"})])]));
    root.appendChild(levels());
    model.gates.sort(function (a, b) { return a.doi - b.doi; }).forEach(function (g) { root.appendChild(gate(g)); });
  }
  function save() {
    return api("PUT", "/api/v1/ui/models/" + encodeURIComponent(data.code) + "/draft", {definition: clean(model)}).then(function (r) {
      if (!r.ok) { status(r.body.message, "sc-error"); return false; }
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
  render();
}());
