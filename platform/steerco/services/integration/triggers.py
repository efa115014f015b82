"""CRM triggers: signed webhooks that create measures through admin-defined rules.

Flow of one delivery (``receive``): verify the signature and the timestamp of
the source (HubSpot v3, or a shared-secret HMAC for Salesforce and Dynamics
365); record each event once (idempotent by event id: a redelivery is counted,
not processed again); find the first enabled rule of the source whose JsonLogic
condition holds on the event; create the measure it describes. Events rejected
at the door (bad signature, stale timestamp, unreadable body) or failing in a
rule (owner unknown, bad field) stay in the dead-letter list with the reason;
failed ones can be replayed once the cause is fixed.
"""

from __future__ import annotations

import hashlib
import json
import os

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from steerco import rules
from steerco.domain.errors import Conflict, NotFound, SteercoError, ValidationFailed
from steerco.domain.measure import Measure
from steerco.domain.people import User
from steerco.plugins.manager import notify_after_commit
from steerco.services.integration.connectors import require_admin
from steerco.services.integration.signatures import Delivery, Rejected, verify
from steerco.services.views import measure_view
from steerco.store import tables_connectors as tc
from steerco.store import versions

KINDS = ("hubspot", "salesforce", "dynamics")
DEAD = ("rejected", "failed")


# -- configuration ------------------------------------------------------------------

def save_source(uow, code: str, kind: str, secret_env: str, *, replay_window: int = 300, public_url: str = "",
                enabled: bool = True, expected_version: int | None = None) -> dict:
    """Create or update a trigger source (admin only).

    :param expected_version: the source's version the caller read (0: it did not exist).
    :raises StaleUpdate: the source changed (or was created) since ``expected_version``.

    :param secret_env: the environment variable holding the source's secret (the
        HubSpot app's client secret, or the shared HMAC secret).
    :param public_url: the URL the CRM calls, as it sees it (HubSpot signs it);
        empty to use the URL the request arrived at.
    """
    require_admin(uow)
    errors = {}
    if not isinstance(code, str) or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 64:
        errors["code"] = ["letters, digits, - or _, at most 64 characters"]
    if kind not in KINDS:
        errors["kind"] = [f"one of {', '.join(KINDS)}"]
    if not isinstance(secret_env, str) or not secret_env.strip():
        errors["secret_env"] = ["the name of the environment variable holding the secret"]
    if not isinstance(replay_window, int) or not 30 <= replay_window <= 3600:
        errors["replay_window"] = ["seconds, from 30 to 3600"]
    if errors:
        raise ValidationFailed(errors)
    values = {"kind": kind, "secret_env": secret_env.strip(), "replay_window": replay_window,
              "public_url": public_url or "", "enabled": bool(enabled)}
    existing = _source(uow, code)
    audit = ("trigger_source", code)
    if existing is None:
        if expected_version:
            raise versions.stale(uow, "trigger source", code, expected_version, None, audit)
        version = 1
        uow.session.execute(insert(tc.trigger_sources).values(code=code, version=version, **values))
        uow.record("trigger_source.created", "trigger_source", code, after=values)
    else:
        if expected_version == 0:
            raise versions.stale(uow, "trigger source", code, 0, existing.version, audit)
        version = versions.bump(uow, tc.trigger_sources, tc.trigger_sources.c.code == code, expected_version, values,
                                kind="trigger source", key=code, audit=audit)
        uow.record("trigger_source.updated", "trigger_source", code, after=values)
    return {"code": code, **values, "version": version}


def save_rule(uow, source: str, data: dict) -> dict:
    """Create or replace the rule ``data["name"]`` of a source (admin only).

    ``data``: ``name``, ``condition`` (JsonLogic over the event), ``measure_type``,
    ``node``, ``owner`` (JsonLogic giving the owner's e-mail), ``fields``
    (measure field -> JsonLogic over the event; ``title`` is required),
    ``position`` (rules are tried in order), ``enabled``.

    :raises ValidationFailed: naming the field, e.g. ``fields.potential``.
    """
    require_admin(uow)
    if _source(uow, source) is None:
        raise NotFound(f"trigger source: no source '{source}'")
    errors: dict[str, list[str]] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["required, at most 200 characters"]
    for key in ("condition", "owner"):
        if key in data and data[key] not in (None, ""):
            _check_rule(data[key], key, errors)
    fields = data.get("fields")
    if not isinstance(fields, dict) or "title" not in fields:
        errors["fields"] = ["a mapping of measure field -> JsonLogic over the event, with at least 'title'"]
    else:
        for field, expr in fields.items():
            _check_rule(expr, f"fields.{field}", errors)
    if uow.measure_type(str(data.get("measure_type"))) is None:
        errors["measure_type"] = [f"unknown measure type '{data.get('measure_type')}'"]
    if uow.node(str(data.get("node"))) is None:
        errors["node"] = [f"unknown node '{data.get('node')}'"]
    if errors:
        raise ValidationFailed(errors)
    values = {"condition": data.get("condition", True), "measure_type": data["measure_type"], "node": data["node"],
              "owner": json.dumps(data["owner"]) if data.get("owner") not in (None, "") else "",
              "fields": fields, "position": int(data.get("position") or 0), "enabled": bool(data.get("enabled", True))}
    c = tc.trigger_rules.c
    row = uow.session.execute(select(c.id).where(c.source == source, c.name == name)).first()
    if row is None:
        uow.session.execute(insert(tc.trigger_rules).values(source=source, name=name, **values))
    else:
        uow.session.execute(update(tc.trigger_rules).where(c.id == row.id).values(**values))
    uow.record("trigger_rule.saved", "trigger_rule", f"{source}/{name}", after={**values, "owner": data.get("owner")})
    return {"source": source, "name": name, **values, "owner": data.get("owner")}


