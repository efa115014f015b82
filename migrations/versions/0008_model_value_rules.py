"""value rules per governance model: the baseline gate and the closure share move from the value settings into each model

Revision ID: 0008
Revises: 0007

No table changes: a model's rules are part of its definition (the YAML a
consultant applies, the data the model editor saves). Versions published before
read the installation-wide ``value.baseline_gate`` and ``value.closure``. A
version whose definition names no rules gets the defaults (baseline at DoI 3
when the model has that gate, closure 90 % of plan over 12 periods); where the
installation had set other values, they are written into each existing version
and open draft, so that running measures keep their rules. The settings then
leave the value settings, which no longer accept them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DEFAULT_BASELINE_GATE = 3
DEFAULT_CLOSURE = {"share_of_plan": 90, "periods": 12}
MOVED = ("baseline_gate", "closure")

value_settings = sa.table("value_settings", sa.column("id", sa.Integer), sa.column("data", sa.JSON),
                          sa.column("checksum", sa.String))
model_versions = sa.table("model_versions", sa.column("id", sa.Integer), sa.column("definition", sa.JSON),
                          sa.column("checksum", sa.String))
model_drafts = sa.table("model_drafts", sa.column("id", sa.Integer), sa.column("definition", sa.JSON))


def upgrade() -> None:
    from steerco.services.models import checksum

    conn = op.get_bind()
    row = conn.execute(sa.select(value_settings.c.data).where(value_settings.c.id == 1)).first()
    data = dict(row.data or {}) if row is not None else {}
    baseline_gate = data.get("baseline_gate", DEFAULT_BASELINE_GATE)
    closure = {**DEFAULT_CLOSURE, **(data.get("closure") or {})}
    for vid, definition in conn.execute(sa.select(model_versions.c.id, model_versions.c.definition)).all():
        kept = _with_rules(definition, baseline_gate, closure)
        if kept is not None:
            conn.execute(model_versions.update().where(model_versions.c.id == vid)
                         .values(definition=kept, checksum=checksum(kept)))
    for did, definition in conn.execute(sa.select(model_drafts.c.id, model_drafts.c.definition)).all():
        kept = _with_rules(definition, baseline_gate, closure)
        if kept is not None:
            conn.execute(model_drafts.update().where(model_drafts.c.id == did).values(definition=kept))
    if any(key in data for key in MOVED):
        rest = {k: v for k, v in data.items() if k not in MOVED}
        conn.execute(value_settings.update().where(value_settings.c.id == 1)
                     .values(data=rest, checksum=checksum(rest)))


def _with_rules(definition, baseline_gate, closure):
    """``definition`` with the rules it followed until now where its defaults differ; None: nothing to write."""
    if not isinstance(definition, dict):
        return None
    gates = {g.get("doi") for g in definition.get("gates") or [] if isinstance(g, dict)}
    out = dict(definition)
    # The installation-wide gate froze nothing in a model without a gate of that DoI.
    followed = baseline_gate if baseline_gate in gates else None
    default = DEFAULT_BASELINE_GATE if DEFAULT_BASELINE_GATE in gates else None
    if "baseline_gate" not in out and followed != default:
        out["baseline_gate"] = followed
    if "closure" not in out and closure != DEFAULT_CLOSURE:
        out["closure"] = dict(closure)
    return out if out != definition else None


def downgrade() -> None:
    # The rules written into definitions stay there (older code ignores them); the value settings keep
    # their defaults, as the installation-wide values cannot be told apart once models differ.
    pass
