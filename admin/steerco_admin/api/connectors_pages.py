"""Admin pages of the connectors area: configurations and their syncs, the run log, the trigger dead letters."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template_string, url_for
from flask_appbuilder import expose

from steerco.domain.errors import SteercoError
from steerco.plugins.manager import connector_classes
from steerco.services.integration import connectors as svc
from steerco.services.integration import triggers
from steerco_admin.views.base import Page, actor, login_required, run, store

PAGE = """{% extends 'steerco/base.html' %}
{% import 'steerco/macros.html' as ui %}
{% block content %}
<div class="col-md-12"><div class="sc-page">
  <h1>Connectors</h1>
  <table class="table table-condensed" data-testid="connector-configs">
    <tr><th>Name</th><th>Connector</th><th>Updated</th><th></th></tr>
    {% for c in configs %}
    <tr data-testid="config-{{ c.name }}"><td><a href="{{ url_for('ConnectorSetupView.configure', name=c.name) }}">{{ c.name }}</a>
        {% if not c.enabled %}<span class="label label-default">disabled</span>{% endif %}</td>
      <td>{{ titles.get(c.connector, c.connector) }}</td><td>{{ c.updated_at }}</td>
      <td class="text-right">{% if 'financials' in capabilities.get(c.connector, ()) %}
        <a class="btn btn-xs btn-default" href="{{ url_for('ConnectorSetupView.mapping', name=c.name) }}">Mapping</a>
        <a class="btn btn-xs btn-default" href="{{ url_for('ConnectorSetupView.reconciliation', name=c.name) }}">Reconciliation</a>{% endif %}
        <form style="display:inline" method="post" action="{{ url_for('ConnectorSetupView.sync', name=c.name) }}">{{ ui.csrf() }}
          <button class="btn btn-xs btn-primary" type="submit" data-testid="sync-{{ c.name }}">Sync now</button>
          {% if 'financials' in capabilities.get(c.connector, ()) %}<button class="btn btn-xs btn-default" type="submit" name="full" value="1" data-testid="full-sync-{{ c.name }}">Full re-sync</button>{% endif %}</form></td></tr>
    {% else %}<tr><td colspan="4">No connector configured yet.</td></tr>{% endfor %}
  </table>
  <form class="form-inline" method="get" action="{{ url_for('ConnectorSetupView.configure') }}">
    <select class="form-control input-sm" name="connector" aria-label="Connector">{% for k, t in titles.items() %}<option value="{{ k }}">{{ t }}</option>{% endfor %}</select>
    <button class="btn btn-sm btn-default" type="submit" data-testid="new-connector">Configure a new connector</button>
  </form>
  <h2>Run log</h2>
  <table class="table table-condensed" data-testid="connector-runs">
    <tr><th>#</th><th>Connector</th><th>Status</th><th>Attempts</th><th>Started</th><th>Finished</th><th>Counts</th><th>Errors</th></tr>
    {% for r in runs %}
    <tr data-testid="run-{{ r.id }}"><td>{{ r.id }}</td><td>{{ r.connector }} <small>({{ r.kind }})</small></td>
      <td><span class="label label-{{ {'succeeded':'success','failed':'danger','partial':'warning'}.get(r.status, 'default') }}">{{ r.status }}</span>
        {% if r.status == 'running' and r.progress %}<br><small data-testid="progress-{{ r.id }}">{{ r.progress }}</small>{% endif %}</td>
      <td>{{ r.attempts }}</td><td>{{ r.started_at }}</td><td>{{ r.finished_at or '' }}</td>
      <td>{% for k, v in r.counts.items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</td>
      <td>{{ r.errors|join('; ') }}</td></tr>
    {% else %}<tr><td colspan="8">No sync has run yet.</td></tr>{% endfor %}
  </table>
  <h2>Trigger dead letters</h2>
  <p class="sc-sub">Rejected deliveries (signature, timestamp or body refused) and events that failed in a rule.
  A failed event can be replayed once its cause is fixed; a rejected one must be delivered again by its sender.</p>
  <table class="table table-condensed" data-testid="dead-letters">
    <tr><th>#</th><th>Source</th><th>Event</th><th>Status</th><th>Received</th><th>Reason</th><th></th></tr>
    {% for e in dead %}
    <tr data-testid="dead-{{ e.id }}"><td>{{ e.id }}</td><td>{{ e.source }}</td><td>{{ e.event_id or '' }}</td>
      <td><span class="label label-{{ 'danger' if e.status == 'rejected' else 'warning' }}">{{ e.status }}</span></td>
      <td>{{ e.received_at }}</td><td>{{ e.reason }}</td>
      <td>{% if e.status == 'failed' %}<form method="post" action="{{ url_for('ConnectorsPage.replay', event_id=e.id) }}">{{ ui.csrf() }}
        <button class="btn btn-xs btn-default" type="submit" data-testid="replay-{{ e.id }}">Replay</button></form>{% endif %}</td></tr>
    {% else %}<tr><td colspan="7">No dead letters.</td></tr>{% endfor %}
  </table>
</div></div>
{% endblock %}
"""


class ConnectorsPage(Page):
    route_base = "/connectors"

    @expose("/")
    @login_required
    def index(self):
        def work(uow):
            svc.require_admin(uow)
            return {"runs": svc.runs(uow, limit=100), "dead": triggers.events(uow, dead=True, limit=100),
                    "configs": svc.configs(uow)}

        pm = current_app.extensions.get("steerco.plugins")
        classes = connector_classes(pm) if pm else {}
        kinds = {"titles": {k: c.title for k, c in sorted(classes.items())},
                 "capabilities": {k: c.capabilities for k, c in classes.items()}}

        try:
            data = run(work, readonly=True)
        except SteercoError as e:
            return render_template_string("{% extends 'steerco/base.html' %}{% block content %}<div class='sc-page'>"
                                          "<h1>Connectors</h1><p>{{ message }}</p></div>{% endblock %}",
                                          message=e.message, **self._context()), 403
        return render_template_string(PAGE, **data, **kinds, **self._context())

    def _context(self) -> dict:
        # What FAB's render_template adds for its base templates (ours are strings, not files).
        return {"appbuilder": self.appbuilder, "base_template": self.appbuilder.base_template, **self.extra_args}

    @expose("/dead-letters/<int:event_id>/replay", methods=["POST"])
    @login_required
    def replay(self, event_id):
        try:
            event = triggers.replay(store(), actor(), event_id)
        except SteercoError as e:
            flash(e.message, "danger")
        else:
            flash(f"event {event_id} replayed: {event['status']}", "success" if event["status"] == "accepted"
                  else "warning")
        return redirect(url_for("ConnectorsPage.index"))
