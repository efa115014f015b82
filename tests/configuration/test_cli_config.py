"""``steerco config export/apply`` as a consultant runs them."""

import yaml

from test_cli import env, run  # noqa: F401  (env is a fixture)


def test_export_twice_gives_the_same_bytes_and_applies_back_unchanged(env, tmp_path):  # noqa: F811
    run(env, "db", "upgrade")
    run(env, "config", "apply", "config/governance/default.yaml")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    run(env, "config", "export", "--out", str(out_dir))
    written = (out_dir / "steerco-config.yaml").read_text()
    assert run(env, "config", "export").stdout == written
    assert yaml.safe_load(written)["governance_models"][0]["code"] == "doi-default"
    again = run(env, "config", "apply", str(out_dir / "steerco-config.yaml")).stdout
    assert "0 created, 0 updated" in again and "created  " not in again
