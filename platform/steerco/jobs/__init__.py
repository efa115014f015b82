"""Background jobs on huey (issue 3): SqliteHuey by default, RedisHuey with ``STEERCO_REDIS_URL``.

Nothing is created at import time: :func:`build` makes the huey instance and
registers the tasks on it, in the web process (to enqueue) and in
``steerco worker`` (to run them) alike. Every task is idempotent, so huey's
retries and a periodic run overlapping a manual one are safe.
"""

from __future__ import annotations

from steerco.jobs.tasks import Jobs

__all__ = ["Jobs", "build", "make_huey"]

QUEUE = "steerco"


def make_huey(settings, *, immediate: bool = False):
    """The huey instance for ``settings``: Redis when a URL is set, else a SQLite file in the instance folder."""
    if settings.redis_url:
        from huey import RedisHuey

        return RedisHuey(QUEUE, url=settings.redis_url, immediate=immediate)
    from huey import SqliteHuey

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE, filename=str(settings.instance_path / "jobs.db"), immediate=immediate)


def build(settings, *, store=None, immediate: bool = False) -> Jobs:
    """A huey instance with Steerco's tasks registered; ``store`` defaults to one made on first use."""
    return Jobs(make_huey(settings, immediate=immediate), settings, store=store)
