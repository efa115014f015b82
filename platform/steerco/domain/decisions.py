"""The decisions register: what a steering committee decided, who attended, why,
and the follow-ups, tied to a gate review (or to a measure)."""

from __future__ import annotations

from datetime import date, datetime

from steerco.domain.errors import ValidationFailed


class DecisionRecord:
    def __init__(self, measure, review, title: str, decision: str, rationale: str, attendees: list[str],
                 follow_ups: list[dict], decided_on: date, recorded_by, recorded_at: datetime):
        self.measure = measure
        self.review = review
        self.title = title
        self.decision = decision
        self.rationale = rationale
        self.attendees = attendees
        self.follow_ups = follow_ups
        self.decided_on = decided_on
        self.recorded_by = recorded_by
        self.recorded_at = recorded_at


def check_record(title, decision, rationale, attendees, follow_ups) -> tuple[str, str, str, list, list]:
    """Clean the parts of a register entry.

    :raises ValidationFailed: naming the field or the follow-up that is wrong.
    """
    errors: dict[str, list[str]] = {}
    title, decision, rationale = (str(x or "").strip() for x in (title, decision, rationale))
    if not title:
        errors["title"] = ["required"]
    if not decision:
        errors["decision"] = ["say what was decided"]
    if not rationale:
        errors["rationale"] = ["say why"]
    names = [str(a).strip() for a in (attendees or []) if str(a).strip()]
    if not names:
        errors["attendees"] = ["name at least one attendee"]
    items = []
    for i, f in enumerate(follow_ups or []):
        text = f.get("text", "").strip() if isinstance(f, dict) else ""
        if not text:
            errors[f"follow_ups[{i}].text"] = ["required"]
            continue
        due = f.get("due_date")
        if due is not None:
            try:
                due = date.fromisoformat(str(due)).isoformat()
            except ValueError:
                errors[f"follow_ups[{i}].due_date"] = ["a date as YYYY-MM-DD"]
        items.append({"text": text[:1000], "owner": f.get("owner"), "due_date": due})
    if errors:
        raise ValidationFailed(errors)
    return title[:200], decision[:2000], rationale, names, items
