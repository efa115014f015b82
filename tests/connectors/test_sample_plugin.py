"""A third-party plugin installed from its own folder: discovered, listed, its operator and connector at work."""

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from conftest import default_config
from steerco.plugins.connector import SyncContext
from steerco.testing import ConnectorContract
from support.fake_http import FakeHttpServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "steerco-plugin-sample"
TOKEN = "risk-feed-token-7d2e"


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The sample plugin installed by pip (a real build from its pyproject.toml) into its own directory."""
    target = tmp_path_factory.mktemp("site")
    # Built from a copy: pip builds in the source tree and would leave build/ and *.egg-info behind.
    source = tmp_path_factory.mktemp("src") / SAMPLE.name
    shutil.copytree(SAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                        str(source)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return target


@pytest.fixture
def installed(sample_site, monkeypatch):
    monkeypatch.syspath_prepend(str(sample_site))
    return sample_site


def test_plugins_list_shows_the_installed_plugin(sample_site):
    env = {**os.environ, "PYTHONPATH": str(sample_site)}
    r = subprocess.run([str(Path(sys.executable).parent / "steerco"), "plugins", "list", "--json"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    infos = {p["name"]: p for p in json.loads(r.stdout)}
    sample = infos["steerco-plugin-sample"]
    assert sample["version"] == "0.3.1"
    assert sample["connectors"] == ["sample_risks"] and sample["operators"] == ["within_pct"]
    assert sample["hooks"] == ["steerco_register_connectors", "steerco_register_operators"]
    assert {"steerco_ad", "steerco_jira", "steerco_crm"} <= set(infos) | {"steerco"}


def test_discovered_through_its_entry_point(installed):
    from steerco.plugins.manager import connector_classes, make_plugin_manager

    assert "sample" in {ep.name for ep in entry_points(group="steerco")}
    assert "sample_risks" in connector_classes(make_plugin_manager())


def test_its_operator_works_in_a_gate_criterion(installed, portfolio):
    from steerco.plugins.manager import install_operators, make_plugin_manager
    from steerco.services.configuration import bundle as configuration
    from steerco.services.governance import gates, measures

    install_operators(make_plugin_manager())
    config = default_config()
    gate = config["governance_models"][0]["gates"][0]
    gate["must_meet"].append({"code": "target_realistic", "label": "Target within 20 % of baseline",
                              "rule": {"within_pct": [{"var": "target"}, {"var": "baseline"}, 20]},
                              "explanation": "A target more than 20 % away from the baseline needs a review."})
    portfolio.run("system", lambda uow: configuration.apply(uow, config).as_dict())

    def check(target):
        def work(uow):
            m = measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost", "baseline": 1000,
                                      "target": target})
            uow.flush()
            return {r.code: r.passed for r in gates.check(uow, m.id).results}
        return portfolio.run("alice", work)

    assert check(1100)["target_realistic"] is True
    assert check(1500)["target_realistic"] is False


@pytest.fixture
def risk_register():
    def handle(req):
        if req.headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, {"message": "unauthorized"}
        return 200, {}, [{"measure": "M-0001", "title": "Supplier exit", "probability": 3, "impact": 4},
                         {"measure": "M-9999", "title": "Unknown measure", "probability": 1, "impact": 1}]

    with FakeHttpServer(handle) as server:
        yield server


class TestSampleConnectorContract(ConnectorContract):
    """The contract a plugin author inherits, run here on both database backends."""

    @pytest.fixture
    def connector(self, installed, risk_register):
        from steerco_sample.risks import RiskFeed

        return RiskFeed(RiskFeed.load_settings({"base_url": risk_register.url, "token_env": "RISK_TOKEN"},
                                               env={"RISK_TOKEN": TOKEN}))

    @pytest.fixture
    def broken_connector(self, installed, risk_register):
        from steerco_sample.risks import RiskFeed

        return RiskFeed(RiskFeed.load_settings({"base_url": risk_register.url, "token_env": "RISK_TOKEN"},
                                               env={"RISK_TOKEN": "not-" + TOKEN}))

    @pytest.fixture
    def secret_values(self):
        return [TOKEN]

    @pytest.fixture
    def sync_context(self, portfolio):
        from steerco.services.governance import measures

        portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost"})
                      and None)
        return SyncContext(portfolio, "connector:sample")

    def test_risk_lands_once_on_its_measure(self, connector, sync_context):
        first = connector.sync(sync_context)
        assert first == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 1}
        titles = sync_context.store.run("system", lambda uow: [r.title for r in uow.measure_by_code("M-0001").risks],
                                        readonly=True)
        assert titles == ["Supplier exit"]


def test_missing_secret_is_named_in_the_settings_error(installed):
    from steerco_sample.risks import RiskFeed

    from steerco.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        RiskFeed.load_settings({"base_url": "http://127.0.0.1:1", "token_env": "RISK_TOKEN"}, env={})
    assert info.value.errors == {"settings.token_env": ["environment variable RISK_TOKEN is not set"]}
