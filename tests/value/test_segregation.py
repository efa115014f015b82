"""Segregation of duties on value: actuals and period locks of a measure need a controller who is not its
owner. olga owns measures in programme A and is also a controller there; gina controls the whole organisation
and owns a measure too. Over the API, the CLI and the services, on both backends."""

import io

import pytest
from click.testing import CliRunner

from steerco.domain.errors import SegregationOfDuties
from steerco.services.governance import measure_editing
from steerco.services.rights import people
from steerco.services.value import actuals
from steerco.services.value import locks as value_locks
from value.helpers import add_line, grid, new_measure, put, series


@pytest.fixture
def owners_who_control(portfolio):
    def work(uow):
        people.add_user(uow, "olga", roles=[("owner", "PA"), ("controller", "PA")])
        people.add_user(uow, "gina", roles=[("owner", "PA"), ("controller", None)])

    portfolio.run("system", work)
    return portfolio


@pytest.fixture
def api(app, owners_who_control):
    from api.conftest import Api

    from steerco_admin.accounts import ensure_login

    for name in ("olga", "gina"):
        ensure_login(app, name, f"{name}-pw")
    return Api(app.test_client())


def _code(store, mid):
    return store.run("admin", lambda uow: uow.measure(mid).code, readonly=True)


def _cells(line, version, amounts):
    return {"cells": series(line, version, amounts)}


def test_an_owner_who_controls_the_node_cannot_enter_actuals_of_their_measure(api, owners_who_control):
    store = owners_who_control
    mine = new_measure(store, "Olga's freight", owner="olga")
    line = add_line(store, mine, user="olga")
    url = f"/api/v1/value/measures/{mine}/grid"
    r = api.put(url, user="olga", json=_cells(line, "actual", {"2026-10": "100.00"}))
    body = r.get_json()
    assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
    assert f"olga owns measure {_code(store, mine)}" in body["message"]
    assert "controller who is not its owner" in body["message"]
    # plan and forecast stay the owner's; the controller carol books the actuals
    assert api.put(url, user="olga", json=_cells(line, "plan", {"2026-10": "120.00"})).status_code == 200
    r = api.put(url, user="carol", json=_cells(line, "actual", {"2026-10": "100.00"}))
    assert r.status_code == 200 and r.get_json()["totals"]["actual"] == "100.00"
    # on a measure someone else owns, olga is the controller who books the actuals
    theirs = new_measure(store, "Alice's freight", controller="olga")
    other = add_line(store, theirs)
    r = api.put(f"/api/v1/value/measures/{theirs}/grid", user="olga", json=_cells(other, "actual", {"2026-10": "7"}))
    assert r.status_code == 200 and r.get_json()["totals"]["actual"] == "7.00", r.get_json()


def test_the_service_refuses_actuals_of_ones_own_measure_for_pmo_and_admin_too(owners_who_control):
    store = owners_who_control
    store.run("system", lambda uow: people.add_user(uow, "pmo2", roles=[("owner", "PA")]) and None)
    for owner in ("olga", "pmo2"):
        mid = new_measure(store, f"{owner}'s measure", owner=owner)
        line = add_line(store, mid, user=owner)
        with pytest.raises(SegregationOfDuties, match=f"{owner} owns measure"):
            put(store, mid, series(line, "actual", {"2026-10": 5}), user=owner)
        put(store, mid, series(line, "actual", {"2026-10": 5}), user="carol")
        assert grid(store, mid, user=owner)["totals"]["actual"] == "5.00"


