"""What the Oracle connector tests share: credentials, settings, a fake Fusion service."""

from __future__ import annotations

import pytest

from steerco.services.integration import connectors as svc
from support.fake_fusion import FakeFusion

USER, PASSWORD = "STEERCO.INTEGRATION", "Fusion-int-user-pw-51b2"
CLIENT_ID, CLIENT_SECRET = "steerco-fusion-client", "fusion-client-secret-0d7e"
ENV = {"FUSION_PASSWORD": PASSWORD, "FUSION_CLIENT_SECRET": CLIENT_SECRET}
LEDGER = "DE Primary Ledger"


def fusion_settings(fusion, **extra) -> dict:
    return {"base_url": fusion.base_url, "user": USER, "password_env": "FUSION_PASSWORD", "ledger": LEDGER,
            "periods_from": "2026-09", "periods_to": "2026-12", "limit": 2, **extra}


def oauth_fusion_settings(fusion, **extra) -> dict:
    return fusion_settings(fusion, auth="oauth", user=None, password_env=None, token_url=fusion.token_url,
                           client_id=CLIENT_ID, client_secret_env="FUSION_CLIENT_SECRET", **extra)


def fusion_connector(pm, settings, env=None):
    cls = svc.connector_classes(pm)["oracle_fusion"]
    return cls(cls.load_settings(settings, env=env or ENV))


def configure_fusion(store, pm, fusion, **extra):
    store.run("admin", lambda uow: svc.save_config(uow, pm, "fusion", "oracle_fusion", fusion_settings(fusion, **extra),
                                                   env=ENV))


@pytest.fixture
def fusion():
    with FakeFusion(USER, PASSWORD, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def fusion_configured(portfolio, pm, fusion, lines, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    configure_fusion(portfolio, pm, fusion)
    return lines
