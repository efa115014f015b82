"""`steerco packs build NODE --period P`: progress, the three files, their hashes; `verify` rebuilds them."""

from __future__ import annotations

import hashlib

from click.testing import CliRunner

from reporting.portfolio import build
from steerco.cli.main import main


def test_build_list_and_verify(portfolio, settings, tmp_path, monkeypatch):
    build(portfolio)
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    out = runner.invoke(main, ["packs", "build", "ACME", "--period", "2026-11", "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert "value bridge ..." in out.output and "rendering pptx ..." in out.output
    for fmt in ("pdf", "pptx", "xlsx"):
        data = (tmp_path / "out" / f"pack-ACME-2026-11-1.{fmt}").read_bytes()
        assert f"sha256 {hashlib.sha256(data).hexdigest()}" in out.output
    listed = runner.invoke(main, ["packs", "list", "ACME"])
    assert listed.exit_code == 0 and "2026-11 no. 1" in listed.output
    verified = runner.invoke(main, ["packs", "verify", "1"])
    assert verified.exit_code == 0 and verified.output.count("same") == 3, verified.output


def test_bad_node_or_period_ends_with_the_reason(portfolio, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    out = runner.invoke(main, ["packs", "build", "NOPE", "--period", "2026-11"])
    assert out.exit_code == 1 and "no node 'NOPE'" in out.output
    out = runner.invoke(main, ["packs", "build", "ACME", "--period", "November"])
    assert out.exit_code == 1 and "YYYY-MM" in out.output
