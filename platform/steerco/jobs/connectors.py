"""Connector syncs as background jobs, on the huey queue of :mod:`steerco.jobs`.

Retries with backoff happen inside :func:`steerco.services.integration.connectors.run_sync`,
so every attempt lands in the run log; huey does not retry the job itself.
The worker (``steerco worker``) runs the task once :func:`register_tasks` was
called on its huey instance.
"""

from __future__ import annotations

from steerco.services.integration.connectors import run_sync

TASK = "steerco.sync_connector"


def register_tasks(huey, store_factory, plugins_factory):
    """Define the connector tasks on ``huey``.

    :param store_factory: returns the ``Store`` a job writes to.
    :param plugins_factory: returns the plugin manager (operators installed).
    :returns: the ``sync_connector`` task.
    """

    @huey.task(name=TASK)
    def sync_connector(name: str) -> dict:
        return run_sync(store_factory(), plugins_factory(), name)

    return sync_connector
