"""The model editor in headless Chromium holds everything a model has: opened and saved unchanged it
publishes nothing new; the routing of an approval step by value is shown and edited on the page."""

from __future__ import annotations

from playwright.sync_api import expect

from steerco.domain.governance import parse_model
from steerco.services.configuration import drafts
from steerco.services.configuration.model_diff import model_diff


def _latest_and_draft(store):
    def work(uow):
        return uow.latest_model_version("doi-default").definition, drafts.draft(uow, "doi-default")["definition"]
    return store.run("admin", work, readonly=True)


def test_opened_and_saved_unchanged_the_model_is_identical(open_page, app):
    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    latest, draft = _latest_and_draft(store)
    # routing, escalation targets, SLA, baseline gate, closure rule and risk weights all came back
    assert parse_model(draft) == parse_model(latest)
    assert model_diff(latest, draft) == []
    admin.goto(f"{admin.base}/governance/doi-default/publish")
    expect(admin.get_by_test_id("diff")).to_have_count(0)
    expect(admin.locator(".sc-page")).to_contain_text("The draft is the same as the published version.")
