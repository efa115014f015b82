"""Test helpers for plugin authors.

:class:`ConnectorContract` is the contract every connector must meet. Subclass
it in your plugin's test module and provide the fixtures it asks for::

    from steerco.testing import ConnectorContract

    class TestMyConnector(ConnectorContract):
        @pytest.fixture
        def connector(self, fake_server):            # works against a local fake
            return MyConnector(MyConnector.load_settings({...}, env={"MY_TOKEN": "s3cret"}))

        @pytest.fixture
        def broken_connector(self):                  # points at nothing that answers
            ...

        @pytest.fixture
        def secret_values(self):
            return ["s3cret"]

The inherited tests check that the connector declares its capabilities, that a
second sync changes nothing, that failures raise :class:`ConnectorError` naming
the connector and the operation, and that secrets never reach a log line, an
error or a repr. ``sync_context`` defaults to a fresh migrated SQLite database;
override it to sync against data of your own.
"""

from __future__ import annotations

import logging

import pytest

from steerco.plugins.connector import CAPABILITIES, Connector, ConnectorError, SyncContext

__all__ = ["ConnectorContract"]


class ConnectorContract:
    """Base class of a connector's contract tests (pytest collects subclasses named ``Test*``)."""

    @pytest.fixture
    def connector(self) -> Connector:
        raise NotImplementedError("provide a 'connector' fixture: a connector working against a local fake")

    @pytest.fixture
    def broken_connector(self) -> Connector:
        raise NotImplementedError("provide a 'broken_connector' fixture: the same connector against a failing system")

    @pytest.fixture
    def secret_values(self) -> list[str]:
        return []

    @pytest.fixture
    def sync_context(self, tmp_path) -> SyncContext:
        from steerco.migrate import upgrade
        from steerco.store.uow import Store

        url = f"sqlite:///{tmp_path / 'contract.db'}"
        upgrade(url)
        store = Store(url)
        yield SyncContext(store, "connector:contract")
        store.dispose()

    # -- the contract ---------------------------------------------------------------

    def test_declares_capabilities(self, connector):
        cls = type(connector)
        cls.check_declaration()
        assert cls.capabilities and set(cls.capabilities) <= CAPABILITIES
        assert cls.title, f"connector '{cls.name}' needs a title for the UI"

    def test_sync_reports_counts(self, connector, sync_context):
        counts = connector.sync(sync_context)
        assert {"created", "updated", "unchanged"} <= set(counts), counts
        assert all(isinstance(v, int) and v >= 0 for v in counts.values()), counts

    def test_sync_is_idempotent(self, connector, sync_context):
        connector.sync(sync_context)
        again = connector.sync(sync_context)
        assert again["created"] == 0 and again["updated"] == 0, f"second sync changed data: {again}"

    def test_errors_are_reported_with_context(self, broken_connector, sync_context):
        with pytest.raises(ConnectorError) as info:
            broken_connector.sync(sync_context)
        err = info.value
        assert err.connector == type(broken_connector).name
        assert err.operation and err.problem
        assert err.connector in str(err)

    def test_secrets_never_logged(self, connector, broken_connector, sync_context, secret_values, caplog):
        caplog.set_level(logging.DEBUG)
        texts = [repr(connector), str(connector.settings), repr(connector.settings)]
        connector.sync(sync_context)
        try:
            broken_connector.sync(sync_context)
        except ConnectorError as e:
            texts += [str(e), repr(e.payload())]
        texts += [r.getMessage() for r in caplog.records]
        texts += [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
        for secret in secret_values:
            leaked = [t for t in texts if secret in t]
            assert not leaked, f"a secret appears in: {leaked[0][:200]}"