def test_the_grid_marks_actual_cells_read_only_for_an_owner_who_controls(owners_who_control):
    store = owners_who_control
    mid = new_measure(store, "Olga's freight", owner="olga")
    add_line(store, mid, user="olga")
    sheet = store.run("olga", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    actual = [c for r in sheet["rows"] if r["version"] == "actual" for c in r["cells"]]
    plan = [c for r in sheet["rows"] if r["version"] == "plan" for c in r["cells"]]
    assert actual and not any(c["editable"] for c in actual)
    assert all("segregation of duties" in c["why"] and "olga owns measure" in c["why"] for c in actual)
    assert all(c["editable"] for c in plan) and not sheet["may"]["actuals"]
    sheet = store.run("carol", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    assert all(c["editable"] for r in sheet["rows"] if r["version"] == "actual" for c in r["cells"])


def test_the_value_page_shows_the_reason_and_refuses_a_posted_actual(app, api, owners_who_control):
    from ui.conftest import Browser, csrf_of

    store = owners_who_control
    mid = new_measure(store, "Olga's freight", owner="olga")
    line = add_line(store, mid, user="olga")
    olga = Browser(app).login("olga")
    page = olga.get(f"/measures/{mid}?tab=value").get_data(as_text=True)
    key = f"{line}:actual:2026-11"
    assert f'data-testid="ro-{key}"' in page and f'name="cell:{key}"' not in page
    cell = page.split(f'data-testid="ro-{key}"')[0].rsplit("<td", 1)[1]
    assert "segregation of duties" in cell and "olga owns measure" in cell
    assert f'name="cell:{line}:plan:2026-11"' in page
    r = olga.post(f"/measures/{mid}/value", data={"csrf_token": csrf_of(page), f"cell:{key}": "50",
                                                  f"orig:{key}": ""})
    assert "segregation of duties" in r.get_data(as_text=True)
    assert grid(store, mid, user="olga")["totals"]["actual"] == "0.00"


def test_an_owner_who_controls_cannot_lock_periods_of_their_measure(api, owners_who_control):
    store = owners_who_control
    mine = new_measure(store, "Olga's freight", owner="olga")
    r = api.post("/api/v1/value/locks", user="olga", json={"period": "2026-10", "measure_id": mine})
    body = r.get_json()
    assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
    assert f"olga owns measure {_code(store, mine)}" in body["message"]
    assert api.get(f"/api/v1/value/locks?measure_id={mine}", user="olga").get_json()["result"] == []
    theirs = new_measure(store, "Alice's freight")
    r = api.post("/api/v1/value/locks", user="olga", json={"period": "2026-10", "measure_id": theirs})
    assert r.status_code == 201, r.get_json()
    r = api.post("/api/v1/value/locks", user="carol", json={"period": "2026-10", "measure_id": mine})
    assert r.status_code == 201, r.get_json()


def test_a_lock_for_every_measure_is_refused_to_a_controller_who_owns_one(api, owners_who_control):
    store = owners_who_control
    mine = new_measure(store, "Gina's freight", owner="gina")
    r = api.post("/api/v1/value/locks", user="gina", json={"period": "2026-10"})
    body = r.get_json()
    assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
    assert _code(store, mine) in body["message"] and "every measure" in body["message"]
    assert api.get("/api/v1/value/locks", user="gina").get_json()["result"] == []
    # per measure she signs off the others' periods; an admin who owns nothing locks all of them
    theirs = new_measure(store, "Alice's freight")
    r = api.post("/api/v1/value/locks", user="gina", json={"period": "2026-10", "measure_id": theirs})
    assert r.status_code == 201, r.get_json()
    assert api.post("/api/v1/value/locks", user="admin", json={"period": "2026-10"}).status_code == 201


def test_reopening_a_period_of_ones_own_measure_is_refused(owners_who_control):
    store = owners_who_control
    mid = new_measure(store, "Admin's pet project", owner="admin")
    store.run("carol", lambda uow: value_locks.lock_period(uow, "2026-10", mid) and None)
    with pytest.raises(SegregationOfDuties, match="admin owns measure"):
        store.run("admin", lambda uow: value_locks.unlock_period(uow, "2026-10", mid))
    assert [lk["period"] for lk in store.run("admin", lambda uow: value_locks.locks(uow, mid), readonly=True)] \
        == ["2026-10"]


def _file(*rows):
    return ("measure,category,period,amount\n" + "".join(f"{r}\n" for r in rows)).encode()


def test_an_import_with_a_row_of_the_importers_own_measure_writes_nothing(api, owners_who_control):
    store = owners_who_control
    theirs, mine = new_measure(store, "Alice's freight"), new_measure(store, "Olga's freight", owner="olga")
    add_line(store, theirs)
    add_line(store, mine, user="olga")
    a, o = _code(store, theirs), _code(store, mine)
    data = _file(f"{a},savings,2026-10,10", f"{o},savings,2026-10,20", f"{a},savings,2026-11,30",
                 f"{o},savings,2026-11,40")
    for dry in ("false", "true"):
        r = api.post("/api/v1/value/actuals/import", user="olga", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(data), "actuals.csv"), "dry_run": dry})
        body = r.get_json()
        assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
        assert body["rows"] == [{"row": 3, "measure": o}, {"row": 5, "measure": o}]
        assert "row(s) 3, 5" in body["message"] and "nothing was imported" in body["message"]
    assert grid(store, theirs)["totals"]["actual"] == "0.00"
    assert grid(store, mine, user="olga")["totals"]["actual"] == "0.00"
    with pytest.raises(SegregationOfDuties):
        store.run("olga", lambda uow: actuals.import_file(uow, data, "actuals.csv"))
    # the same file is fine for a controller who owns none of it
    assert store.run("carol", lambda uow: actuals.import_file(uow, data, "actuals.csv"))["inserted"] == 4


