"""``steerco serve --workers N``: the app under gunicorn, N worker processes each building its own app.

Each worker calls :func:`create_app` after the fork, so no database connection, Redis client or plugin
state is shared between processes; the master restarts a worker that dies.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from steerco_admin import logs


class Server(BaseApplication):
    def __init__(self, settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from steerco_admin.app import create_app

        return create_app(self.settings)


def options(settings, *, host: str, port: int, workers: int, threads: int) -> dict:
    found = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # A connection is closed after each answer: a body refused with 413 is then never read and
        # thrown away, however large its sender says it is.
        "keepalive": 0,
        "timeout": 120,
        "graceful_timeout": 30,
        "proc_name": "steerco",
    }
    from gunicorn.config import Config

    if "control_socket_disable" in Config().settings:
        # One fixed socket path per user would be shared by every instance on the machine.
        found["control_socket_disable"] = True
    logconfig = logs.gunicorn_logconfig(settings.log_format)
    if logconfig:
        found["logconfig_dict"] = logconfig
    return found


def run(settings, **kw) -> None:
    Server(settings, options(settings, **kw)).run()
