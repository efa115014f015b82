"""The dashboard's decisions needed: the reviews waiting longest, within the reader's scope."""

from __future__ import annotations

from steerco.services.governance import gates, measures


def _submitted(store, title, node, owner):
    data = {"title": title, "node": node, "type": "cost", "owner": owner, "sponsor": "bob", "controller": "carol",
            "potential": 250000, "baseline": 10, "target": 5}
    mid = store.run("admin", lambda uow: measures.create(uow, data).id)
    store.run("admin", lambda uow: gates.submit(uow, mid) and None)
    return mid


def test_decisions_needed_lists_the_oldest_reviews_in_scope(web, portfolio, clock):
    first = _submitted(portfolio, "Older in A", "PA", "alice")
    clock.advance(days=3)
    _submitted(portfolio, "Newer in A", "PA", "alice")
    admin = web.login("admin").get("/dashboard/").get_data(as_text=True)
    table = admin.split('data-testid="decisions-needed"')[1].split("</table>")[0]
    assert table.index("Older in A") < table.index("Newer in A")
    assert f"/measures/{first}?tab=reviews" in table and "PMO review (pmo)" in table
    assert "<td class=\"text-right\">3</td>" in table  # business days waited
    portfolio.run("pmo_b", lambda uow: measures.create(uow, {"title": "In B", "node": "PB", "type": "cost"}) and None)
    pmo_b = web.login("pmo_b")
    assert "Older in A" not in pmo_b.get("/dashboard/").get_data(as_text=True)
    assert "No gate review is waiting for a decision." in pmo_b.get("/dashboard/").get_data(as_text=True)
    assert "Older in A" not in web.login("admin").get("/dashboard/?node=PB").get_data(as_text=True)
