"""SharePoint evidence through Microsoft Graph and msal, against a local Graph with the documented shapes."""

import hashlib
import io
import json

import pytest

from steerco.domain.errors import NotFound, ValidationFailed
from steerco.plugins.connector import ConnectorError, SyncContext
from steerco.services.governance import evidence, gates, measures
from steerco.services.integration import connectors as svc
from steerco.services.integration import remote_evidence
from steerco.testing import ConnectorContract
from steerco_sharepoint.connector import SharePointConnector
from support import shared
from support.fake_graph import SECRET, FakeGraph

ENV = {"GRAPH_SECRET": SECRET}


def settings_for(graph, **extra):
    return graph.connector_settings(**extra)


@pytest.fixture
def graph(tmp_path):
    with FakeGraph(tmp_path) as server:
        yield server


@pytest.fixture
def configured(portfolio, pm, graph, monkeypatch):
    monkeypatch.setenv("GRAPH_SECRET", SECRET)
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "sharepoint", "sharepoint", settings_for(graph)))
    return portfolio


def create(store):
    data = {"title": "Consolidate steel suppliers", "node": "PA", "type": "cost", "owner": "alice"}
    return store.run("admin", lambda uow: measures.create(uow, data).id)


def at_detailed_gate(store, mid):
    """DoI 1 reached, everything but the business case ready for gate 2 (Detailed)."""
    store.run("alice", lambda uow: measures.update(uow, mid, {
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000, "target": 1600000}) and None)
    rid = store.run("alice", lambda uow: gates.submit(uow, mid).id)
    store.run("pmo", lambda uow: gates.vote(uow, rid, "go") and None)

    def prepare(uow):
        measures.update(uow, mid, {"fields": {"one_time_cost": 50000, "go_live_date": "2027-03-01"}})
        measures.add_milestone(uow, mid, "Pilot", "2027-01-15")
        measures.add_risk(uow, mid, {"title": "Pushback", "probability": 2, "impact": 3})
    store.run("alice", prepare)


def upload(store, pm, mid, name, data, tmp_path):
    return remote_evidence.upload(store, pm, "alice", mid, "business_case", name, io.BytesIO(data), tmp_path / "spool",
                                  max_bytes=64 << 20)


def sync(store, pm):
    run = svc.run_sync(store, pm, "sharepoint", sleep=lambda s: None)
    assert run["status"] == "succeeded", run
    return run["counts"]


def test_small_upload_is_one_put_into_the_folder_of_node_measure_and_gate(configured, pm, graph, tmp_path):
    mid = create(configured)
    data = b"%PDF-1.7 business case"
    ev = upload(configured, pm, mid, "case.pdf", data, tmp_path)
    loc = ev["location"]
    assert loc["store"] == "sharepoint" and loc["status"] == "current"
    assert ev["sha256"] == hashlib.sha256(data).hexdigest() == graph.sha256(loc["item_id"])
    assert ev["size"] == len(data)
    assert loc["web_url"] == graph.web_url(loc["item_id"]) and loc["etag"]
    assert graph.items[loc["item_id"]]["path"] == "Steerco/PA/M-0001/Detailed/case.pdf"
    puts = [r for r in graph.requests if r.method == "PUT"]
    assert len(puts) == 1 and puts[0].path.endswith(":/content")
    assert not list((tmp_path / "spool").iterdir()), "the spooled copy is removed"


def test_without_a_drive_id_the_sites_default_library_is_used(graph, tmp_path):
    raw = settings_for(graph)
    del raw["drive_id"]
    conn = SharePointConnector(SharePointConnector.load_settings(raw, env=ENV))
    with conn.evidence_store() as store:
        item = store.put(io.BytesIO(b"abc"), name="a:b?.txt", size=3, folder=("PA", "M-0001", "Detailed"))
    assert graph.items[item.item_id]["path"] == "Steerco/PA/M-0001/Detailed/a_b_.txt"
    graph_calls = [r.path for r in graph.requests if r.path.startswith("/v1.0/")]
    assert graph_calls and all(p.startswith("/v1.0/sites/") for p in graph_calls)


