"""Connector configurations and their syncs, with retry, backoff and a run log.

A sync never runs inside another unit of work: :func:`run_sync` opens its own
units (start the run, let the connector write, finish the run), so a failing
connector can only fail its own run.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from sqlalchemy import insert, select, update

from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.plugins import hookimpl
from steerco.plugins.connector import ConnectorError, SyncContext
from steerco.plugins.manager import connector_classes
from steerco.services.integration.connector_progress import recording
from steerco.store import tables_connectors as tc
from steerco.store import versions

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 2.0
MAX_WAIT_SECONDS = 300.0


def require_admin(uow):
    actor = uow.require_user(uow.actor)
    if not actor.is_admin:
        raise PermissionDenied(f"{actor.username} may not configure connectors (admin only)")
    return actor


def save_config(uow, pm, name: str, connector: str, settings: dict, *, enabled: bool = True, env=None,
                expected_version: int | None = None) -> dict:
    """Create or replace the configuration ``name`` of a registered connector.

    Settings are validated by the connector's schema, secrets included (their
    environment variables must be set where this runs).

    :param expected_version: the configuration's version the caller read (0: it did not exist).
    :raises ValidationFailed: unknown connector, or the settings field that is wrong.
    :raises StaleUpdate: the configuration changed (or was created) since ``expected_version``.
    """
    require_admin(uow)
    classes = connector_classes(pm)
    if connector not in classes:
        raise ValidationFailed({"connector": [f"unknown connector '{connector}'; installed: "
                                              f"{', '.join(sorted(classes)) or 'none'}"]})
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum() or len(name) > 64:
        raise ValidationFailed({"name": ["letters, digits, - or _, at most 64 characters"]})
    classes[connector].load_settings(settings, env)
    row = _config_row(uow, name)
    values = {"connector": connector, "settings": settings or {}, "enabled": bool(enabled), "updated_at": uow.now}
    audit = ("connector", name)
    if row is None:
        if expected_version:
            raise versions.stale(uow, "connector", name, expected_version, None, audit)
        uow.session.execute(insert(tc.connector_configs).values(name=name, version=1, **values))
        uow.record("connector.configured", "connector", name, after={"connector": connector, "settings": settings})
    else:
        if expected_version == 0:  # the caller meant to create it, and someone else did first
            raise versions.stale(uow, "connector", name, 0, row.version, audit)
        versions.bump(uow, tc.connector_configs, tc.connector_configs.c.name == name, expected_version, values,
                      kind="connector", key=name, audit=audit)
        uow.record("connector.reconfigured", "connector", name, before={"settings": row.settings},
                   after={"connector": connector, "settings": settings})
    return config_view(_config_row(uow, name))


def config(uow, name: str):
    row = _config_row(uow, name)
    if row is None:
        raise NotFound(f"connector: no connector configured as '{name}'")
    return row


def configs(uow) -> list[dict]:
    rows = uow.session.execute(select(tc.connector_configs).order_by(tc.connector_configs.c.name)).all()
    return [config_view(r) for r in rows]


def config_view(row) -> dict:
    # Stored settings hold environment-variable names, never secrets, so they may be shown.
    return {"name": row.name, "connector": row.connector, "settings": row.settings, "enabled": row.enabled,
            "updated_at": row.updated_at.isoformat(), "version": row.version}


def connector_for(store, pm, name: str, env=None):
    """The configured connector instance ``name``, settings loaded.

    :raises NotFound: no such configuration. :raises ValidationFailed: bad settings.
    """
    row = store.run("system", lambda uow: config(uow, name), readonly=True)
    classes = connector_classes(pm)
    if row.connector not in classes:
        raise NotFound(f"connector: '{row.connector}' (configured as '{name}') is not installed")
    cls = classes[row.connector]
    return cls(cls.load_settings(row.settings, env))


def run_sync(store, pm, name: str, *, env=None, attempts: int = MAX_ATTEMPTS, backoff: float = BACKOFF_SECONDS,
             sleep: Callable[[float], None] = time.sleep, progress: Callable[[str], None] = lambda _m: None,
             full: bool = False) -> dict:
    """Run one sync of the configured connector ``name`` and log it.

    Retryable failures (the remote system unreachable, 429, 5xx) are retried up
    to ``attempts`` times, waiting what the system asked (Retry-After) or
    ``backoff * 2**n`` seconds. Never raises for a connector failure: the run
    log holds the errors. A sync that warned (``ctx.warn``) is logged as
    ``partial`` with its warnings; progress is kept on the running run.

    :param full: ask for a full re-sync (``ctx.full``) instead of an incremental one.

    :returns: the run as :func:`run_view` shows it.
    """
    run_id = store.run("system", lambda uow: _start(uow, name))
    errors: list[str] = []
    counts: dict = {}
    status, attempt = "failed", 0
    try:
        connector = connector_for(store, pm, name, env)
    except (NotFound, ValidationFailed) as e:
        errors.append(_describe(e))
    else:
        ctx = SyncContext(store, f"connector:{name}", progress=recording(store, run_id, progress), sleep=sleep,
                          full=full)
        while attempt < attempts:
            attempt += 1
            try:
                ctx.warnings.clear()
                counts = connector.sync(ctx)
                status = "partial" if ctx.warnings else "succeeded"
                errors.extend(ctx.warnings)
                break
            except ConnectorError as e:
                errors.append(f"attempt {attempt}: {e.message}")
                if not e.retryable or attempt == attempts:
                    break
                wait = min(e.retry_after if e.retry_after is not None else backoff * 2 ** (attempt - 1),
                           MAX_WAIT_SECONDS)
                progress(f"attempt {attempt} failed ({e.problem}); retrying in {wait:g} s")
                sleep(wait)
            except Exception as e:  # a plugin bug fails its own run, logged with the traceback
                log.exception("connector '%s' failed", name)
                errors.append(f"attempt {attempt}: {type(e).__name__}: {e}")
                break
    return store.run("system", lambda uow: _finish(uow, run_id, status, attempt, counts, errors))


def _start(uow, name: str) -> int:
    row = _config_row(uow, name)
    result = uow.session.execute(insert(tc.connector_runs).values(
        config_name=name, connector=row.connector if row else "?", status="running", attempts=0,
        started_at=uow.now, counts={}, errors=[]))
    return result.inserted_primary_key[0]


def _finish(uow, run_id, status, attempts, counts, errors) -> dict:
    uow.session.execute(update(tc.connector_runs).where(tc.connector_runs.c.id == run_id).values(
        status=status, attempts=attempts, finished_at=uow.now, counts=dict(counts or {}), errors=errors))
    row = uow.session.execute(select(tc.connector_runs).where(tc.connector_runs.c.id == run_id)).one()
    uow.record("connector.synced", "connector_run", run_id,
               after={"connector": row.config_name, "status": status, "counts": row.counts, "errors": len(errors)})
    return run_view(row)


def runs(uow, name: str | None = None, limit: int = 50) -> list[dict]:
    """The run log, newest first."""
    q = select(tc.connector_runs).order_by(tc.connector_runs.c.id.desc()).limit(limit)
    if name:
        q = q.where(tc.connector_runs.c.config_name == name)
    return [run_view(r) for r in uow.session.execute(q).all()]


def run_view(row) -> dict:
    return {"id": row.id, "connector": row.config_name, "kind": row.connector, "status": row.status,
            "attempts": row.attempts, "started_at": row.started_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "counts": row.counts, "errors": row.errors, "progress": row.progress}


def _config_row(uow, name):
    return uow.session.execute(select(tc.connector_configs).where(tc.connector_configs.c.name == name)).first()


def _describe(e) -> str:
    if isinstance(e, ValidationFailed):
        return e.message + ": " + "; ".join(f"{k}: {', '.join(v)}" for k, v in e.errors.items())
    return e.message


class ConnectorEvents:
    """Built-in plugin: forwards committed gate decisions to configured connectors that act on them.

    A connector opts in by defining ``on_gate_decided(review, measure) -> str | None``
    (the Jira connector creates a follow-up issue when ``decision_project`` is
    set). It runs after the commit; a failure is logged and audited, never raised.
    """

    def __init__(self, store, pm):
        self.store = store
        self.pm = pm

    @hookimpl
    def steerco_on_gate_decided(self, review: dict, measure: dict, actor: str) -> None:
        classes = connector_classes(self.pm)
        for cfg in self.store.run("system", configs, readonly=True):
            cls = classes.get(cfg["connector"])
            if not cfg["enabled"] or cls is None or not hasattr(cls, "on_gate_decided"):
                continue
            try:
                ref = cls(cls.load_settings(cfg["settings"])).on_gate_decided(review, measure)
                outcome = {"created": ref} if ref else None
            except (ConnectorError, ValidationFailed) as e:
                log.warning("connector '%s' could not act on the decision of %s: %s", cfg["name"], measure["code"],
                            e.message)
                outcome = {"error": e.message}
            if outcome:
                self.store.run(f"connector:{cfg['name']}", lambda uow, o=outcome: uow.record(
                    "connector.gate_decision_forwarded", "gate_review", review["id"], measure["code"], after=o))
