"""The plugin's options, as a connector configuration, and its sync: stored plans applied again.

Plans arrive by upload, per measure (see ``steerco_msproject.imports``). The
options (summary tasks as milestones, the baseline slips are measured against,
the slip that asks for a change request) are the settings of the connector
configuration named ``msproject``; after they change, a sync applies every
measure's last imported plan again with the new options, without a new upload.
"""

from __future__ import annotations

from marshmallow import fields, validate

from steerco.domain.errors import NotFound
from steerco.domain.schedule import PlanOptions
from steerco.plugins.connector import Connector, ConnectorSettings
from steerco.services.integration import plans
from steerco.services.integration.connectors import config

SOURCE = "msproject"
"""Milestones from MS Project plans carry this source; their task UIDs are kept under it."""
CONFIG = "msproject"
"""The connector configuration whose settings are the options (defaults when there is none)."""


class MSProjectSettings(ConnectorSettings):
    summary_tasks = fields.Boolean(load_default=False)
    baseline = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10))
    slip_threshold_days = fields.Integer(load_default=10, allow_none=True, validate=validate.Range(min=0, max=3650))


class MSProjectConnector(Connector):
    name = "msproject"
    title = "Microsoft Project plans"
    capabilities = frozenset({"work_items"})
    Settings = MSProjectSettings

    @property
    def options(self) -> PlanOptions:
        s = self.settings
        return PlanOptions(s["summary_tasks"], s["baseline"], s["slip_threshold_days"])

    def sync(self, ctx):
        """Apply every measure's last imported plan again with the current options."""
        stored = ctx.store.run("system", lambda uow: plans.stored(uow, SOURCE), readonly=True)
        totals = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
        for n, (measure_id, plan, filename, sha256) in enumerate(stored, 1):
            result = ctx.store.run(ctx.actor, lambda uow: plans.reapply(
                uow, measure_id, plan, source=SOURCE, filename=filename, sha256=sha256, options=self.options))
            for k, v in result["counts"].items():
                totals[k] += v
            ctx.progress(f"{n} of {len(stored)} plans applied again")
        return totals


def options(uow) -> PlanOptions:
    """The options in force: the ``msproject`` configuration's settings, or the defaults."""
    try:
        row = config(uow, CONFIG)
    except NotFound:
        return PlanOptions()
    raw = row.settings if row.connector == MSProjectConnector.name else {}
    return MSProjectConnector(MSProjectConnector.load_settings(raw)).options