def _check_rule(rule, where, errors):
    if not isinstance(rule, (dict, list)):
        return  # a literal: a fixed e-mail, title or amount
    try:
        rules.compile_rule(rule)
    except rules.RuleError as e:
        errors[where] = [str(e)]


# -- receiving ------------------------------------------------------------------------

def receive(store, source_code: str, delivery: Delivery, *, env=None) -> tuple[int, dict]:
    """Handle one webhook delivery.

    :returns: ``(http_status, body)``: 404 unknown source, 401 rejected (stored
        in the dead-letter list), 400 unreadable, 200 otherwise with a count per
        outcome (``accepted``, ``duplicate``, ``ignored``, ``failed``).
    """
    source = store.run("system", lambda uow: _source(uow, source_code), readonly=True)
    if source is None or not source.enabled:
        return 404, {"error": "not_found", "message": f"no trigger source '{source_code}'"}
    try:
        verify(source, delivery, store.clock(), os.environ if env is None else env)
        events = _events(source, delivery.body)
    except Rejected as e:
        store.run(f"trigger:{source_code}", lambda uow: _record_rejected(uow, source_code, delivery, e.reason))
        return 401, {"error": "rejected", "message": e.reason}
    outcome = {"accepted": 0, "duplicate": 0, "ignored": 0, "failed": 0}
    for event_id, payload in events:
        outcome[_accept(store, source_code, event_id, payload, delivery)] += 1
    return 200, outcome


def _events(source, body: bytes) -> list[tuple[str, dict]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Rejected("body is not JSON") from None
    items = data if isinstance(data, list) else [data]  # HubSpot batches events in an array
    out = []
    for i, item in enumerate(items):
        event_id = item.get("eventId", item.get("id")) if isinstance(item, dict) else None
        if event_id in (None, "") or isinstance(event_id, (dict, list)):
            raise Rejected(f"event #{i + 1} has no eventId")
        out.append((str(event_id), item))
    return out


def _record_rejected(uow, source_code, d: Delivery, reason):
    uow.session.execute(insert(tc.trigger_events).values(
        source=source_code, status="rejected", reason=reason, received_at=uow.now,
        headers=_bounded(_safe_headers(d.headers)),
        # Anyone can post here without a login: keep what identifies a rejected delivery, not its body
        # (a rejected event is never replayed), so that bad requests cannot fill the database.
        body=json.dumps({"size": len(d.body), "sha256": hashlib.sha256(d.body).hexdigest()}), replays=0))
    uow.record("trigger.rejected", "trigger_source", source_code, after={"reason": reason})


MAX_KEPT_HEADERS = 40
MAX_HEADER_CHARS = 500


def _bounded(headers: dict) -> dict:
    kept = list(headers.items())[:MAX_KEPT_HEADERS]
    return {str(k)[:MAX_HEADER_CHARS]: str(v)[:MAX_HEADER_CHARS] for k, v in kept}


def _safe_headers(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}


def _accept(store, source_code, event_id, payload, d: Delivery) -> str:
    def record(uow):
        result = uow.session.execute(insert(tc.trigger_events).values(
            source=source_code, event_id=event_id, dedup_key=f"{source_code}:{event_id}", status="received",
            reason="", received_at=uow.now, headers=_safe_headers(d.headers), body=json.dumps(payload), replays=0))
        return result.inserted_primary_key[0]

    try:
        row_id = store.run(f"trigger:{source_code}", record, attempts=1)
    except Conflict:  # the unique dedup key: this event was delivered before
        return "duplicate"
    except IntegrityError:
        return "duplicate"
    return process(store, row_id)


def process(store, row_id: int) -> str:
    """Apply the rules to a recorded event; its row ends ``accepted``, ``ignored`` or ``failed``."""
    actor = "trigger"
    try:
        status, rule, code, reason = store.run(actor, lambda uow: _apply_rules(uow, row_id))
    except SteercoError as e:
        status, rule, code, reason = "failed", None, None, e.message
    store.run(actor, lambda uow: _finish(uow, row_id, status, rule, code, reason))
    return status


def _apply_rules(uow, row_id):
    ev = uow.session.execute(select(tc.trigger_events).where(tc.trigger_events.c.id == row_id)).one()
    payload = json.loads(ev.body)
    c = tc.trigger_rules.c
    candidates = uow.session.execute(select(tc.trigger_rules).where(c.source == ev.source, c.enabled.is_(True))
                                     .order_by(c.position, c.id)).all()
    for rule in candidates:
        if _truthy(rule.condition, payload, f"rule '{rule.name}' condition"):
            measure = _create_measure(uow, rule, payload, ev)
            return "accepted", rule.name, measure.code, ""
    return "ignored", None, None, "no rule matches"


def _truthy(rule, payload, where) -> bool:
    try:
        return bool(rules.compile_rule(rule).check(payload).passed)
    except (rules.RuleError, rules.FactsError) as e:
        raise ValidationFailed({where: [str(e)]}) from None


def _value(expr, payload, where):
    """A JsonLogic expression evaluated on the event; any other JSON value is a literal."""
    if not isinstance(expr, (dict, list)):
        return expr
    try:
        return rules.compile_rule(expr).apply(payload)
    except (rules.RuleError, rules.FactsError) as e:
        raise ValidationFailed({where: [str(e)]}) from None


def _create_measure(uow, rule, payload, ev) -> Measure:
    node = uow.require_node(rule.node)
    mtype = uow.measure_type(rule.measure_type)
    version = uow.latest_model_version(mtype.model_code) if mtype else None
    if version is None:
        raise ValidationFailed({"measure_type": [f"measure type '{rule.measure_type}' is unknown or has no model"]})
    owner = None
    if rule.owner:
        email = _value(json.loads(rule.owner), payload, "owner")
        owner = _user_by_email(uow, email)
        if owner is None:
            raise ValidationFailed({"owner": [f"no active user with the e-mail '{email}'"]})
    values = {k: _value(expr, payload, f"fields.{k}") for k, expr in rule.fields.items()}
    title = values.pop("title", None)
    code = f"M-{uow.next_number('measure'):04d}"
    measure = Measure(code, str(title or ""), node, mtype, version, owner, uow.now)
    if values:
        measure.apply_changes(values, {})
    uow.add(measure)
    uow.flush()
    source = {"trigger": ev.source, "event_id": ev.event_id, "rule": rule.name}
    uow.record("measure.created", "measure", measure.id, measure.code, after={**measure.snapshot(), "source": source})
    notify_after_commit(uow, "steerco_on_measure_created", lambda: {"measure": measure_view(measure),
                                                                     "actor": uow.actor})
    return measure


def _user_by_email(uow, email) -> User | None:
    if not isinstance(email, str) or "@" not in email:
        return None
    return uow.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(),
                                                 User.active.is_(True)))


