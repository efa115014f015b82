"""``steerco config export/apply`` as a consultant runs them."""

from pathlib import Path

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


def test_apply_dry_run_then_apply_lists_every_problem_with_the_file(env, tmp_path):  # noqa: F811
    run(env, "db", "upgrade")
    dry = run(env, "config", "apply", "config/governance/default.yaml", "--dry-run").stdout
    assert "would be created  governance model doi-default v1" in dry and "dry run: nothing applied" in dry
    assert "would be created" in run(env, "config", "apply", "config/governance/default.yaml", "--dry-run").stdout
    data = yaml.safe_load(Path("config/governance/default.yaml").read_text())
    data["hierarchy"]["levels"][0]["colour"] = "red"
    data["governance_models"][0]["gates"][0]["approval"]["steps"][0]["roles"] = ["pmo", "ghost"]
    bad = tmp_path / "client.yaml"
    bad.write_text(yaml.safe_dump(data))
    p = run(env, "config", "apply", str(bad), ok=False)
    assert p.returncode == 1 and "2 problem(s), nothing applied" in p.stderr
    assert f"{bad}: hierarchy.levels[0].colour: unknown field" in p.stderr
    assert (f"{bad}: governance_models[0].gates[0].approval.steps[0].roles (governance model 'doi-default' "
            "gate 'Identified' step 'PMO review'): role 'ghost'") in p.stderr
    applied = run(env, "config", "apply", "config/governance/default.yaml").stdout
    data = yaml.safe_load(Path("config/governance/default.yaml").read_text())
    data["governance_models"][0]["gates"][0]["min_score"] = 20
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data))
    dry = run(env, "config", "apply", str(changed), "--dry-run").stdout
    assert "would be updated  governance model doi-default v2" in dry
    assert "  governance model 'doi-default' gate 'Identified': minimum should-meet score: 0 → 20 changed" in dry
    assert "created  governance model doi-default v1" in applied and "sha256 " in applied


def test_diff_of_a_file_and_the_live_instance(env, tmp_path):  # noqa: F811
    run(env, "db", "upgrade")
    run(env, "config", "apply", "config/governance/default.yaml")
    assert run(env, "config", "diff", "live", "config/governance/default.yaml").returncode == 0
    data = yaml.safe_load(Path("config/governance/default.yaml").read_text())
    data["governance_models"][0]["gates"][0]["must_meet"].pop(0)
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data))
    p = run(env, "config", "diff", "-", str(changed), ok=False)
    assert p.returncode == 1 and "1 difference(s)" in p.stderr
    assert p.stdout == "governance model 'doi-default' gate 'Identified': must-meet 'Sponsor named' removed\n"
    p = run(env, "config", "diff", "live", "nope.yaml", ok=False)
    assert p.returncode == 2 and "nope.yaml: no such file" in p.stderr
