"""connectors: configurations, run log, links, synced items, CRM triggers

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'connector_configs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('connector', sa.String(length=64), nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', When, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_configs')),
        sa.UniqueConstraint('name', name=op.f('uq_connector_configs_name')),
    )
    op.create_table(
        'connector_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('connector', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('started_at', When, nullable=False),
        sa.Column('finished_at', When, nullable=True),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_runs')),
    )
    op.create_index(op.f('ix_connector_runs_config_name'), 'connector_runs', ['config_name'])
    op.create_table(
        'connector_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=1000), nullable=False),
        sa.Column('created_at', When, nullable=False),
        sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ondelete='CASCADE',
                                name=op.f('fk_connector_links_measure_id_measures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_links')),
        sa.UniqueConstraint('measure_id', 'config_name', 'kind', 'target', name='uq_connector_links_target'),
    )
    op.create_index(op.f('ix_connector_links_measure_id'), 'connector_links', ['measure_id'])
    op.create_table(
        'connector_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=64), nullable=False),
        sa.Column('external_key', sa.String(length=255), nullable=False),
        sa.Column('milestone_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], ondelete='CASCADE',
                                name=op.f('fk_connector_items_milestone_id_milestones')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_connector_items_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_items')),
        sa.UniqueConstraint('config_name', 'scope', 'external_key', name='uq_connector_items_key'),
    )
    op.create_table(
        'trigger_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('secret_env', sa.String(length=128), nullable=False),
        sa.Column('replay_window', sa.Integer(), nullable=False),
        sa.Column('public_url', sa.String(length=1000), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_sources')),
        sa.UniqueConstraint('code', name=op.f('uq_trigger_sources_code')),
    )
    op.create_table(
        'trigger_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('condition', sa.JSON(), nullable=False),
        sa.Column('measure_type', sa.String(length=64), nullable=False),
        sa.Column('node', sa.String(length=64), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_rules')),
        sa.UniqueConstraint('source', 'name', name='uq_trigger_rules_source_name'),
    )
    op.create_index(op.f('ix_trigger_rules_source'), 'trigger_rules', ['source'])
    op.create_table(
        'trigger_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('event_id', sa.String(length=255), nullable=True),
        sa.Column('dedup_key', sa.String(length=330), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('received_at', When, nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('rule', sa.String(length=200), nullable=True),
        sa.Column('measure_code', sa.String(length=64), nullable=True),
        sa.Column('replays', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_events')),
        sa.UniqueConstraint('dedup_key', name=op.f('uq_trigger_events_dedup_key')),
    )
    op.create_index(op.f('ix_trigger_events_source'), 'trigger_events', ['source'])
    op.create_index(op.f('ix_trigger_events_status'), 'trigger_events', ['status'])


def downgrade() -> None:
    for table in ('trigger_events', 'trigger_rules', 'trigger_sources', 'connector_items', 'connector_links',
                  'connector_runs', 'connector_configs'):
        op.drop_table(table)
