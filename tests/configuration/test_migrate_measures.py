"""Moving running measures to another version of their model: a preview per measure, then all or none."""

import copy

import pytest
from conftest import default_config
from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import migrate_measures as migration
from steerco.services.governance import gates, measures


def _publish_v2(store, change) -> None:
    cfg = default_config()
    change(cfg["governance_models"][0])
    store.run("system", lambda uow: configuration.apply(uow, {"governance_models": cfg["governance_models"]}))


def _create(store, **extra) -> str:
    data = {"title": "Consolidate suppliers", "node": "PA", "type": "cost", "owner": "alice", **extra}
    return store.run("admin", lambda uow: measures.create(uow, data).code)


def _ready(**extra):
    return {"sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000, "target": 1600000,
            **extra}


def _stricter(model):
    model["levels"][0]["name"] = "Idea"
    model["gates"][0]["must_meet"].append({"code": "described_now", "label": "Description written",
                                           "rule": {"!!": {"var": "description"}},
                                           "explanation": "Describe the measure."})


def test_preview_names_renamed_levels_newly_failing_criteria_and_reviews_to_withdraw(portfolio):
    bare = _create(portfolio)
    submitted = _create(portfolio, **_ready())
    portfolio.run("admin", lambda uow: gates.submit(uow, uow.measure_by_code(submitted).id))
    _publish_v2(portfolio, _stricter)
    plan = portfolio.run("admin", lambda uow: migration.preview(uow, "doi-default", 2, node="PA"), readonly=True)
    by_code = {p["measure"]: p for p in plan["measures"]}
    assert set(by_code) == {bare, submitted}
    p = by_code[submitted]
    assert (p["from_version"], p["level"], p["renamed"], p["gate"]) == (1, {"from": "Defined", "to": "Idea"}, True,
                                                                        "Identified")
    assert [c["code"] for c in p["newly_failing"]] == ["described_now"]
    assert p["withdrawn_review"]["gate"] == "Identified"
    # the bare measure already fails the sponsor criterion: only what the move adds is listed
    assert [c["code"] for c in by_code[bare]["newly_failing"]] == ["described_now"]
    assert by_code[bare]["withdrawn_review"] is None


def test_migrate_moves_all_with_a_reason_withdraws_open_reviews_and_is_audited(portfolio):
    submitted = _create(portfolio, **_ready())
    rid = portfolio.run("admin", lambda uow: gates.submit(uow, uow.measure_by_code(submitted).id).id)
    _publish_v2(portfolio, _stricter)
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: migration.migrate(uow, "doi-default", 2, [submitted], " "))
    assert "reason" in e.value.errors
    out = portfolio.run("admin", lambda uow: migration.migrate(uow, "doi-default", 2, [submitted],
                                                               "new identification rules from January"))
    assert out["moved"] == [submitted]

    def state(uow):
        m = uow.measure_by_code(submitted)
        events = [(ev.action, ev.after) for ev in uow.audit_events(submitted)]
        return m.model_version.version, uow.review(rid).status, events
    version, status, events = portfolio.run("admin", state, readonly=True)
    assert (version, status) == (2, "withdrawn")
    moved = [after for action, after in events if action == "measure.model_migrated"]
    assert moved == [{"model": "doi-default", "version": 2, "level": "Idea",
                      "reason": "new identification rules from January"}]
    check = portfolio.run("admin", lambda uow: gates.check(uow, uow.measure_by_code(submitted).id))
    assert "described_now" in {f.criterion for f in check.failed}


def test_a_measure_beyond_the_new_last_level_blocks_the_whole_move(portfolio):
    done = _create(portfolio, **_ready())
    fresh = _create(portfolio)
    portfolio.run("system", lambda uow: setattr(uow.measure_by_code(done), "doi", 5))

    def shorter(model):
        model["levels"] = model["levels"][:5]
        model["gates"] = model["gates"][:4]
        model["gates"][3]["type"] = "closure"
        model["gates"][3]["must_meet"] += copy.deepcopy(default_config()["governance_models"][0]["gates"][4]
                                                        ["must_meet"])
    _publish_v2(portfolio, shorter)
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: migration.migrate(uow, "doi-default", 2, [done, fresh], "shorter"))
    assert list(e.value.errors) == [f"measures.{done}"] and "DoI 5" in e.value.errors[f"measures.{done}"][0]
    assert portfolio.run("admin", lambda uow: uow.measure_by_code(fresh).model_version.version, readonly=True) == 1


def test_only_admins_move_measures_and_unknowns_are_named(portfolio):
    code = _create(portfolio)
    with pytest.raises(PermissionDenied):
        portfolio.run("pmo", lambda uow: migration.preview(uow, "doi-default", 1))
    with pytest.raises(NotFound):
        portfolio.run("admin", lambda uow: migration.preview(uow, "doi-default", 7))
    with pytest.raises(NotFound) as e:
        portfolio.run("admin", lambda uow: migration.preview(uow, "doi-default", 1, codes=[code, "M-9999"]))
    assert "M-9999" in e.value.message


def test_the_command_previews_then_moves_with_a_reason(portfolio, settings):
    from click.testing import CliRunner
    from steerco.cli.main import main

    code = _create(portfolio, **_ready())
    _publish_v2(portfolio, _stricter)
    env = {"STEERCO_DATABASE_URL": settings.database_url, "STEERCO_INSTANCE_PATH": str(settings.instance_path)}
    args = ["config", "migrate-measures", "doi-default", "--to", "2", "--node", "PA"]
    shown = CliRunner().invoke(main, args, env=env)
    assert shown.exit_code == 0, shown.output
    assert (f"{code} v1 -> v2: DoI 0 Defined (now called Idea); gate 'Identified' would now fail: "
            "Description written") in shown.output
    assert "1 measure(s) would move" in shown.output
    refused = CliRunner().invoke(main, args + ["--apply"], env=env)
    assert refused.exit_code == 1 and "reason" in refused.output
    moved = CliRunner().invoke(main, args + ["--apply", "--reason", "January rules"], env=env)
    assert "1 measure(s) moved to version 2 of 'doi-default'" in moved.output, moved.output
    assert portfolio.run("admin", lambda uow: uow.measure_by_code(code).model_version.version, readonly=True) == 2