def _finish(uow, row_id, status, rule, code, reason):
    uow.session.execute(update(tc.trigger_events).where(tc.trigger_events.c.id == row_id).values(
        status=status, rule=rule, measure_code=code, reason=reason))
    if status == "failed":
        uow.record("trigger.failed", "trigger_event", row_id, after={"reason": reason})


# -- dead letters -----------------------------------------------------------------------

def events(uow, *, source: str | None = None, dead: bool = False, limit: int = 100) -> list[dict]:
    """Received events, newest first; ``dead`` keeps the rejected and failed ones (admin only)."""
    require_admin(uow)
    c = tc.trigger_events.c
    q = select(tc.trigger_events).order_by(c.id.desc()).limit(limit)
    if source:
        q = q.where(c.source == source)
    if dead:
        q = q.where(c.status.in_(DEAD))
    return [event_view(r) for r in uow.session.execute(q).all()]


def event_view(r) -> dict:
    return {"id": r.id, "source": r.source, "event_id": r.event_id, "status": r.status, "reason": r.reason,
            "received_at": r.received_at.isoformat(), "rule": r.rule, "measure": r.measure_code,
            "replays": r.replays}


def replay(store, actor: str, row_id: int) -> dict:
    """Process a failed event again (admin only).

    A rejected event is not replayed: its signature never verified, so its
    content cannot be trusted; the sender must deliver it again.

    :raises NotFound: no such event. :raises Conflict: not a failed event.
    """
    def check(uow):
        require_admin(uow)
        r = uow.session.execute(select(tc.trigger_events).where(tc.trigger_events.c.id == row_id)).first()
        if r is None:
            raise NotFound(f"trigger event: no event {row_id}")
        if r.status != "failed":
            raise Conflict(f"event {row_id} is {r.status}; only failed events can be replayed"
                           + (" (a rejected event was never verified: ask the sender to deliver it again)"
                              if r.status == "rejected" else ""))
        uow.session.execute(update(tc.trigger_events).where(tc.trigger_events.c.id == row_id)
                            .values(replays=r.replays + 1))
        uow.record("trigger.replayed", "trigger_event", row_id, after={"event_id": r.event_id})

    store.run(actor, check)
    process(store, row_id)
    return store.run(actor, lambda uow: event_view(uow.session.execute(
        select(tc.trigger_events).where(tc.trigger_events.c.id == row_id)).one()), readonly=True)


def _source(uow, code):
    return uow.session.execute(select(tc.trigger_sources).where(tc.trigger_sources.c.code == code)).first()
