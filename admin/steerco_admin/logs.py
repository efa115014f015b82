"""Logs: human-readable lines by default, one JSON object per line with ``STEERCO_LOG_FORMAT=json``.

Every request gets an id (the caller's ``X-Request-ID`` when it is a sane token, else a new one), echoed
in the response and carried by every log line written while the request runs, so a line of the web
server, of a service and of the access log can be joined. One access line per request names the method,
path, status, duration and user.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

ACCESS = logging.getLogger("steerco.access")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or a client's id is kept only when it cannot forge log lines or fill them.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
# The fields an access line carries besides the message; also read from any record that has them.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields when there are."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is None and name == "request_id":
                value = current_request_id()
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str) -> None:
    """Send the root logger's INFO and above to stderr as JSON lines (``json``); leave ``text`` as it is.

    Idempotent: an app built twice in one process does not print every line twice.
    """
    if log_format != "json":
        return
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def gunicorn_logconfig(log_format: str) -> dict | None:
    """Gunicorn's own lines (workers booting, a worker killed) in the same JSON format."""
    if log_format != "json":
        return None
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "steerco_admin.logs.JsonFormatter"}},
            "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                    "stream": "ext://sys.stderr"}},
            "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
            "root": {"handlers": ["stderr"], "level": "INFO"}}


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def install(app: Flask) -> None:
    """Give each request its id, echo it, and write the access line."""

    @app.before_request
    def _start():
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        ACCESS.info("%s %s %s", request.method, request.path, response.status_code,
                    extra={"request_id": request_id, "method": request.method, "path": request.path,
                           "status": response.status_code, "duration_ms": duration, "user": _user()})
        return response


def _user() -> str | None:
    """Who made the request: the bearer token's user, else the session's; None when anonymous."""
    try:
        from flask_jwt_extended import get_current_user

        user = get_current_user()
    except Exception:  # no token was checked for this request
        user = None
    if user is None:
        from flask_login import current_user

        try:
            user = current_user if current_user.is_authenticated else None
        except Exception:  # the session's user could not be loaded (database down): the line is still written
            user = None
    return getattr(user, "username", None)
