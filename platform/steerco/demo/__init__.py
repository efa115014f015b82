"""A demo portfolio, built through the same services a user drives.

Every measure is created, filled in, submitted and voted on by the people
whose role it is, on a simulated calendar in time order, so the audit trail,
the reviews and the time spent per DoI look like a real programme's.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import yaml

from steerco.services.configuration import bundle as configuration
from steerco.services.governance import evidence, gates, measures
from steerco.services.models import model_of
from steerco.services.rights import people
from steerco.services.value import amounts as value

CONFIG = Path(__file__).resolve().parents[3] / "config" / "governance" / "default.yaml"

NODES = [
    ("ACME", "Acme Group", "organization", None),
    ("T27", "Transformation 2027", "portfolio", "ACME"),
    ("PROC", "Procurement excellence", "program", "T27"),
    ("PROC-DIR", "Direct materials", "project", "PROC"),
    ("PROC-IND", "Indirect spend", "project", "PROC"),
    ("OPS", "Operations footprint", "program", "T27"),
    ("OPS-PLANT", "Plant network", "project", "OPS"),
    ("OPS-LOG", "Logistics", "project", "OPS"),
    ("GROW", "Commercial growth", "program", "T27"),
    ("GROW-KEY", "Key accounts", "project", "GROW"),
    ("GROW-PRICE", "Pricing", "project", "GROW"),
]

# username, name, [(role, node)]
PEOPLE = [
    ("admin", "Ada Admin", [("admin", None)]),
    ("pmo", "Paula PMO", [("pmo", None)]),
    ("sofia", "Sofia Sponsor", [("sponsor", "PROC")]),
    ("omar", "Omar Sponsor", [("sponsor", "OPS")]),
    ("grace", "Grace Sponsor", [("sponsor", "GROW")]),
    ("carl", "Carl Controller", [("controller", "PROC"), ("controller", "GROW")]),
    ("chen", "Chen Controller", [("controller", "OPS")]),
    ("alice", "Alice Owner", [("owner", "PROC")]),
    ("bob", "Bob Owner", [("owner", "OPS")]),
    ("dave", "Dave Owner", [("owner", "GROW")]),
    ("erin", "Erin Owner", [("owner", "T27")]),
    ("sam", "Sam Steering", [("steering_committee", "T27")]),
    ("tara", "Tara Steering", [("steering_committee", "T27")]),
    ("uma", "Uma Steering", [("steering_committee", "T27")]),
    ("frank", "Frank CFO", [("cfo", None)]),
    ("victor", "Victor Viewer", [("viewer", None)]),
]

PROGRAMS = {
    "PROC": (["PROC-DIR", "PROC-IND"], "sofia", "carl", ["alice", "erin"], "cost",
             ["Consolidate steel suppliers", "Renegotiate packaging contracts", "Tail-spend catalogue",
              "Indirect travel policy", "Bundle IT licences", "Logistics tender", "Energy hedging",
              "Temporary labour framework"]),
    "OPS": (["OPS-PLANT", "OPS-LOG"], "omar", "chen", ["bob", "erin"], "cost",
            ["Close line 3 in Lyon", "Shift pressing to Brno", "Warehouse consolidation", "Route optimisation",
             "Predictive maintenance", "Scrap reduction programme", "Shared service centre", "Night-shift model"]),
    "GROW": (["GROW-KEY", "GROW-PRICE"], "grace", "carl", ["dave", "erin"], "growth",
             ["Price increase wave 2", "Key account upsell", "Service contracts", "Spare parts pricing",
              "Distributor incentive", "New market entry Poland", "Bundled offers", "Digital channel"]),
}

# DoI reached by each demo measure, cycling: every DoI, several times.
TARGETS = [0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]


def password_for(username: str) -> str:
    return f"{username}-demo"


class _Run:
    def __init__(self, store, evidence_dir: Path):
        self.store = store
        self.evidence_dir = evidence_dir

    def run(self, actor, work, readonly=False):
        return self.store.run(actor, work, readonly=readonly)


def load_demo(store, create_login: Callable[..., object], evidence_dir: Path, *, measures_wanted: int = 48,
              seed: int = 7, progress: Callable[[str], None] = print,
              start: datetime | None = None) -> list[tuple[str, str, str]]:
    """Load the demo into an empty instance; returns (username, password, roles) for each login.

    :param create_login: ``(username, password, name=, email=, admin=)``; makes the login account.
    """
    rng = random.Random(seed)
    data = yaml.safe_load(CONFIG.read_text())
    data["hierarchy"]["nodes"] = [{"code": c, "name": n, "level": lvl, "parent": p} for c, n, lvl, p in NODES]
    store.run("system", lambda uow: configuration.apply(uow, data).as_dict())
    progress("configuration applied (default DoI model, hierarchy of 11 nodes)")
    for username, name, roles in PEOPLE:
        store.run("system", lambda uow: people.add_user(uow, username, name=name, email=f"{username}@acme.example",
                                                      roles=roles) and None)
        create_login(username, password_for(username), name=name, email=f"{username}@acme.example",
                     admin=any(r == "admin" for r, _ in roles))
    progress(f"{len(PEOPLE)} users with logins")

    real_clock = store.clock
    begin = start or real_clock() - timedelta(days=240)
    plans = _plans(rng, measures_wanted)
    steps = sorted((s for plan in plans for s in plan.steps(begin, rng)), key=lambda s: (s[0], s[1]))
    ctx = _Run(store, evidence_dir)
    try:
        for i, (at, _order, plan, action) in enumerate(steps, 1):
            store.clock = lambda at=at: at
            action(ctx, plan)
            if i % 50 == 0 or i == len(steps):
                progress(f"portfolio history {i}/{len(steps)} steps")
    finally:
        store.clock = real_clock
    progress(f"{len(plans)} measures across DoI 0-5, with reviews, votes, evidence and audit trail")
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    return [(u, password_for(u), ", ".join(r + (f" on {n}" if n else "") for r, n in roles)) for u, _, roles in PEOPLE]


class _Plan:
    def __init__(self, index: int, program: str, rng: random.Random):
        nodes, sponsor, controller, owners, mtype, titles = PROGRAMS[program]
        self.index = index
        self.node = nodes[index % len(nodes)]
        self.sponsor, self.controller = sponsor, controller
        self.owner = owners[index % len(owners)]
        self.type = mtype
        self.title = titles[(index // 3) % len(titles)] + (f" ({index // 24 + 1})" if index >= 24 else "")
        self.target = TARGETS[index % len(TARGETS)]
        self.potential = rng.choice([180_000, 350_000, 750_000, 1_400_000, 2_600_000, 6_500_000])
        self.id = None
        self.line = None
        self.review = None
        # A few measures stop short: an open review waiting for a decision, one on hold, one killed.
        self.leave_pending = index % 9 == 4
        self.fate = {18: "hold", 30: "kill", 20: "conditional_go"}.get(index)

    def steps(self, begin: datetime, rng: random.Random):
        t = begin + timedelta(days=rng.uniform(0, 60), hours=rng.uniform(8, 17))
        out = [(t, 0, self, _create)]
        for doi in range(1, self.target + 1):
            t += timedelta(days=rng.uniform(4, 25))
            out.append((t, 1, self, _prepare(doi)))
            t += timedelta(hours=rng.uniform(1, 48))
            out.append((t, 2, self, _submit))
            if doi == self.target and self.leave_pending and doi < 5:
                return out
            t += timedelta(days=rng.uniform(1, 9))
            out.append((t, 3, self, _approve(doi == self.target and self.fate)))
        return out


def _plans(rng, n):
    programs = list(PROGRAMS)
    return [_Plan(i, programs[i % len(programs)], rng) for i in range(n)]


def _create(ctx, p: _Plan):
    def work(uow):
        return measures.create(uow, {"title": p.title, "node": p.node, "type": p.type, "owner": p.owner,
                                     "description": f"{p.title}: part of the {p.node} plan."}).id

    p.id = ctx.run(p.owner, work)


def _prepare(doi):
    def step(ctx, p: _Plan):
        def work(uow):
            if doi == 1:
                measures.update(uow, p.id, {"sponsor": p.sponsor, "controller": p.controller,
                                            "potential": p.potential, "baseline": p.potential * 4,
                                            "target": p.potential * 3})
                measures.add_risk(uow, p.id, {"title": "Supplier pushback", "probability": 3, "impact": 3,
                                              "mitigation": "Early engagement"})
                _value_plan(uow, p)
            elif doi == 2:
                measures.update(uow, p.id, {"fields": {"one_time_cost": round(p.potential * 0.3),
                                                       "go_live_date": "2027-06-30"}})
                for n, title in enumerate(("Concept signed off", "Pilot", "Roll-out")):
                    measures.add_milestone(uow, p.id, title, f"2027-0{n + 2}-15")
                evidence.attach_file(uow, p.id, "business_case", f"business-case-{p.id}.md",
                                     io.BytesIO(f"# Business case {p.title}\nPotential {p.potential}\n".encode()),
                                     ctx.evidence_dir, content_type="text/markdown")
            elif doi == 3:
                evidence.attach_link(uow, p.id, "approval_recommendation",
                                     f"https://acme.sharepoint.example/sites/t27/decisions/{p.id}", "Recommendation")
            elif doi == 4:
                for ms in uow.measure(p.id).milestones:
                    measures.complete_milestone(uow, p.id, ms.id, None)
                evidence.attach_link(uow, p.id, "implementation_report",
                                     f"https://acme.sharepoint.example/sites/t27/reports/{p.id}", "Report")
            elif doi == 5:
                measures.update(uow, p.id, {"fields": {"achieved_value": round(p.potential * 0.95)}})
                evidence.attach_file(uow, p.id, "value_confirmation", f"value-{p.id}.csv",
                                     io.BytesIO(f"period,amount\n2027-09,{p.potential * 0.95:.2f}\n".encode()),
                                     ctx.evidence_dir, content_type="text/csv")

        ctx.run(p.owner, work)
        if doi in (4, 5):  # actuals come from the controller, in a transaction of their own
            ctx.run(p.controller, lambda uow: _actuals(uow, p, DEMO_PERIODS[:3] if doi == 4 else DEMO_PERIODS))

    return step


# Value by period (issue 4): a year of plan from January 2027, a forecast (a few measures fall short, so
# their Potential Status is at risk), and actuals booked by the controller from Implemented on.
DEMO_PERIODS = [f"2027-{m:02d}" for m in range(1, 13)]


def _value_plan(uow, p: _Plan):
    line = value.add_line(uow, p.id, {"category": "savings" if p.type == "cost" else "revenue",
                                      "cost_centre": f"CC-{p.node}"})
    p.line = line.id
    monthly = Decimal(p.potential) / 12
    short = Decimal("0.85") if p.index % 7 == 3 else Decimal(1)
    cells = [{"line": line.id, "version": "plan", "period": per, "amount": str(monthly.quantize(Decimal("0.01")))}
             for per in DEMO_PERIODS]
    cells += [{"line": line.id, "version": "forecast", "period": per,
               "amount": str((monthly * short).quantize(Decimal("0.01")))} for per in DEMO_PERIODS]
    value.write(uow, p.id, cells)


def _actuals(uow, p: _Plan, periods):
    monthly = Decimal(p.potential) / 12 * Decimal("0.95")
    value.write(uow, p.id, [{"line": p.line, "version": "actual", "period": per,
                             "amount": str(monthly.quantize(Decimal("0.01")))} for per in periods])


def _submit(ctx, p: _Plan):
    p.review = ctx.run(p.owner, lambda uow: gates.submit(uow, p.id).id)


def _approve(fate):
    def step(ctx, p: _Plan):
        while True:
            voters = ctx.run("system", lambda uow: next_voters(uow, p.review), readonly=True)
            if not voters:
                return
            voter = voters[0]
            if fate == "conditional_go":
                conditions = [{"text": "Hand over the runbook to operations", "due_date": "2027-09-30"}]
                ctx.run(voter, lambda uow: gates.vote(uow, p.review, fate, "Go once the runbook is handed over",
                                                        conditions) and None)
                return
            if fate:
                ctx.run(voter, lambda uow: gates.vote(uow, p.review, fate, "Steering committee decision") and None)
                return
            ctx.run(voter, lambda uow: gates.vote(uow, p.review, "go", "Agreed") and None)

    return step


def next_voters(uow, review_id) -> list[str]:
    """Who may still vote on the current stage of a pending review, by username (none once decided)."""
    review = uow.review(review_id)
    if not review.pending:
        return []
    gate = model_of(review.model_version).gate_for(review.doi_to)
    voted = {v.principal.id for v in review.live_votes(review.current_step)}
    return sorted(u.username for u in gates.eligible_voters(uow, review, gate) if u.id not in voted)
