"""Login rate limit and temporary lockout, per client address and per account.

Both logins (the page's ``POST /login/`` and ``POST /api/v1/security/login``)
pass here. Counts live in Flask-Limiter's storage: in memory by default (one
count per process), in Redis when ``STEERCO_RATELIMIT_STORAGE_URI``,
``STEERCO_REDIS_URL`` or the queue's Redis is configured, so every web worker
sees the same counts. A refusal never tells whether the account exists:
unknown usernames are counted and locked exactly like real ones.
"""

from __future__ import annotations

import math
import os
import time

from flask import current_app, jsonify, render_template, request
from flask_limiter.util import get_remote_address
from limits import parse

LOGIN_PATHS = ("/login/", "/api/v1/security/login")

DEFAULTS = {
    # failed logins of one account within the lockout window that lock it
    "STEERCO_LOGIN_MAX_FAILURES": ("5", int),
    "STEERCO_LOGIN_LOCKOUT_MINUTES": ("15", int),
    # login attempts (failed or not) from one client address
    "STEERCO_LOGIN_RATE_LIMIT": ("120 per minute", str),
}


def configure(app, redis_url: str | None) -> None:
    """Fill the login settings from the environment, and point Flask-Limiter at its storage.

    Call before FAB's security manager is built (it makes the limiter); values already in
    ``app.config`` win.
    """
    for name, (default, kind) in DEFAULTS.items():
        app.config.setdefault(name, kind(os.environ.get(name) or default))
    uri = os.environ.get("STEERCO_RATELIMIT_STORAGE_URI") or redis_url or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "steerco")
    # FAB turns Flask-Limiter off unless asked; only the login counts below use it.
    app.config.setdefault("RATELIMIT_ENABLED", True)


class LoginGuard:
    def __init__(self, app, limiter):
        self.limiter = limiter
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        minutes = app.config["STEERCO_LOGIN_LOCKOUT_MINUTES"]
        self.failures = parse(f"{app.config['STEERCO_LOGIN_MAX_FAILURES']} per {minutes} minutes")
        self.lock = parse(f"1 per {minutes} minutes")
        self.attempts = parse(app.config["STEERCO_LOGIN_RATE_LIMIT"])

    @property
    def strategy(self):
        return self.limiter.limiter

    def _key(self, kind: str, value: str) -> tuple[str, str, str]:
        return self.prefix, kind, value

    def retry_after(self, username: str | None) -> int | None:
        """Seconds until this request may try to log in, or None if it may now; counts the attempt."""
        address = get_remote_address() or "-"
        if not self.strategy.hit(self.attempts, *self._key("login-address", address)):
            return self._seconds_left(self.attempts, self._key("login-address", address))
        if username and not self.strategy.test(self.lock, *self._key("login-locked", username)):
            return self._seconds_left(self.lock, self._key("login-locked", username))
        return None

    def failed(self, username: str) -> bool:
        """Count a failed login; True if this failure locked the account."""
        key = self._key("login-failures", username)
        self.strategy.hit(self.failures, *key)
        if self.strategy.test(self.failures, *key):
            return False
        self.strategy.clear(self.failures, *key)
        self.strategy.hit(self.lock, *self._key("login-locked", username))
        return True

    def succeeded(self, username: str) -> None:
        self.strategy.clear(self.failures, *self._key("login-failures", username))

    def _seconds_left(self, limit, key) -> int:
        reset = self.strategy.get_window_stats(limit, *key).reset_time
        return max(1, math.ceil(reset - time.time()))


def guard() -> LoginGuard:
    return current_app.extensions["steerco.login_guard"]


def install(app, limiter, audit) -> None:
    """Refuse login attempts over the limits before FAB's login views see them.

    :param audit: ``audit(action, username, after)`` writes an event to the audit trail.
    """
    app.extensions["steerco.login_guard"] = LoginGuard(app, limiter)

    @app.before_request
    def _refuse_over_limit():
        if request.method != "POST" or request.path not in LOGIN_PATHS:
            return None
        username = attempted_username()
        wait = guard().retry_after(username)
        if wait is None:
            return None
        audit("login.refused", username or "-", {"address": get_remote_address(), "retry_after": wait})
        return refusal(wait)


def attempted_username() -> str:
    if request.path.startswith("/api/"):
        data = request.get_json(silent=True)
        name = data.get("username") if isinstance(data, dict) else None
    else:
        name = request.form.get("username")
    return name.strip()[:128] if isinstance(name, str) else ""


def refusal(wait: int):
    minutes = max(1, math.ceil(wait / 60))
    message = (f"Too many login attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": "too_many_requests", "message": message, "retry_after": wait})
    else:
        response = current_app.make_response(render_template(
            "steerco/login_refused.html", appbuilder=current_app.appbuilder,
            base_template=current_app.appbuilder.base_template, title="Log in", message=message))
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response
