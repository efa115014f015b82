"""Connector syncs as background jobs, on the huey queue of ``steerco.jobs``.

Retries with backoff happen inside :func:`steerco.services.connectors.run_sync`,
so every attempt lands in the run log; huey does not retry the job itself.
The worker (``steerco worker``) runs the task once :func:`register_tasks` was
called on its huey instance.
"""

from __future__ import annotations

TASK = "steerco.sync_connector"


def register_tasks(huey, store_factory, plugins_factory):
    """Define the connector tasks on ``huey``.

    :param store_factory: returns the ``Store`` a job writes to.
    :param plugins_factory: returns the plugin manager (operators installed).
    :returns: the ``sync_connector`` task.
    """

    @huey.task(name=TASK)
    def sync_connector(name: str) -> dict:
        from steerco.services.connectors import run_sync

        return run_sync(store_factory(), plugins_factory(), name)

    return sync_connector


def enqueue_sync(app, name: str) -> str:
    """Queue a sync of connector ``name`` from the web app; returns the job id.

    Under ``TESTING`` the queue is immediate: the job runs before this returns.
    """
    from steerco.jobs import make_huey

    task = app.extensions.get("steerco.sync_task")
    if task is None:
        huey = make_huey(app.config["STEERCO_SETTINGS"], immediate=bool(app.config.get("TESTING")))
        store, pm = app.extensions["steerco.store"], app.extensions["steerco.plugins"]
        task = register_tasks(huey, lambda: store, lambda: pm)
        app.extensions["steerco.sync_task"] = task
    return task(name).id
