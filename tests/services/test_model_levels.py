"""A portfolio mixing governance models: every figure and row names a measure's level as its own model does."""

from value.helpers import add_projects_model, at_doi, new_measure

from steerco.services.governance import measures
from steerco.services.reporting import dashboard, reports
from steerco.services.views import measure_view


def _mixed(portfolio) -> dict:
    add_projects_model(portfolio)
    ids = {
        "identified": new_measure(portfolio, "Identified cost measure", potential="1000"),
        "implemented": new_measure(portfolio, "Implemented cost measure", potential="100"),
        "scoped": new_measure(portfolio, "Scoped project", measure_type="project", potential="500"),
        "approved": new_measure(portfolio, "Approved project", measure_type="project", potential="10"),
        "delivered": new_measure(portfolio, "Delivered project", measure_type="project", potential="20"),
    }
    for key, doi in (("identified", 1), ("implemented", 4), ("scoped", 1), ("approved", 2), ("delivered", 3)):
        at_doi(portfolio, ids[key], doi)
    return ids


def test_the_funnel_names_each_models_own_level(portfolio):
    _mixed(portfolio)
    f = portfolio.run("admin", lambda uow: dashboard.figures(uow), readonly=True)
    assert sorted((x["name"], x["count"]) for x in f["funnel"] if x["doi"] == 1) == [("Identified", 1), ("Scoped", 1)]
    rows = {(x["model"], x["doi"]): x for x in f["funnel"]}
    assert (rows[("doi-default", 1)]["name"], rows[("doi-default", 1)]["count"]) == ("Identified", 1)
    assert (rows[("projects", 1)]["name"], rows[("projects", 1)]["count"]) == ("Scoped", 1)
    assert rows[("projects", 1)]["model_name"] == "Project gates"
    assert (rows[("projects", 1)]["potential"], rows[("projects", 1)]["weighted"]) == ("500.00", "100.00")  # 20 %
    assert [(x["model"], x["doi"]) for x in f["funnel"]] == [
        ("doi-default", 1), ("doi-default", 4), ("projects", 1), ("projects", 2), ("projects", 3)]
    assert f["total"] == 5 and f["potential"] == "1630.00"


def test_closure_counts_each_models_closure_gate(portfolio):
    _mixed(portfolio)
    f = portfolio.run("admin", lambda uow: dashboard.figures(uow), readonly=True)
    # awaiting: Implemented (default, DoI 4) and Approved (projects, DoI 2); closed: Delivered (projects, DoI 3)
    assert (f["closure"]["awaiting"], f["closure"]["closed"]) == (2, 1)
    # a delivered project is secured; only what is not yet closed is at risk
    assert f["value_at_risk"] == "1314.00"   # 1000 x 90 % + 100 x 10 % + 500 x 80 % + 10 x 40 %


def test_report_and_list_carry_the_measures_own_level_name(portfolio):
    _mixed(portfolio)
    rows = {r["title"]: r for r in portfolio.run("admin", lambda uow: reports.measure_rows(uow), readonly=True)}
    assert (rows["Scoped project"]["model"], rows["Scoped project"]["doi"], rows["Scoped project"]["doi_name"]) == (
        "projects", 1, "Scoped")
    assert rows["Identified cost measure"]["doi_name"] == "Identified"
    assert rows["Delivered project"]["doi_name"] == "Delivered"
    listed = portfolio.run("admin", lambda uow: [measure_view(m) for m in measures.search(uow, doi=1)[1]],
                           readonly=True)
    assert {(m["title"], m["doi_name"]) for m in listed} == {("Identified cost measure", "Identified"),
                                                           ("Scoped project", "Scoped")}


def test_the_doi_filter_offers_every_models_levels(portfolio):
    _mixed(portfolio)
    choices = portfolio.run("admin", lambda uow: dashboard.level_choices(uow), readonly=True)
    assert [c["doi"] for c in choices] == [0, 1, 2, 3, 4, 5]
    assert choices[1]["label"] == "DoI 1 · Identified / Scoped"
    assert choices[5]["label"] == "DoI 5 · Closed"
