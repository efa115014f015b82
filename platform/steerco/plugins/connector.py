"""What a connector is: capabilities, a settings schema, a sync.

A connector class is registered by a plugin through
``steerco_register_connectors``. Steerco builds one instance per configured
connector with its loaded settings and runs :meth:`Connector.sync` as a
background job (see ``steerco.services.integration.connectors``), never inside a gate
transaction.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from marshmallow import Schema, ValidationError, fields

from steerco.domain.errors import SteercoError, ValidationFailed

CAPABILITIES = frozenset({"directory", "work_items", "financials", "documents", "events", "reporting"})
"""What a connector may declare it does; one word each, as the UI shows them."""


class SecretValue:
    """A secret read from the environment; never shown by ``str``, ``repr`` or a log line.

    Call :meth:`reveal` only where the secret is sent to the external system.
    """

    __slots__ = ("_value", "env")

    def __init__(self, value: str, env: str):
        self._value = value
        self.env = env

    def reveal(self) -> str:
        return self._value

    def __repr__(self):
        return f"<secret from ${self.env}>"

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self):
        return hash(self.env)


class Secret(fields.Field):
    """A settings field whose stored value is the *name* of an environment variable.

    Stored settings therefore never contain the secret itself; loading reads the
    variable (from ``context_env`` when the schema was given one) and yields a
    :class:`SecretValue`.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("the name of the environment variable holding the secret")
        env = self.parent.context_env if getattr(self.parent, "context_env", None) is not None else os.environ
        secret = env.get(value.strip())
        if not secret:
            raise ValidationError(f"environment variable {value.strip()} is not set")
        return SecretValue(secret, value.strip())

    def _serialize(self, value, attr, obj, **kwargs):
        return value.env if isinstance(value, SecretValue) else value


class ConnectorSettings(Schema):
    """Base settings schema; subclass it and declare fields (use :class:`Secret` for secrets)."""

    context_env = None


class ConnectorError(SteercoError):
    """A connector could not do its work; carries what is needed to act on it.

    :ivar connector: the connector's name. :ivar operation: what it was doing.
    :ivar retryable: True when trying again later may succeed (timeouts, 429, 5xx).
    :ivar retry_after: seconds the remote system asked us to wait, if it said.
    """

    code = "connector_error"

    def __init__(self, connector: str, operation: str, problem: str, *, retryable: bool = False,
                 retry_after: float | None = None, status: int | None = None):
        self.connector, self.operation, self.problem = connector, operation, problem
        self.retryable, self.retry_after, self.status = retryable, retry_after, status
        super().__init__(f"connector '{connector}': {operation}: {problem}")

    def payload(self) -> dict:
        return {"error": "connector_error", "message": self.message, "connector": self.connector,
                "operation": self.operation, "retryable": self.retryable, "status": self.status}


@dataclass
class SyncContext:
    """What a sync may use: the store (to run units of work), a logger, progress.

    :ivar store: ``steerco.store.uow.Store``; write with ``store.run(actor, work)``.
    :ivar actor: the name recorded in the audit trail (``connector:<name>``).
    :ivar full: a full re-sync was asked for: read and write everything, not only what changed.
    :ivar warnings: what :meth:`warn` collected; a run with warnings is logged as ``partial``.
    """

    store: Any
    actor: str
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("steerco.connectors"))
    #: reports how far the sync got (kept on the running run); call it between units of work, not inside one:
    #: SQLite cannot write the run log while the sync's own transaction holds the database.
    progress: Callable[[str], None] = lambda _msg: None
    #: how a connector waits (e.g. out a 429): tests pass a recorder instead of sleeping.
    sleep: Callable[[float], None] = time.sleep
    full: bool = False
    warnings: list = field(default_factory=list)

    def warn(self, problem: str) -> None:
        """Report something the sync could not do while it did the rest (an amount held back, a record
        skipped, with the reason and the record). The run is logged as ``partial`` with these problems."""
        self.warnings.append(problem)

    @property
    def config_name(self) -> str:
        """The connector configuration being synced (the actor without ``connector:``)."""
        return self.actor.removeprefix("connector:")


class Connector:
    """Base class of every connector.

    Subclasses set ``name`` (unique, lowercase), ``title``, ``capabilities``
    (a subset of :data:`CAPABILITIES`) and ``Settings`` (a
    :class:`ConnectorSettings` subclass), and implement :meth:`sync`.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[str]] = frozenset()
    Settings: ClassVar[type[ConnectorSettings]] = ConnectorSettings

    def __init__(self, settings: dict):
        """:param settings: settings already loaded by :meth:`load_settings`."""
        self.settings = settings

    @classmethod
    def load_settings(cls, raw: dict, env=None) -> dict:
        """Validate stored settings and resolve their secrets from the environment.

        :raises ValidationFailed: naming each wrong field, prefixed ``settings.``.
        """
        schema = cls.Settings()
        schema.context_env = env
        try:
            return schema.load(raw or {})
        except ValidationError as e:
            raise ValidationFailed({f"settings.{k}": v if isinstance(v, list) else [str(v)]
                                    for k, v in e.messages.items()},
                                   f"connector '{cls.name}': invalid settings") from None

    @classmethod
    def check_declaration(cls) -> None:
        """:raises ValueError: the class does not declare a name, known capabilities or a settings schema."""
        if not cls.name or not cls.name.replace("_", "").isalnum() or cls.name != cls.name.lower():
            raise ValueError(f"connector {cls.__qualname__}: 'name' must be lowercase letters, digits or _")
        unknown = set(cls.capabilities) - CAPABILITIES
        if not cls.capabilities or unknown:
            raise ValueError(f"connector '{cls.name}': capabilities must be a non-empty subset of "
                             f"{sorted(CAPABILITIES)}" + (f" (unknown: {sorted(unknown)})" if unknown else ""))
        if not (isinstance(cls.Settings, type) and issubclass(cls.Settings, Schema)):
            raise ValueError(f"connector '{cls.name}': 'Settings' must be a marshmallow Schema class")

    def check(self) -> None:
        """Check the settings against the external system before a configuration is saved (optional).

        Called outside any transaction; the base class checks nothing.

        :raises ValidationFailed: naming the setting the system refuses (``settings.<field>``).
        :raises ConnectorError: the system could not be asked.
        """

    def sync(self, ctx: SyncContext) -> dict[str, int]:
        """Bring Steerco's copy up to date with the external system.

        Must be idempotent: a second run with nothing changed outside reports
        ``created == updated == 0``.

        :returns: counts, at least ``created``, ``updated``, ``unchanged``.
        :raises ConnectorError: with the operation and the remote problem.
        """
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"