def test_large_upload_resumes_from_next_expected_ranges_after_a_broken_fragment(configured, pm, graph, tmp_path):
    mid = create(configured)
    data = bytes(range(256)) * (5 * 4096 + 7)  # ~5 MiB: over the 4 MiB single-PUT limit
    graph.interrupt_fragments = {3}
    ev = upload(configured, pm, mid, "model.xlsx", data, tmp_path)
    assert graph.sha256(ev["location"]["item_id"]) == ev["sha256"] == hashlib.sha256(data).hexdigest()
    frags = [r for r in graph.requests if r.path.startswith("/up/")]
    ranges = [r.headers.get("content-range") for r in frags if r.method == "PUT"]
    chunk = 2 * 320 * 1024
    assert ranges[:4] == [f"bytes 0-{chunk - 1}/{len(data)}", f"bytes {chunk}-{2 * chunk - 1}/{len(data)}",
                          f"bytes {2 * chunk}-{3 * chunk - 1}/{len(data)}",
                          f"bytes {2 * chunk + chunk // 2}-{3 * chunk + chunk // 2 - 1}/{len(data)}"]
    assert [r.method for r in frags].count("GET") == 1, "the session's status was asked once, after the break"
    assert all("authorization" not in r.headers for r in frags)


def test_a_name_conflict_on_the_last_fragment_is_reported_and_nothing_recorded(configured, pm, graph, tmp_path):
    # Graph's documented 409 body is not valid JSON (a trailing comma): the status must still come through.
    graph.conflict_body = shared.require("vendor-samples", "msgraph", "uploadsession-conflict-409.json.txt").read_bytes()
    mid = create(configured)
    with pytest.raises(ConnectorError) as e:
        upload(configured, pm, mid, "big.bin", b"x" * (5 << 20), tmp_path)
    assert e.value.status == 409 and "name conflict" in e.value.problem and not e.value.retryable
    count = configured.run("admin", lambda uow: len(uow.measure(mid).evidence), readonly=True)
    assert count == 0
    assert not list((tmp_path / "spool").iterdir())


def test_link_by_url_records_id_etag_and_hash(configured, pm, graph):
    mid = create(configured)
    iid = graph.add_file("Projects/Steel/business case.docx", b"v1")
    ev = remote_evidence.link(configured, pm, "alice", mid, "business_case", url=graph.web_url(iid))
    loc = ev["location"]
    assert (loc["item_id"], loc["status"]) == (iid, "current")
    assert loc["etag"] == graph.drive_item(graph.items[iid])["eTag"]
    assert loc["hash"] == "sha1Hash:" + graph.items[iid]["sha1"]
    assert ev["sha256"] is None  # Steerco never held the content of a linked file


def test_link_refuses_what_steerco_cannot_read(configured, pm, graph):
    mid = create(configured)
    iid = graph.add_file("Secret/board.pdf", b"x")
    graph.forbidden.add(iid)
    with pytest.raises(ValidationFailed) as e:
        remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=iid)
    assert "access denied" in e.value.errors["item_id"][0]
    with pytest.raises(ValidationFailed, match="give the file's link"):
        remote_evidence.link(configured, pm, "alice", mid, "business_case")
    folder = graph.add_folder("Plans")
    with pytest.raises(ValidationFailed) as e:
        remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=folder)
    assert "is a folder" in e.value.errors["item"][0]


