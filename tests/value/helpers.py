"""Small builders shared by the value tests (plain functions over the services, no state)."""

from steerco.services import measures, value


def new_measure(store, title="Consolidate steel suppliers", node="PA", owner="alice", **extra) -> int:
    def work(uow):
        m = measures.create(uow, {"title": title, "node": node, "type": "cost", "owner": owner})
        measures.update(uow, m.id, {"sponsor": "bob", "controller": "carol", **extra})
        return m.id

    return store.run(owner, work)


def add_line(store, mid, category="savings", currency="EUR", user="alice", **kw) -> int:
    return store.run(user, lambda uow: value.add_line(uow, mid, {"category": category, "currency": currency, **kw}).id)


def put(store, mid, cells, user="alice"):
    return store.run(user, lambda uow: value.write(uow, mid, cells))


def series(line, version, amounts: dict):
    return [{"line": line, "version": version, "period": p, "amount": a} for p, a in amounts.items()]


def grid(store, mid, user="alice"):
    return store.run(user, lambda uow: value.grid(uow, mid), readonly=True)
