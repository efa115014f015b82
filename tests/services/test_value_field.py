"""One value concept: a measure type names the money field that is its value; Potential is the same figure
on the forms, the measure, the dashboard and the exports, and the report carries the custom fields."""

import pytest

from steerco.domain.errors import ConfigError
from steerco.domain.forms import parse_fields
from steerco.services.configuration import drafts
from steerco.services.governance import measures
from steerco.services.reporting import dashboard

FIELDS = [{"key": "vendor", "label": "Vendor", "type": "text"},
          {"key": "annual_saving", "label": "Annual saving", "type": "money", "value": True}]


def test_the_value_is_one_money_field():
    assert [f.key for f in parse_fields(FIELDS, "t") if f.value] == ["annual_saving"]
    with pytest.raises(ConfigError, match="the measure's value must be a money field"):
        parse_fields([{"key": "vendor", "type": "text", "value": True}], "t")
    with pytest.raises(ConfigError, match="only one field can be the measure's value"):
        parse_fields(FIELDS + [{"key": "other", "type": "money", "value": True}], "t")


def test_potential_follows_the_value_field_and_back(portfolio):
    portfolio.run("admin", lambda uow: drafts.save_measure_type(uow, "saving", "Saving", "doi-default", FIELDS))
    mid = portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Freight", "node": "PA", "type": "saving",
                                                                   "potential": "1000"}).id)

    def state():
        return portfolio.run("alice", lambda uow: (lambda m: (str(m.potential), m.fields.get("annual_saving")))(
            uow.measure(mid)), readonly=True)
    assert state() == ("1000.00", "1000.00")
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"fields": {"annual_saving": "250000"}}) and None)
    assert state() == ("250000.00", "250000.00")
    # a form sends both: the one that changed wins
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"potential": "300000",
                                                                  "fields": {"annual_saving": "250000.00"}}) and None)
    assert state() == ("300000.00", "300000.00")
    figures = portfolio.run("admin", lambda uow: dashboard.figures(uow), readonly=True)
    assert float(figures["potential"]) == 300000
