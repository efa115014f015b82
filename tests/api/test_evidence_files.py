"""Evidence files are served as attachments with a type a browser cannot run, and only while their bytes
still have the SHA-256 recorded when they were attached; `steerco audit verify` reports those that do not."""

from __future__ import annotations

import io

from click.testing import CliRunner

from value.helpers import new_measure


def _attach(api, mid, name, data, content_type):
    r = api.post(f"/api/v1/measures/{mid}/evidence", user="alice", content_type="multipart/form-data",
                 data={"requirement": "business_case", "file": (io.BytesIO(data), name, content_type)})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def test_files_are_served_as_attachments_with_a_harmless_type(api, portfolio):
    mid = new_measure(portfolio)
    page = _attach(api, mid, "case.html", b"<script>alert(document.cookie)</script>", "text/html")
    pdf = _attach(api, mid, "case.pdf", b"%PDF-1.4 tiny", "application/pdf")

    r = api.get(f"/api/v1/measures/{mid}/evidence/{page['id']}/file", user="alice")
    assert r.status_code == 200
    assert r.mimetype == "application/octet-stream"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = api.get(f"/api/v1/measures/{mid}/evidence/{pdf['id']}/file", user="alice")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data == b"%PDF-1.4 tiny"


def test_an_altered_file_is_refused_and_reported_by_audit_verify(api, portfolio, settings, monkeypatch):
    from steerco.cli.main import main as cli

    mid = new_measure(portfolio)
    ev = _attach(api, mid, "case.pdf", b"%PDF-1.4 the approved case", "application/pdf")
    runner = CliRunner()
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(settings.instance_path))
    ok = runner.invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0 and "evidence files intact" in ok.output, ok.output

    stored = settings.evidence_dir / ev["sha256"][:2] / ev["sha256"]
    stored.write_bytes(b"%PDF-1.4 a different case")

    r = api.get(f"/api/v1/measures/{mid}/evidence/{ev['id']}/file", user="alice")
    assert r.status_code == 409, r.get_data(as_text=True)
    assert r.get_json()["error"] == "evidence_altered" and "case.pdf" in r.get_json()["message"]
    bad = runner.invoke(cli, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "case.pdf" in bad.output and "altered" in bad.output
