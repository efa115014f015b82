"""The settings form of a connector configuration (admin), built from the connector's settings schema.

Secrets are never typed here: a secret field takes the name of the
environment variable that holds it, as the stored settings do.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template_string, request, url_for
from flask_appbuilder import expose
from marshmallow import fields
from marshmallow.utils import missing

from steerco.domain.errors import StaleUpdate, SteercoError, ValidationFailed
from steerco.plugins.connector import Secret
from steerco.plugins.manager import connector_classes
from steerco.services.integration import connectors as svc
from steerco_admin.views.base import Page, form_version, login_required, plugin_manager, run

PAGE = """{% extends 'steerco/base.html' %}
{% import 'steerco/macros.html' as ui %}
{% block content %}
<div class="col-md-8"><div class="sc-page">
  <h1>{{ title }}</h1>
  <p class="sc-sub">Settings of the configuration “{{ name }}”. Secrets stay in the environment: give the
  <em>name</em> of the variable that holds each one. <a href="{{ url_for('ConnectorsPage.index') }}">Run log</a></p>
  <form method="post" data-testid="connector-settings">{{ ui.csrf() }}<input type="hidden" name="version" value="{{ version }}">
    {% if stale %}<div class="alert alert-warning" role="alert" data-testid="stale">{{ stale }}
      <a href="{{ request.url }}">Reload</a></div>{% endif %}
    {% for f in form %}
    <div class="form-group"><label for="s-{{ f.key }}">{{ f.key }}{% if f.required %} *{% endif %}</label>
      <input id="s-{{ f.key }}" class="form-control" name="{{ f.key }}" type="{{ f.type }}" value="{{ f.value }}"
             {% if f.type == 'number' %}step="any"{% endif %} {% if f.required %}required{% endif %}>
      {% if f.help %}<span class="help-block">{{ f.help }}</span>{% endif %}</div>
    {% endfor %}
    <div class="checkbox"><label><input type="checkbox" name="enabled" value="1" {% if enabled %}checked{% endif %}>
      Enabled</label></div>
    <button class="btn btn-primary" type="submit" data-testid="save-settings">Save</button>
  </form>
</div></div>
{% endblock %}
"""


class ConnectorSettingsView(Page):
    route_base = "/connectors/settings"

    @expose("/<connector>", methods=["GET"])
    @login_required
    def edit(self, connector):
        cls = self._class(connector)
        name = request.args.get("name") or connector

        def work(uow):
            svc.require_admin(uow)
            return next((c for c in svc.configs(uow) if c["name"] == name), None)

        try:
            saved = run(work, readonly=True)
        except SteercoError as e:
            abort(403, e.message)
        values = (saved or {}).get("settings") or {}
        return self.render_template_string(PAGE, title=f"{cls.title} settings", name=name,
                                           form=_form(cls, values), enabled=saved is None or saved["enabled"],
                                           version=saved["version"] if saved else 0)

    @expose("/<connector>", methods=["POST"])
    @login_required
    def save(self, connector):
        cls = self._class(connector)
        name = request.args.get("name") or connector
        raw = {}
        for key, field in _fields(cls):
            text = (request.form.get(key) or "").strip()
            if text:
                raw[key] = _typed(field, text)
        enabled = request.form.get("enabled") == "1"
        back = url_for("ConnectorSettingsView.edit", connector=connector, name=name)
        try:
            sent = form_version()
            run(lambda uow: svc.save_config(uow, plugin_manager(), name, connector, raw, enabled=enabled,
                                            expected_version=sent))
        except StaleUpdate as e:  # what was typed stays on the page; the stored settings are theirs
            return self.render_template_string(PAGE, title=f"{cls.title} settings", name=name, form=_form(cls, raw),
                                               enabled=enabled, version=sent, stale=e.message), 409
        except ValidationFailed as e:
            for key, problems in e.errors.items():
                flash(f"{key}: {'; '.join(problems)}", "danger")
            return redirect(back)
        except SteercoError as e:
            flash(e.message, "danger")
            return redirect(back)
        flash("Settings saved.", "success")
        return redirect(back)

    def _class(self, connector: str):
        cls = connector_classes(plugin_manager()).get(connector) if plugin_manager() else None
        if cls is None:
            abort(404, f"no connector '{connector}' is installed")
        return cls

    def render_template_string(self, source, **kw):
        # What FAB's render_template adds for its base templates (this page is a string, not a file).
        return render_template_string(source, appbuilder=self.appbuilder, base_template=self.appbuilder.base_template,
                                      **self.extra_args, **kw)


def _fields(cls):
    for attr, field in cls.Settings().fields.items():
        yield field.data_key or attr, field


def _form(cls, values: dict) -> list[dict]:
    out = []
    for key, field in _fields(cls):
        kind = "number" if isinstance(field, (fields.Integer, fields.Float)) else "text"
        default = field.load_default if field.load_default not in (None, missing) else ""
        out.append({"key": key, "required": field.required, "type": kind, "value": values.get(key, default),
                    "help": "the name of the environment variable holding the secret"
                    if isinstance(field, Secret) else ""})
    return out


def _typed(field, text: str):
    try:
        if isinstance(field, fields.Integer):
            return int(text)
        if isinstance(field, fields.Float):
            return float(text)
    except ValueError:
        pass  # the schema names the field when it refuses the text
    return text
