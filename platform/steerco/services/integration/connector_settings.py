"""Saving a connector configuration after the external system confirmed its settings.

A connector may check its settings against the system (the SAP connector reads
the service's ``$metadata``): that call happens here, before and outside the
unit of work that stores the configuration, so no transaction waits on the
network.
"""

from __future__ import annotations

from steerco.plugins.manager import connector_classes
from steerco.services.integration.connectors import require_admin, save_config


def save_checked(store, actor: str, pm, name: str, connector: str, settings: dict, *, enabled: bool = True,
                 env=None, expected_version: int | None = None) -> dict:
    """:func:`steerco.services.integration.connectors.save_config` after ``Connector.check`` accepted the settings.

    :raises PermissionDenied: not an admin (checked before the external system is asked).
    :raises ValidationFailed: a settings field the schema or the external system refuses, named.
    :raises ConnectorError: the external system could not be asked.
    :raises StaleUpdate: the configuration changed since ``expected_version`` (checked again when saving).
    """
    store.run(actor, require_admin, readonly=True)
    cls = connector_classes(pm).get(connector)
    if cls is not None:
        cls(cls.load_settings(settings, env)).check()
    return store.run(actor, lambda uow: save_config(uow, pm, name, connector, settings, enabled=enabled, env=env,
                                                    expected_version=expected_version))
