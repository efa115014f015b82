"""Background jobs queued from the web app."""

from __future__ import annotations

from steerco.jobs import make_huey
from steerco.jobs.connectors import register_tasks


def enqueue_sync(app, name: str, *, full: bool = False) -> str:
    """Queue a sync of connector ``name`` (``full``: a full re-sync) from the web app; returns the job id.

    Under ``TESTING`` the queue is immediate: the job runs before this returns.
    """
    task = app.extensions.get("steerco.sync_task")
    if task is None:
        huey = make_huey(app.config["STEERCO_SETTINGS"], immediate=bool(app.config.get("TESTING")))
        store, pm = app.extensions["steerco.store"], app.extensions["steerco.plugins"]
        task = register_tasks(huey, lambda: store, lambda: pm)
        app.extensions["steerco.sync_task"] = task
    return task(name, full).id
