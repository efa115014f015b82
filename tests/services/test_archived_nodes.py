"""An archived node takes no new measures, by form or by API, and none can be moved there."""

import pytest

from steerco.domain.errors import ValidationFailed
from steerco.services.configuration import structure
from steerco.services.governance import measures


def test_archived_nodes_take_no_new_or_moved_measures(portfolio):
    mid = portfolio.run("admin", lambda uow: measures.create(uow, {"title": "Stays", "node": "PB", "type": "cost"}).id)
    portfolio.run("admin", lambda uow: structure.archive_node(uow, "PA"))
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: measures.create(uow, {"title": "New", "node": "PA", "type": "cost"}))
    assert e.value.errors == {"node": ["'PA' is archived; choose an active node"]}
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: measures.update(uow, mid, {"node": "PA"}))
    assert "node" in e.value.errors
    portfolio.run("admin", lambda uow: structure.archive_node(uow, "PA", archived=False))
    portfolio.run("admin", lambda uow: measures.update(uow, mid, {"node": "PA"}) and None)
    assert portfolio.run("admin", lambda uow: measures.get(uow, mid).node.code, readonly=True) == "PA"
