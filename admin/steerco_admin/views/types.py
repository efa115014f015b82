"""Measure types and their form builder (custom fields), without typing YAML or JSON."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import NotFound, PermissionDenied, StaleUpdate, ValidationFailed
from steerco.domain.forms import FIELD_TYPES
from steerco.services.configuration import drafts
from steerco_admin.views.base import Page, form_version, login_required, run

TYPE_LABELS = {"text": "Text", "long_text": "Long text", "number": "Number", "money": "Money", "date": "Date",
               "choice": "Choice", "multi_choice": "Multiple choice", "user": "User", "link": "Link",
               "boolean": "Yes/no"}
BLANK_ROWS = 2


class TypesView(Page):
    route_base = "/types"

    @expose("/")
    @login_required
    def index(self):
        def work(uow):
            drafts.require_configurer(uow)
            names = {m["code"]: m["name"] for m in drafts.overview(uow)}
            return {"types": [{"code": t.code, "name": t.name, "model": names.get(t.model_code, t.model_code),
                               "fields": len(t.fields_json)} for t in uow.measure_types()]}
        try:
            data = run(work, readonly=True)
        except PermissionDenied as e:
            return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403
        return self.render_template("steerco/types.html", title="Measure types", **data)

    @expose("/edit", methods=["GET", "POST"])
    @expose("/edit/<code>", methods=["GET", "POST"])
    @login_required
    def edit(self, code=None):
        errors, bad_row = {}, None
        if request.method == "POST":
            f = request.form
            values = {"code": (code or f.get("code", "")).strip(), "name": f.get("name", "").strip(),
                      "model": f.get("model", ""), "version": f.get("version", "")}
            fields = _fields_from_form()
            try:
                if not values["code"]:
                    raise ValidationFailed({"code": ["required"]})
                sent = form_version()
                run(lambda uow: drafts.save_measure_type(uow, values["code"], values["name"] or values["code"],
                                                         values["model"], fields, expected_version=sent))
                flash(f"Saved measure type {values['name'] or values['code']} with {len(fields)} field(s).", "success")
                return redirect(url_for("TypesView.index"))
            except StaleUpdate as e:  # the form stays as typed; the stored type is theirs
                errors = {"version": [e.message]}
            except ValidationFailed as e:
                errors = e.errors
                bad_row = _row_of(" ".join(sum(errors.values(), [])), fields)
        else:
            values, fields = {"code": code or "", "name": "", "model": ""}, []
        return self._form(code, values, fields, errors, bad_row, 422 if errors else 200)

    def _form(self, code, values, fields, errors, bad_row, status):
        def work(uow):
            drafts.require_configurer(uow)
            if code and request.method == "GET":
                mt = uow.measure_type(code)
                if mt is None:
                    raise NotFound(f"measure type: no measure type '{code}'")
                values.update(name=mt.name, model=mt.model_code, version=mt.version)
                fields.extend(mt.fields_json)
            # a draft model is offered too: its builder reads the type's fields before the first publication
            return {"models": [{"code": m["code"], "name": m["name"] if m["version"] else f"{m['name']} (draft)"}
                               for m in drafts.overview(uow)]}
        data = run(work, readonly=True)
        rows = list(fields) + [{} for _ in range(BLANK_ROWS)]
        sections = list(dict.fromkeys(f.get("section") for f in fields if f.get("section")))
        return self.render_template("steerco/type_edit.html", title="Measure type", code=code, values=values,
                                    rows=rows, sections=sections, errors=errors, bad_row=bad_row, field_types=FIELD_TYPES,
                                    type_labels=TYPE_LABELS, **data), status


def _fields_from_form() -> list[dict]:
    """The fields in the order their rows were sent (the order the admin arranged them in).

    Checkboxes are named after the row a field was rendered in (hidden ``row``), so rows
    moved in the page keep their own "required" and "remove" ticks.
    """
    f = request.form
    out = []
    labels = f.getlist("label")
    rows = f.getlist("row")
    for i, label in enumerate(labels):
        label = label.strip()
        row = rows[i] if i < len(rows) else str(i)
        if not label or f.get(f"remove_{row}"):
            continue
        key = (f.getlist("key")[i] if i < len(f.getlist("key")) else "").strip()
        if not key:
            key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:60] or "field"
            key = key if key[0].isalpha() else f"f_{key}"
        field = {"key": key, "label": label, "type": f.getlist("type")[i]}
        if f.get(f"required_{row}"):
            field["required"] = True
        if f.get("value_row") == row:
            field["value"] = True
        choices = [c.strip() for c in f.getlist("choices")[i].split(",") if c.strip()]
        if choices:
            field["choices"] = choices
        for name in ("help", "section"):
            value = f.getlist(name)[i].strip()
            if value:
                field[name] = value
        out.append(field)
    return out


def _row_of(message: str, fields: list[dict]):
    m = re.search(r"field #(\d+)", message)
    if m:
        return int(m.group(1)) - 1
    m = re.search(r"field '([^']+)'", message)
    if m:
        return next((i for i, f in enumerate(fields) if f["key"] == m.group(1)), None)
    return None
