"""Connector syncs as background jobs, on the huey queue of :mod:`steerco.jobs`.

Retries with backoff happen inside :func:`steerco.services.integration.connectors.run_sync`,
so every attempt lands in the run log; huey does not retry the job itself.
The worker (``steerco worker``) runs the task once :func:`register_tasks` was
called on its huey instance.
"""

from __future__ import annotations

from huey import crontab

from steerco.services.integration.connectors import run_sync
from steerco.services.integration.remote_evidence import document_configs

TASK = "steerco.sync_connector"
EVIDENCE_CHECK_MINUTES = 30


def register_tasks(huey, store_factory, plugins_factory):
    """Define the connector tasks on ``huey``.

    :param store_factory: returns the ``Store`` a job writes to.
    :param plugins_factory: returns the plugin manager (operators installed).
    :returns: the ``sync_connector`` task; its ``check_stored_evidence`` attribute is the periodic
        task (every 30 minutes) that syncs each enabled document store.
    """

    @huey.task(name=TASK)
    def sync_connector(name: str, full: bool = False) -> dict:
        return run_sync(store_factory(), plugins_factory(), name, full=full)

    # An edit in a client's library is only seen when Steerco looks: every document store's sync
    # checks its files, so that votes on changed evidence are voided without anyone asking.
    @huey.periodic_task(crontab(minute=f"*/{EVIDENCE_CHECK_MINUTES}"), name="steerco.check_stored_evidence")
    def check_stored_evidence() -> list[dict]:
        store, pm = store_factory(), plugins_factory()
        names = store.run("system", lambda uow: document_configs(uow, pm), readonly=True)
        return [run_sync(store, pm, name) for name in names]

    sync_connector.check_stored_evidence = check_stored_evidence
    return sync_connector