def test_picker_pages_through_a_folder_with_next_links(configured, pm, graph):
    mid = create(configured)
    for n in range(5):
        graph.add_file(f"Plans/plan-{n}.xlsx", b"p")
    folder = graph.add_folder("Plans")
    names, cursor = [], None
    for _ in range(5):
        page = remote_evidence.browse(configured, pm, "alice", mid, folder, cursor)
        names += [i["name"] for i in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert names == [f"plan-{n}.xlsx" for n in range(5)]
    with pytest.raises(ValidationFailed, match="cursor"):
        remote_evidence.browse(configured, pm, "alice", mid, None, "https://attacker.example/v1.0/x")
    with pytest.raises(NotFound):  # the PMO of another programme may not list the library for this measure
        remote_evidence.browse(configured, pm, "pmo_b", mid)


def test_an_edit_in_sharepoint_shows_and_voids_the_votes(configured, pm, graph):
    mid = create(configured)
    at_detailed_gate(configured, mid)
    iid = graph.add_file("Projects/case.pdf", b"v1")
    remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=iid)
    rid = configured.run("alice", lambda uow: gates.submit(uow, mid).id)
    configured.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    assert sync(configured, pm) == {"created": 0, "updated": 0, "unchanged": 1}
    graph.rename(iid, "case (final).pdf")  # metadata only: the content hash is what counts
    assert sync(configured, pm)["updated"] == 0
    graph.edit(iid, b"v2, edited in SharePoint")
    assert sync(configured, pm) == {"created": 0, "updated": 1, "unchanged": 0}
    state = configured.run("admin", lambda uow: (
        [v.voided_at is not None for v in uow.review(rid).votes], uow.review(rid).status,
        [evidence_status(e) for e in uow.measure(mid).evidence]), readonly=True)
    assert state == ([True], "pending", ["changed"])
    assert sync(configured, pm)["updated"] == 0, "a second sync with nothing changed changes nothing"


def evidence_status(e):
    return e.status


def test_a_periodic_job_checks_every_enabled_document_store(configured, pm, graph):
    from huey import MemoryHuey

    from steerco.jobs.connectors import register_tasks

    mid = create(configured)
    iid = graph.add_file("Projects/case.pdf", b"v1")
    remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=iid)
    graph.edit(iid, b"v2")
    task = register_tasks(MemoryHuey(immediate=True), lambda: configured, lambda: pm)
    runs = task.check_stored_evidence.call_local()
    assert [(r["connector"], r["status"], r["counts"]["updated"]) for r in runs] == [("sharepoint", "succeeded", 1)]
    configured.run("admin", lambda uow: svc.save_config(uow, pm, "sharepoint", "sharepoint", settings_for(graph),
                                                        enabled=False))
    assert task.check_stored_evidence.call_local() == []


def test_a_file_steerco_cannot_read_shows_on_the_checklist_with_the_reason(configured, pm, graph):
    mid = create(configured)
    at_detailed_gate(configured, mid)
    kept = graph.add_file("Projects/case.pdf", b"v1")
    remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=kept)
    graph.forbidden.add(kept)
    assert sync(configured, pm)["updated"] == 1
    check = configured.run("alice", lambda uow: gates.check(uow, mid), readonly=True)
    failed = {f.criterion: f.explanation for f in check.failed}
    assert "Steerco cannot read 'case.pdf': access denied (accessDenied" in failed["evidence:business_case"]
    graph.forbidden.clear()
    graph.delete(kept)
    sync(configured, pm)
    check = configured.run("alice", lambda uow: gates.check(uow, mid), readonly=True)
    assert "not found (deleted or moved)" in {f.criterion: f.explanation for f in check.failed}["evidence:business_case"]


def test_throttling_is_waited_out_per_retry_after(configured, pm, graph):
    mid = create(configured)
    iid = graph.add_file("Projects/case.pdf", b"v1")
    remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=iid)
    doc = json.loads(shared.require("vendor-samples", "msgraph", "INDEX.json").read_text())
    graph.retry_after = doc["files"]["throttling-429.json"]["headers"]["Retry-After"]
    graph.throttled = 2
    waits = []
    run = svc.run_sync(configured, pm, "sharepoint", sleep=waits.append)
    assert run["status"] == "succeeded" and run["attempts"] == 1, run
    assert waits == [pytest.approx(2.128)] * 2  # waited out inside the attempt, as Graph asked
    graph.throttled = 10
    conn = svc.connector_for(configured, pm, "sharepoint")
    slept = []
    with pytest.raises(ConnectorError) as e:
        conn.sync(SyncContext(configured, "connector:sharepoint", sleep=slept.append))
    assert e.value.retryable and e.value.status == 429 and e.value.retry_after == pytest.approx(2.128)
    assert slept == [pytest.approx(2.128)] * 3


