"""Steerco's tasks and schedules, registered on a given huey instance."""

from __future__ import annotations

import logging
import threading

from huey import crontab

from steerco.jobs.connectors import register_tasks as register_connector_tasks
from steerco.services.governance import announcements
from steerco.services.rights import forecasts, notify, sla

log = logging.getLogger(__name__)

SCAN_EVERY_MINUTES = 5
DIGEST_HOUR_UTC = 6
FORECAST_REMINDER_HOUR_UTC = 5
CYCLE_HOUR_UTC = 4
CONDITIONS_HOUR_UTC = 5


class Jobs:
    """The tasks bound to one huey instance and one database.

    :ivar sla_scan: reminders and escalations due now, then mail delivery (also every 5 minutes).
    :ivar deliver: mail the queued notifications.
    :ivar daily_digest: one mail per digest user (every day at 06:00 UTC).
    :ivar forecast_reminders: owners with forecasts due, once a month each (checked daily at 05:00 UTC,
        before the digest, so digest users get it there).
    :ivar monthly_cycle: the steering cycle's step of the day (daily at 04:00 UTC): reminders, packs built
        after sign-off and mailed to the committees, late steps escalated.
    :ivar conditions_due: owners told of conditions coming due (daily at 05:00 UTC).

    Delivery also runs every minute on its own, so a review waiting or a gate decided is mailed within a
    minute of the vote, not at the next SLA scan.
    """

    def __init__(self, huey, settings, *, store=None):
        self.huey = huey
        self.settings = settings
        self._store = store
        self._plugins = None
        self._lock = threading.Lock()
        self._files: dict[str, tuple] = {}
        self.calendar = sla.calendar_of(settings)
        retry = {"retries": 3, "retry_delay": 5}

        self.sla_scan = huey.task(name="sla_scan", **retry)(self.run_sla_scan)
        self.deliver = huey.task(name="deliver", **retry)(self.run_deliver)
        huey.periodic_task(crontab(minute="*"), name="deliver_periodic")(self.run_deliver)
        self.conditions_due = huey.task(name="conditions_due", **retry)(self.run_conditions_due)
        huey.periodic_task(crontab(hour=str(CONDITIONS_HOUR_UTC), minute="0"), name="conditions_due_periodic")(
            self.run_conditions_due)
        self.daily_digest = huey.task(name="daily_digest", **retry)(self.run_digest)
        huey.periodic_task(crontab(minute=f"*/{SCAN_EVERY_MINUTES}"), name="sla_scan_periodic")(
            self.run_sla_scan)
        huey.periodic_task(crontab(hour=str(DIGEST_HOUR_UTC), minute="0"), name="daily_digest_periodic")(
            self.run_digest)
        self.forecast_reminders = huey.task(name="forecast_reminders", **retry)(self.run_forecast_reminders)
        huey.periodic_task(crontab(hour=str(FORECAST_REMINDER_HOUR_UTC), minute="0"),
                           name="forecast_reminders_periodic")(self.run_forecast_reminders)
        self.monthly_cycle = huey.task(name="monthly_cycle", **retry)(self.run_cycle)
        huey.periodic_task(crontab(hour=str(CYCLE_HOUR_UTC), minute="0"), name="monthly_cycle_periodic")(
            self.run_cycle)
        self.sync_connector = register_connector_tasks(huey, lambda: self.store, self.plugins)

    @property
    def store(self):
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from steerco.store.uow import Store

                    self._store = Store(self.settings.database_url)
        return self._store

    def plugins(self):
        """The plugin manager, built once per worker, with plugin operators installed for criteria."""
        if self._plugins is None:
            with self._lock:
                if self._plugins is None:
                    from steerco.plugins.manager import install_operators, make_plugin_manager

                    pm = make_plugin_manager()
                    install_operators(pm)
                    self._plugins = pm
        return self._plugins

    def mailer(self):
        return notify.mailer_for(self.settings)

    def run_sla_scan(self) -> dict:
        counts = sla.scan(self.store, self.calendar, self.settings.base_url)
        counts.update(self._deliver())
        log.info("sla scan: %s", counts)
        return counts

    def run_deliver(self) -> dict:
        return self._deliver()

    def _deliver(self) -> dict:
        return notify.deliver(self.store, self.mailer(), attachments=self.attachment, base_url=self.settings.base_url)

    def run_conditions_due(self) -> dict:
        queued = self.store.run("system", announcements.conditions_due)
        counts = {"conditions": queued, **self._deliver()}
        log.info("conditions due: %s", counts)
        return counts

    def run_forecast_reminders(self) -> dict:
        owners = self.store.run("system", lambda uow: forecasts.remind(uow, self.settings.base_url))
        counts = {"forecast_owners": owners, **self._deliver()}
        log.info("forecast reminders: %s", counts)
        return counts

    def run_cycle(self) -> dict:
        from steerco.services.reporting import cycle

        counts = self.store.run(self.settings.cycle_user,
                                lambda uow: cycle.tick(uow, self.calendar, self.settings.base_url))
        counts.update(self._deliver())
        log.info("monthly cycle: %s", counts)
        return counts

    def attachment(self, reference: str):
        """The file a notification names (``pack:ID:FORMAT``), rendered from the stored pack."""
        from steerco.services.reporting import packs

        kind, pack_id, fmt = reference.split(":")
        if kind != "pack":
            return None
        # every member of a committee gets the same file: render it once per worker
        if reference not in self._files:
            pack = self.store.run(self.settings.cycle_user, lambda uow: packs.stored(uow, int(pack_id)),
                                  readonly=True)
            if len(self._files) >= 8:
                self._files.clear()
            self._files[reference] = (packs.file_name(pack, fmt), packs.MEDIA_TYPES[fmt],
                                      packs.render(pack["snapshot"], fmt))
        return self._files[reference]

    def run_digest(self) -> dict:
        return notify.send_digests(self.store, self.mailer(), base_url=self.settings.base_url)
