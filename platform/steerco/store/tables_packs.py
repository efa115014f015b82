"""Steering-committee packs (issue: packs and the monthly cycle), on the shared metadata.

A pack keeps the data snapshot it was rendered from and the SHA-256 of the
snapshot and of each rendered file, so it can be rebuilt and checked; and
every measure's forecast it counted, for the next pack's value bridge.
"""

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from steerco.store.tables import When, metadata

packs = Table(
    "packs", metadata,
    Column("id", Integer, primary_key=True),
    Column("node_id", ForeignKey("nodes.id"), nullable=False, index=True),
    Column("period", String(7), nullable=False),
    # the n-th pack of this node and period: a rebuild after a correction is a new pack, the old one stays
    Column("number", Integer, nullable=False),
    Column("built_at", When, nullable=False),
    Column("built_by", String(128), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("snapshot_sha256", String(64), nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("pptx_sha256", String(64), nullable=False),
    Column("xlsx_sha256", String(64), nullable=False),
    UniqueConstraint("node_id", "period", "number", name="uq_packs_node_period_number"),
)

pack_measures = Table(
    "pack_measures", metadata,
    Column("pack_id", ForeignKey("packs.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("in_year_cents", BigInteger, nullable=False),
    Column("later_cents", BigInteger, nullable=False),
    Column("killed", Boolean, nullable=False),
)
