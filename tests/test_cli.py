"""The steerco command, end to end, as the README uses it: a real server process over HTTP."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
STEERCO = [sys.executable, "-m", "steerco.cli.main"]


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ)
    e.pop("STEERCO_DATABASE_URL", None)
    e["STEERCO_INSTANCE_PATH"] = str(tmp_path / "instance")
    return e


def run(env, *args, ok=True):
    p = subprocess.run(STEERCO + list(args), env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    if ok:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_until_serving(server, base: str, seconds: float = 60) -> None:
    """Poll /health until the server answers; a loaded machine can take many seconds to import the app."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"steerco serve exited with {server.returncode}:\n{server.stdout.read()}")
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"steerco serve did not answer on {base} within {seconds} s")


def test_a_starter_packs_demo_on_an_empty_instance(env):
    run(env, "db", "upgrade")
    wrong = run(env, "demo", "--pack", "launch-rocket", ok=False)
    assert wrong.returncode == 2 and "product-launch" in wrong.stderr and "Traceback" not in wrong.stderr
    out = run(env, "demo", "--pack", "product-launch").stdout
    assert "starter pack product-launch applied" in out and "measure 4/4: Solar phone charger" in out
    assert "gita     gita-demo" in out
    again = run(env, "demo", "--pack", "product-launch", ok=False)
    assert again.returncode == 1 and "needs an empty instance" in again.stderr


def test_setup_demo_and_serve(env):
    run(env, "db", "upgrade")
    first = run(env, "config", "apply", "config/governance/default.yaml").stdout
    assert "created  governance model doi-default v1" in first
    again = run(env, "config", "apply", "config/governance/default.yaml").stdout
    assert again.strip().endswith("0 created, 0 updated, 17 unchanged"), again
    out = run(env, "demo", "--measures", "14").stdout
    assert "portfolio history" in out and "admin-demo" in out
    assert "already has measures" in run(env, "demo").stdout
    run(env, "users", "add", "zoe", "--password", "zoe-secret-1", "--role", "pmo", "--node", "OPS")
    bad = run(env, "users", "add", "yan", "--role", "wizard", ok=False)
    assert bad.returncode == 1 and "unknown role 'wizard'" in bad.stderr and "Traceback" not in bad.stderr
    assert "intact" in run(env, "audit", "verify").stdout

    port = free_port()
    server = subprocess.Popen(STEERCO + ["serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(server, base)
        status, login = http("POST", base + "/api/v1/security/login",
                             {"username": "zoe", "password": "zoe-secret-1", "provider": "db"})
        assert status == 200, login
        status, page = http("GET", base + "/api/v1/measures/?page_size=100", token=login["access_token"])
        assert status == 200
        assert page["count"] > 0 and all(m["node"].startswith("OPS") for m in page["result"])
        status, _ = http("POST", base + "/api/v1/security/login", {"username": "zoe", "password": "wrong",
                                                                  "provider": "db"})
        assert status == 401
    finally:
        server.terminate()
        server.wait(10)


def test_config_errors_name_the_place(env, tmp_path):
    run(env, "db", "upgrade")
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "config/governance/default.yaml").read_text().replace('{"!!": {"var": "sponsor"}}',
                                                                         '{"frob": {"var": "sponsor"}}')
    bad.write_text(text)
    p = run(env, "config", "apply", str(bad), ok=False)
    assert p.returncode == 1
    assert "gate 'Identified' criterion 'sponsor_named'" in p.stderr and "frob" in p.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("roles: [\n  - code: x\n")
    p = run(env, "config", "apply", str(broken), ok=False)
    assert p.returncode != 0 and "not valid YAML at line" in p.stderr and "Traceback" not in p.stderr


def test_config_apply_lists_every_unknown_path_and_applies_nothing(env, tmp_path):
    run(env, "db", "upgrade")
    bad = tmp_path / "paths.yaml"
    bad.write_text((ROOT / "config/governance/default.yaml").read_text()
                   .replace('{">": [{"var": "potential"}, 0]}', '{">": [{"var": "fields.nonexistent"}, 0]}')
                   .replace('{">": [{"var": "value.plan_periods"}, 0]}', '{">": [{"var": "vaule.plan_periods"}, 0]}', 1))
    p = run(env, "config", "apply", str(bad), ok=False)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert f"{bad}: 2 problem(s), nothing applied" in p.stderr
    assert (f"{bad}: governance model 'doi-default' gate 'Identified' criterion 'potential_estimated': "
            f"reads 'fields.nonexistent', but no measure type of model 'doi-default' (cost, growth) has a field "
            f"'nonexistent'") in p.stderr
    assert (f"{bad}: governance model 'doi-default' gate 'Detailed' criterion 'value_plan': "
            f"reads 'vaule.plan_periods', but a measure has no fact 'vaule' (did you mean 'value'?)") in p.stderr
    # nothing of it was applied: the shipped file then creates everything
    assert "created  governance model doi-default v1" in run(env, "config", "apply",
                                                            "config/governance/default.yaml").stdout
    # a field for a model that has no measure type yet is applied, with a warning
    lean = tmp_path / "lean.yaml"
    lean.write_text("""governance_models:
  - code: lean
    name: Lean
    levels: [{doi: 0, name: Idea}, {doi: 1, name: Done}]
    gates:
      - doi: 1
        name: Done
        must_meet: [{code: vendor_named, label: Vendor named, rule: {"!!": {"var": "fields.vendor"}}}]
        approval: {steps: [{name: PMO review, roles: [pmo]}]}
""")
    out = run(env, "config", "apply", str(lean)).stdout
    assert "created  governance model lean v1" in out
    assert (f"warning  {lean}: governance model 'lean' gate 'Done' criterion 'vendor_named': reads 'fields.vendor'"
            in out)


def test_changed_model_becomes_a_new_version_and_measures_stay(env, tmp_path):
    run(env, "db", "upgrade")
    run(env, "config", "apply", "config/governance/default.yaml")
    run(env, "demo", "--measures", "3")
    changed = tmp_path / "changed.yaml"
    changed.write_text((ROOT / "config/governance/default.yaml").read_text().replace("min_score: 50", "min_score: 60"))
    out = run(env, "config", "apply", str(changed)).stdout
    assert "updated  governance model doi-default v2" in out
    db = Path(env["STEERCO_INSTANCE_PATH"]) / "steerco.db"
    import sqlite3

    with sqlite3.connect(db) as c:
        pinned = {v for (v,) in c.execute("SELECT DISTINCT mv.version FROM measures m "
                                          "JOIN model_versions mv ON mv.id = m.model_version_id")}
    assert pinned == {1}
