"""What the SAP connector tests share: credentials, settings, a portfolio with mapped value lines."""

from __future__ import annotations

import pytest

from steerco.services.integration import connectors as svc
from steerco.services.governance import measures
from steerco.services.value import amounts as value
from support.fake_sap import FakeSap

USER, PASSWORD = "STEERCO_COMM", "Sap-comm-user-pw-7f3a"
CLIENT_ID, CLIENT_SECRET = "sb-steerco!t4711", "oauth-client-secret-93c1"
ENV = {"SAP_PASSWORD": PASSWORD, "SAP_CLIENT_SECRET": CLIENT_SECRET}


def settings_for(sap, **extra) -> dict:
    return {"service_url": sap.service_url, "user": USER, "password_env": "SAP_PASSWORD",
            "company_codes": ["1010"], "periods_from": "2026-09", "periods_to": "2026-12", **extra}


def oauth_settings_for(sap, **extra) -> dict:
    return settings_for(sap, auth="oauth", user=None, password_env=None, token_url=sap.token_url,
                        client_id=CLIENT_ID, client_secret_env="SAP_CLIENT_SECRET", **extra)


def connector(pm, settings):
    cls = svc.connector_classes(pm)["sap"]
    return cls(cls.load_settings(settings, env=ENV))


@pytest.fixture
def sap():
    with FakeSap(USER, PASSWORD, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, page_size=2) as server:
        yield server


@pytest.fixture
def lines(portfolio):
    """Three measures under PA: M-0001 savings on cost centre 10101101, M-0002 on WBS element P-0002-01,
    M-0003 (no mapping of its own) with a savings line in USD."""

    def work(uow):
        out = {}
        for title, kw in (("Freight", {"cost_centre": "10101101"}), ("Steel", {"wbs": "P-0002-01"}),
                          ("Energy", {"currency": "USD"})):
            m = measures.create(uow, {"title": title, "node": "PA", "type": "cost", "owner": "alice"})
            measures.update(uow, m.id, {"sponsor": "bob", "controller": "carol"})
            line = value.add_line(uow, m.id, {"category": "savings", "currency": kw.pop("currency", "EUR"), **kw})
            out[m.code] = (m.id, line.id)
        return out
    return portfolio.run("alice", work)


@pytest.fixture
def configured(portfolio, pm, sap, lines, monkeypatch):
    monkeypatch.setenv("SAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SAP_CLIENT_SECRET", CLIENT_SECRET)
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "s4", "sap", settings_for(sap)))
    return lines


def reconfigure(store, pm, sap, **extra):
    store.run("admin", lambda uow: svc.save_config(uow, pm, "s4", "sap", settings_for(sap, **extra)))


def actuals(store, measure_id) -> dict:
    return store.run("alice", lambda uow: value.grid(uow, measure_id), readonly=True)["lines"][0]["amounts"]["actual"]