def test_the_import_command_refuses_the_importers_own_measure(owners_who_control, settings, tmp_path,
                                                               monkeypatch):
    store = owners_who_control
    mine = new_measure(store, "Olga's freight", owner="olga")
    add_line(store, mine, user="olga")
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "actuals.csv"
    path.write_bytes(_file(f"{_code(store, mine)},savings,2026-10,20"))
    from steerco.cli.main import main

    out = CliRunner().invoke(main, ["actuals", "import", str(path), "--as", "olga"])
    assert out.exit_code == 1 and "segregation of duties" in out.output and "row(s) 2" in out.output, out.output
    assert grid(store, mine, user="olga")["totals"]["actual"] == "0.00"


def test_an_owner_who_controls_the_node_cannot_pass_the_controller_step_of_a_change_to_their_measure(
        owners_who_control):
    from steerco.services.value import changes

    store = owners_who_control
    mine = new_measure(store, "Olga's freight", owner="olga")
    line = add_line(store, mine, user="olga")
    put(store, mine, series(line, "plan", {"2026-11": "100.00"}), user="olga")
    cr = store.run("pmo", lambda uow: changes.request(uow, mine, {
        "kind": "value", "title": "More", "reason": "volume",
        "changes": [{"line": line, "period": "2026-11", "amount": "150.00"}]}).id)
    store.run("bob", lambda uow: changes.decide(uow, cr, "approve") and None)
    listed = store.run("olga", lambda uow: measure_editing.change_requests(uow, mine), readonly=True)
    assert listed[0]["waiting_for"] == "Controller check" and listed[0]["may_decide"] is False
    with pytest.raises(SegregationOfDuties, match=f"olga owns measure {_code(store, mine)}"):
        store.run("olga", lambda uow: changes.decide(uow, cr, "approve"))
    # a controller of the node who does not own the measure still passes the step
    other = new_measure(store, "Alice's freight", controller="gina")
    other_line = add_line(store, other)
    cr2 = store.run("pmo", lambda uow: changes.request(uow, other, {
        "kind": "value", "title": "Less", "reason": "scope",
        "changes": [{"line": other_line, "period": "2026-11", "amount": "50.00"}]}).id)
    store.run("bob", lambda uow: changes.decide(uow, cr2, "approve") and None)
    assert store.run("olga", lambda uow: changes.decide(uow, cr2, "approve").status) == "approved"
    assert store.run("carol", lambda uow: changes.decide(uow, cr, "approve").status) == "approved"


def test_an_owner_who_is_also_the_measures_controller_cannot_override_its_potential_status(api, owners_who_control):
    from steerco.services.value import status

    store = owners_who_control
    mine = new_measure(store, "Olga's freight", owner="olga", controller="olga")
    url = f"/api/v1/value/measures/{mine}/statuses/potential"
    r = api.put(url, user="olga", json={"status": "on_track", "reason": "trust me"})
    body = r.get_json()
    assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
    assert f"olga owns measure {_code(store, mine)}" in body["message"]
    assert store.run("olga", lambda uow: status.statuses(uow, mine), readonly=True)["potential"]["override"] is None
    r = api.put(url, user="bob", json={"status": "at_risk", "reason": "supplier insolvent"})
    assert r.status_code == 200, r.get_json()
