"""Settings from the environment, with an embedded default that needs no server."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MailSettings:
    """SMTP delivery; with no host, mails stay in the outbox table and are logged (the default)."""

    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "steerco@localhost"

    @classmethod
    def from_env(cls, env) -> "MailSettings":
        port = env.get("STEERCO_SMTP_PORT", "25")
        if not port.isdigit():
            raise ValueError(f"STEERCO_SMTP_PORT must be a port number, not {port!r}")
        return cls(env.get("STEERCO_SMTP_HOST") or None, int(port), env.get("STEERCO_SMTP_USER") or None,
                   env.get("STEERCO_SMTP_PASSWORD") or None,
                   env.get("STEERCO_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
                   env.get("STEERCO_MAIL_FROM") or "steerco@localhost")


MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    max_upload_mb: int = 25
    # Background jobs, notifications and SLAs (issue 3).
    redis_url: str | None = None
    base_url: str = "http://localhost:5000"
    mail: MailSettings = MailSettings()
    workdays: str = "mon-fri"
    holidays: str = ""
    # Who the monthly cycle builds packs as (a PMO or admin login): recorded in the audit trail.
    cycle_user: str = "admin"
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none, the default).
    proxies: int = 0
    # "text" (human-readable, the default) or "json" (one object per line, for a log collector).
    log_format: str = "text"
    # Writes of existing objects through the API without If-Match (or a version) answer 428 when set;
    # off by default so API clients written before versions keep working (pages always send one).
    require_if_match: bool = False

    @classmethod
    def from_env(cls, env=None) -> "Settings":
        env = os.environ if env is None else env
        instance = Path(env.get("STEERCO_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        url = env.get("STEERCO_DATABASE_URL") or f"sqlite:///{instance / 'steerco.db'}"
        limit = env.get("STEERCO_MAX_UPLOAD_MB", "25")
        if not limit.isdigit() or int(limit) < 1:
            raise ValueError(f"STEERCO_MAX_UPLOAD_MB must be a whole number of MiB, not {limit!r}")
        secret = env.get("STEERCO_SECRET_KEY")
        if secret and len(secret.encode()) < MIN_SECRET_BYTES:
            # It signs session cookies and tokens: a short one can be guessed offline from any cookie.
            raise ValueError(f"STEERCO_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes (it has "
                             f"{len(secret.encode())}); e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'")
        return cls(instance, url, secret or _instance_secret(instance), int(limit),
                   redis_url=env.get("STEERCO_REDIS_URL") or None,
                   base_url=(env.get("STEERCO_BASE_URL") or "http://localhost:5000").rstrip("/"),
                   mail=MailSettings.from_env(env), workdays=env.get("STEERCO_WORKDAYS") or "mon-fri",
                   holidays=env.get("STEERCO_HOLIDAYS") or "",
                   cycle_user=env.get("STEERCO_CYCLE_USER") or "admin",
                   proxies=_proxies(env), log_format=_log_format(env),
                   require_if_match=(env.get("STEERCO_REQUIRE_IF_MATCH") or "").lower() in ("1", "true", "yes"))

    @property
    def evidence_dir(self) -> Path:
        return self.instance_path / "evidence"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb << 20


def _proxies(env) -> int:
    value = env.get("STEERCO_PROXIES") or "0"
    if not value.isdigit() or int(value) > 10:
        raise ValueError(f"STEERCO_PROXIES must be the number of reverse proxies in front of Steerco (0 to 10), "
                         f"not {value!r}")
    return int(value)


def _log_format(env) -> str:
    value = (env.get("STEERCO_LOG_FORMAT") or "text").lower()
    if value not in ("text", "json"):
        raise ValueError(f"STEERCO_LOG_FORMAT must be 'text' or 'json', not {value!r}")
    return value


def _instance_secret(instance: Path) -> str:
    """A secret generated once per instance, so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