def test_a_revoked_token_is_reported_as_an_authentication_failure(configured, pm, graph):
    mid = create(configured)
    iid = graph.add_file("Projects/case.pdf", b"v1")
    remote_evidence.link(configured, pm, "alice", mid, "business_case", item_id=iid)
    conn = svc.connector_for(configured, pm, "sharepoint")
    with conn.evidence_store() as store:
        assert store.item(iid).item_id == iid
        graph.tokens.clear()  # revoked: msal's cached token now meets 401 InvalidAuthenticationToken
        with pytest.raises(ConnectorError) as e:
            store.item(iid)
    assert e.value.status == 401 and "authentication failed" in e.value.problem and not e.value.retryable
    run = svc.run_sync(configured, pm, "sharepoint", sleep=lambda s: None)
    assert run["status"] == "succeeded", "a new store gets a new token"


def test_connector_off_keeps_evidence_local_and_local_files_readable(configured, pm, graph, tmp_path):
    mid = create(configured)
    before = upload(configured, pm, mid, "before.pdf", b"local bytes", tmp_path)
    assert before["location"]["store"] == "sharepoint"
    configured.run("admin", lambda uow: svc.save_config(uow, pm, "sharepoint", "sharepoint", settings_for(graph),
                                                        enabled=False))
    puts = len([r for r in graph.requests if r.method == "PUT"])
    ev = upload(configured, pm, mid, "local.pdf", b"kept here", tmp_path)
    assert ev["location"] == {"store": "local"}
    assert len([r for r in graph.requests if r.method == "PUT"]) == puts
    _ev, path = configured.run("alice", lambda uow: evidence.open_file(uow, mid, ev["id"], tmp_path / "spool"),
                               readonly=True)
    assert path.read_bytes() == b"kept here"
    url, none = configured.run("alice", lambda uow: (lambda e, p: (e.web_url, p))(
        *evidence.open_file(uow, mid, before["id"], tmp_path / "spool")), readonly=True)
    assert none is None and url == before["location"]["web_url"]
    with pytest.raises(ValidationFailed, match="no document store"):
        remote_evidence.browse(configured, pm, "alice", mid)


def test_a_certificate_credential_signs_a_client_assertion(graph, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    raw = settings_for(graph, certificate_key_env="GRAPH_KEY", certificate_thumbprint="A" * 40)
    del raw["client_secret_env"]
    conn = SharePointConnector(SharePointConnector.load_settings(raw, env={"GRAPH_KEY": pem}))
    with conn.evidence_store() as store:
        assert store.item("root").folder
    form = [r.body.decode() for r in graph.requests if r.path.endswith("/token")][0]
    assert "client_assertion=" in form and "client_secret" not in form
    assert "PRIVATE KEY" not in repr(conn.settings)


@pytest.mark.parametrize("change, field", [
    ({"client_secret_env": None}, "settings.client_secret_env"),
    ({"certificate_key_env": "GRAPH_SECRET"}, "settings.client_secret_env"),
    ({"chunk_size": 1000 * 1024}, "settings.chunk_size"),
    ({"authority_host": "http://login.example"}, "settings.authority_host"),
])
def test_settings_errors_name_the_field(graph, change, field):
    raw = {k: v for k, v in {**settings_for(graph), **change}.items() if v is not None}
    with pytest.raises(ValidationFailed) as e:
        SharePointConnector.load_settings(raw, env=ENV)
    assert field in e.value.errors, e.value.errors


class TestSharePointContract(ConnectorContract):
    @pytest.fixture
    def connector(self, graph):
        return SharePointConnector(SharePointConnector.load_settings(settings_for(graph), env=ENV))

    @pytest.fixture
    def broken_connector(self, graph):
        env = {"GRAPH_SECRET": "not-the-secret"}
        return SharePointConnector(SharePointConnector.load_settings(settings_for(graph), env=env))

    @pytest.fixture
    def secret_values(self):
        return [SECRET, "not-the-secret"]
