"""The demo of a starter pack: its configuration, its people and a few measures taken through its gates.

Each pack under ``config/packs/NAME.yaml`` may have a script ``config/packs/demo/NAME.yaml``:
people with their roles, and measures, each with the work its owner does before each gate
(fields, milestones, risks, evidence, value) and the decision the gate's approvers take.
Everything runs through the same services a user drives, so a script that no longer fits its
pack (a criterion it does not meet, a role that cannot vote) stops with the reason.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import yaml

from steerco.demo import next_voters
from steerco.domain.errors import ValidationFailed
from steerco.services.configuration import bundle as configuration
from steerco.services.governance import evidence, gates, measures
from steerco.services.rights import people
from steerco.services.value import amounts as value

PACKS = Path(__file__).resolve().parents[3] / "config" / "packs"
DECISIONS = ("go", "conditional_go", "hold", "recycle", "kill", "pending")


def pack_names() -> list[str]:
    """Packs that have a demo script."""
    return sorted(p.stem for p in (PACKS / "demo").glob("*.yaml") if (PACKS / f"{p.stem}.yaml").exists())


def password_for(username: str) -> str:
    return f"{username}-demo"


def load_pack_demo(store, name: str, create_login: Callable[..., object], evidence_dir: Path, *,
                   progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Apply pack ``name`` and play its demo script into an empty instance; returns the logins made.

    :raises ValidationFailed: ``pack``: no such pack or no demo for it; ``demo``: a step the pack refuses.
    """
    if name not in pack_names():
        raise ValidationFailed({"pack": [f"no starter pack with a demo named {name!r}; "
                                         f"packs with a demo: {', '.join(pack_names())}"]})
    bundle = yaml.safe_load((PACKS / f"{name}.yaml").read_text(encoding="utf-8"))
    script = yaml.safe_load((PACKS / "demo" / f"{name}.yaml").read_text(encoding="utf-8"))
    store.run("system", lambda uow: configuration.apply(uow, bundle).as_dict())
    progress(f"starter pack {name} applied")
    logins = []
    for person in script["people"]:
        roles = [(r, n) for r, n in person["roles"]]
        store.run("system", lambda uow: people.add_user(uow, person["username"], name=person["name"],
                                                      email=person["email"], roles=roles) and None)
        create_login(person["username"], password_for(person["username"]), name=person["name"],
                     email=person["email"], admin=any(r == "admin" for r, _ in roles))
        logins.append((person["username"], password_for(person["username"]),
                       ", ".join(r + (f" on {n}" if n else "") for r, n in roles)))
    progress(f"{len(logins)} people with logins")
    plays = script["measures"]
    for i, play in enumerate(plays, 1):
        _Play(store, evidence_dir, play).run()
        progress(f"measure {i}/{len(plays)}: {play['title']}")
    return logins


class _Play:
    def __init__(self, store, evidence_dir: Path, play: dict):
        self.store, self.evidence_dir, self.play = store, evidence_dir, play
        self.owner = play["owner"]
        self.id: int | None = None
        self.line: int | None = None

    def run(self) -> None:
        p = self.play

        def create(uow):
            m = measures.create(uow, {"title": p["title"], "node": p["node"], "type": p["type"], "owner": self.owner,
                                      "description": p.get("description", "")})
            people_fields = {k: p[k] for k in ("sponsor", "controller", "potential") if k in p}
            if people_fields:
                measures.update(uow, m.id, people_fields)
            return m.id

        self.id = self.store.run(self.owner, create)
        for gate_work in p.get("gates", []):
            self._prepare(gate_work)
            decision = gate_work.get("decision", "go")
            if decision not in DECISIONS:
                raise ValidationFailed({"demo": [f"{p['title']}: decision {decision!r} is not one of "
                                                 f"{', '.join(DECISIONS)}"]})
            review = self.store.run(self.owner, lambda uow: gates.submit(uow, self.id).id)
            if decision == "pending":
                return
            self._decide(review, decision, gate_work.get("rationale", "Agreed"))
            if decision != "go" and decision != "conditional_go":
                return

    def _prepare(self, work: dict) -> None:
        def owner_work(uow):
            if work.get("fields") or work.get("measure"):
                measures.update(uow, self.id, {**work.get("measure", {}), "fields": work.get("fields", {})})
            for ms in work.get("milestones", []):
                measures.add_milestone(uow, self.id, ms["title"], str(ms["due"]))
            if work.get("complete_milestones"):
                for ms in uow.measure(self.id).milestones:
                    if ms.done_on is None:
                        measures.complete_milestone(uow, self.id, ms.id, None)
            for risk in work.get("risks", []):
                measures.add_risk(uow, self.id, risk)
            for code, item in work.get("evidence", {}).items():
                if isinstance(item, str):
                    evidence.attach_link(uow, self.id, code, item, code.replace("_", " ").capitalize())
                else:
                    evidence.attach_file(uow, self.id, code, item["name"], io.BytesIO(item["text"].encode()),
                                         self.evidence_dir, content_type=item.get("type", "text/markdown"))
            if work.get("plan"):
                self._write(uow, "plan", work["plan"])

        self.store.run(self.owner, owner_work)
        if work.get("actuals"):
            controller = self.play["controller"]
            self.store.run(controller, lambda uow: self._write(uow, "actual", work["actuals"]))

    def _write(self, uow, version: str, amounts: dict) -> None:
        if self.line is None:
            self.line = value.add_line(uow, self.id, {"category": self.play["category"]}).id
        value.write(uow, self.id, [{"line": self.line, "version": version, "period": str(period),
                                    "amount": str(amount)} for period, amount in amounts.items()])

    def _decide(self, review_id: int, decision: str, rationale: str) -> None:
        while True:
            voters = self.store.run("system", lambda uow: next_voters(uow, review_id), readonly=True)
            if not voters:
                return
            conditions = ([{"text": "Close the open actions of the review", "due_date": "2027-06-30"}]
                          if decision == "conditional_go" else None)
            self.store.run(voters[0], lambda uow: gates.vote(uow, review_id, decision, rationale, conditions)
                           and None)

