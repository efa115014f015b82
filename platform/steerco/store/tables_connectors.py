"""Tables of the 'connectors' area, on the shared metadata (see schema.py).

Connector configurations and their run log; links from measures to external
items (a Jira epic, issue or JQL query); the external items a connector keeps in
step (a Jira issue as a milestone, a directory entry as a user); CRM trigger
sources, rules, and every inbound event (accepted, rejected, failed).
"""

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from steerco.store.tables import When, metadata

connector_configs = Table(
    "connector_configs", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("connector", String(64), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("updated_at", When, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

connector_runs = Table(
    "connector_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("config_name", String(64), nullable=False, index=True),
    Column("connector", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("started_at", When, nullable=False),
    Column("finished_at", When),
    Column("counts", JSON, nullable=False),
    Column("errors", JSON, nullable=False),
    # what a running sync last reported, so that a long one shows how far it got
    Column("progress", String(200)),
)

connector_links = Table(
    "connector_links", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("config_name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", String(1000), nullable=False),
    Column("created_at", When, nullable=False),
    UniqueConstraint("measure_id", "config_name", "kind", "target", name="uq_connector_links_target"),
)

connector_items = Table(
    "connector_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("config_name", String(64), nullable=False),
    Column("scope", String(64), nullable=False, default=""),
    Column("external_key", String(255), nullable=False),
    Column("milestone_id", ForeignKey("milestones.id", ondelete="CASCADE")),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("fingerprint", String(64), nullable=False, default=""),
    UniqueConstraint("config_name", "scope", "external_key", name="uq_connector_items_key"),
)

trigger_sources = Table(
    "trigger_sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("secret_env", String(128), nullable=False),
    Column("replay_window", Integer, nullable=False, default=300),
    Column("public_url", String(1000), nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, server_default="1"),
)

trigger_rules = Table(
    "trigger_rules", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("condition", JSON, nullable=False),
    Column("measure_type", String(64), nullable=False),
    Column("node", String(64), nullable=False),
    Column("owner", String(200), nullable=False, default=""),
    Column("fields", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    UniqueConstraint("source", "name", name="uq_trigger_rules_source_name"),
)

trigger_events = Table(
    "trigger_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("event_id", String(255)),
    # Set only once an event was accepted: a second delivery of it collides here.
    Column("dedup_key", String(330), unique=True),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", Text, nullable=False, default=""),
    Column("received_at", When, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("body", Text, nullable=False),
    Column("rule", String(200)),
    Column("measure_code", String(64)),
    Column("replays", Integer, nullable=False, default=0),
)
