"""In the browser: an admin configures SharePoint from its settings form; the evidence tab shows where files live."""

import io

import pytest

from conftest import USERS
from support.fake_graph import SECRET, FakeGraph
from ui.conftest import shot


@pytest.fixture
def graph(tmp_path):
    with FakeGraph(tmp_path) as server:
        yield server


@pytest.fixture
def app(portfolio, settings, monkeypatch):
    import steerco_sharepoint
    from steerco.plugins.manager import make_plugin_manager
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("GRAPH_SECRET", SECRET)
    pm = make_plugin_manager(entrypoints=False, plugins=[steerco_sharepoint])
    app = create_app(settings, store=portfolio, plugins=pm, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                     SEND_FILE_MAX_AGE_DEFAULT=3600)
    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    return app


def test_configure_sharepoint_then_see_where_each_file_lives(open_page, portfolio, graph, settings, tmp_path):
    from steerco.services.governance import evidence, measures

    def work(uow):
        m = measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost", "owner": "alice"})
        uow.flush()
        evidence.attach_file(uow, m.id, "business_case", "old-case.pdf", io.BytesIO(b"kept locally"),
                             settings.evidence_dir)
        return m.id
    mid = portfolio.run("alice", work)
    for n in range(3):
        graph.add_file(f"Plans/plan-{n}.docx", b"p")

    admin = open_page("admin")
    admin.goto(f"{admin.base}/connectors/")
    admin.select_option("select[name=connector]", "sharepoint")
    admin.click("[data-testid=new-connector]")
    for key, value in graph.connector_settings().items():
        admin.fill(f"#f-{key}", str(value))
    admin.check("input[name=enabled]")
    admin.click("[data-testid=save-connector]")
    admin.wait_for_selector("text=connector sharepoint saved")

    alice = open_page("alice")
    alice.goto(f"{alice.base}/measures/{mid}?tab=evidence")
    alice.set_input_files("#f-file", files=[{"name": "case.pdf", "mimeType": "application/pdf",
                                             "buffer": b"%PDF business case"}])
    alice.click("[data-testid=attach]")
    alice.wait_for_selector("text=Evidence attached.")
    assert alice.inner_text("[data-testid=where-local]") == "Steerco (local)"
    stored = alice.get_attribute("[data-testid=where-sharepoint]", "href")
    item = next(i for i in graph.items.values() if i["name"] == "case.pdf")
    assert stored == graph.web_url(item["id"])

    alice.select_option("#s-req", "business_case")
    alice.click("[data-testid=browse]")
    alice.click("text=Plans")
    alice.click("[data-testid=next-page]")
    alice.click("[data-testid='doc-plan-2.docx'] button")
    alice.wait_for_selector("text=File linked.")
    assert alice.locator("[data-testid=where-sharepoint]").count() == 2
    assert "Business case" in alice.inner_text("[data-testid=evidence-table] tbody tr:nth-child(3)")
    shot(alice, "sharepoint-evidence")
