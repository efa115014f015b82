"""A configured instance: the default configuration, a CRM trigger, a connector, two model versions."""

import pytest
from conftest import default_config
from steerco.services.configuration import bundle as configuration
from steerco.services.integration import triggers

CONNECTORS = [{"name": "jira-main", "connector": "jira", "enabled": True,
               "settings": {"base_url": "https://jira.example", "token_env": "JIRA_TOKEN"}}]


@pytest.fixture
def configured(portfolio, monkeypatch):
    """The default configuration, a CRM trigger, a connector, and a second version of the model."""
    monkeypatch.setenv("JIRA_TOKEN", "jira-secret-value-77")

    def setup(uow):
        triggers.save_source(uow, "hubspot", "hubspot", "HUBSPOT_SECRET")
        triggers.save_rule(uow, "hubspot", {
            "name": "Deal won", "measure_type": "growth", "node": "PA", "owner": {"var": "owner"},
            "condition": {"==": [{"var": "propertyValue"}, "closedwon"]},
            "fields": {"title": {"cat": ["Onboarding ", {"var": "objectId"}]}}})
        cfg = default_config()
        cfg["governance_models"][0]["levels"][1]["name"] = "Spotted"
        configuration.apply(uow, {"governance_models": cfg["governance_models"], "connectors": CONNECTORS})

    portfolio.run("admin", setup)
    return portfolio
