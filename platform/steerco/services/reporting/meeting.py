"""Meeting mode: the committee decides its pending reviews one after the other, the pack beside them.

Votes go through the gate service like votes from the inbox (same rights,
same rules, same review); each is also audited as ``meeting.vote`` naming the
pack the committee met on, so the decisions register shows which meeting
took them.
"""

from __future__ import annotations

from steerco.domain.errors import NotFound
from steerco.domain.governance import DECISIONS
from steerco.services.governance import gates
from steerco.services.models import model_of
from steerco.services.reporting import packs
from steerco.services.rights import decisions

COMMITTEE = "steering_committee"


def agenda(uow, calendar, pack_id: int) -> dict:
    """The pack's headline figures and the reviews waiting for the committee now, oldest first.

    Each review carries the figures the pack showed for it (its age and SLA state at the pack's date,
    its value at risk if listed) and whether the actor may vote on it.

    :raises NotFound: no such pack, or one the actor may not see.
    """
    pack = packs.stored(uow, pack_id)
    snap = pack["snapshot"]
    in_pack = {d["id"]: d for d in snap["decisions"]}
    at_risk = {m["code"]: m for m in snap["value_at_risk"]["measures"]}
    actor = uow.require_user(uow.actor)
    items = []
    for r in decisions.needed(uow, calendar, node=snap["node"]["code"], role=COMMITTEE)["reviews"]:
        review = uow.review(r["id"])
        items.append(r | {"in_pack": in_pack.get(r["id"]), "at_risk": at_risk.get(r["measure"]),
                          "may_vote": bool(review.capacities(actor)),
                          "decisions": [d for d in DECISIONS
                                        if d in model_of(review.model_version).gate_for(review.doi_to).decisions]})
    return {"pack": {k: pack[k] for k in ("id", "node", "period", "number", "built_at", "sha256")},
            "node_name": snap["node"]["name"], "cover": snap["cover"], "currency": snap["currency"], "items": items}


def vote(uow, pack_id: int, review_id: int, decision: str, comment: str = "", conditions=None) -> dict:
    """Vote on a review in the meeting of ``pack_id``'s committee; the same vote as from the inbox.

    :raises NotFound: the pack, or a review not waiting for this committee.
    """
    pack = packs.stored(uow, pack_id)
    node = uow.require_node(pack["node"])
    review = uow.review(review_id)
    if not review.measure.node.path.startswith(node.path):
        raise NotFound(f"review: no review {review_id} before the committee of {node.code}")
    gates.vote(uow, review_id, decision, comment, conditions)
    uow.record("meeting.vote", "gate_review", review_id, review.measure.code,
               after={"pack": pack_id, "node": node.code, "period": pack["period"], "decision": decision})
    return {"review_id": review_id, "decision": decision, "status": review.status}
