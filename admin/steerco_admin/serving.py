"""What production serving adds around the app: proxy headers, a body limit, health and readiness.

``/health`` says the process answers; ``/ready`` says it can work: the database answers, and the queue
(Redis) too when one is configured. Both answer JSON without a login and name no host, user or password.
"""

from __future__ import annotations

import json
import logging

from flask import Flask
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

# How much past the app's upload limit a server reads before it refuses the body outright (the app itself
# answers a smaller excess with a 413 naming the limit).
BODY_SLACK = 2 << 20


def install(app: Flask, settings, store) -> None:
    if settings.proxies:
        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    app.add_url_rule("/health", "health", _health)
    app.add_url_rule("/ready", "ready", _ready(settings, store))


def _health():
    """The process is alive and serves requests (liveness: restart it when this fails)."""
    return {"status": "ok"}


def _ready(settings, store):
    def ready():
        """The database answers, and the queue when Redis is configured (readiness: send traffic or not)."""
        checks = {"database": _check(lambda: store.run("system", _select_one, readonly=True), "database"),
                  "queue": _check(lambda: _ping_redis(settings.redis_url), "queue")
                  if settings.redis_url else "not configured"}
        ok = all(v in ("ok", "not configured") for v in checks.values())
        return {"status": "ready" if ok else "unavailable", "checks": checks}, 200 if ok else 503

    return ready


def _select_one(uow):
    uow.session.execute(text("SELECT 1"))


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _check(probe, what: str) -> str:
    try:
        probe()
    except Exception as e:  # any failure means "not ready"; the reason goes to the log, not to the caller
        log.warning("readiness: %s unreachable: %s", what, type(e).__name__)
        return "unreachable"
    return "ok"


class BodyLimit:
    """Refuse a request whose announced body is over ``limit`` bytes with 413 before reading any of it.

    Gunicorn hands the body to the app as a stream, so nothing is buffered; this answers before the app
    (and its login, its session lookup) runs at all, as waitress's ``max_request_body_size`` does.
    """

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > self.limit:
            body = json.dumps({"error": "request_entity_too_large", "message": f"the request body ({int(length)} bytes) is over the limit of "
                                          f"{self.limit} bytes (STEERCO_MAX_UPLOAD_MB)"}).encode()
            start_response("413 Request Entity Too Large",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Connection", "close")])
            return [body]
        return self.app(environ, start_response)
