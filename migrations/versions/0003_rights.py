"""rights: delegations, SLA events, notifications, idempotency keys, decisions register (issue 3)

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def _when(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'delegations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegator_id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('node_id', sa.Integer(), nullable=True),
        sa.Column('gate_type', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        _when('created_at', False),
        _when('revoked_at'),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['delegator_id'], ['users.id'], name=op.f('fk_delegations_delegator_id_users')),
        sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_delegations_delegate_id_users')),
        sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], name=op.f('fk_delegations_node_id_nodes')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_delegations_created_by_id_users')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_delegations_revoked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations')),
    )
    op.create_index(op.f('ix_delegations_delegator_id'), 'delegations', ['delegator_id'])
    op.create_index(op.f('ix_delegations_delegate_id'), 'delegations', ['delegate_id'])

    op.create_table(
        'sla_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=64), nullable=True),
        sa.Column('age', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.JSON(), nullable=False),
        _when('at', False),
        sa.ForeignKeyConstraint(['review_id'], ['gate_reviews.id'], ondelete='CASCADE',
                                name=op.f('fk_sla_events_review_id_gate_reviews')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_events')),
        sa.UniqueConstraint('review_id', 'kind', 'step', name='uq_sla_events_review_kind_step'),
    )

    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=1000), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('digest', sa.Boolean(), nullable=False),
        _when('created_at', False),
        _when('claimed_until'),
        _when('sent_at'),
        _when('read_at'),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['review_id'], ['gate_reviews.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_review_id_gate_reviews')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('key', name=op.f('uq_notifications_key')),
    )
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'])
    op.create_index('ix_notifications_sent_at', 'notifications', ['sent_at'])

    op.create_table(
        'notification_prefs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.Boolean(), nullable=False),
        _when('updated_at', False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_notification_prefs_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_prefs')),
    )

    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=128), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('response', sa.JSON(), nullable=True),
        _when('created_at', False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('actor', 'key', name='uq_idempotency_keys_actor_key'),
    )

    op.create_table(
        'decision_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('rationale', sa.Text(), nullable=False),
        sa.Column('attendees', sa.JSON(), nullable=False),
        sa.Column('follow_ups', sa.JSON(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        _when('recorded_at', False),
        sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ondelete='CASCADE',
                                name=op.f('fk_decision_records_measure_id_measures')),
        sa.ForeignKeyConstraint(['review_id'], ['gate_reviews.id'], ondelete='SET NULL',
                                name=op.f('fk_decision_records_review_id_gate_reviews')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_decision_records_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_records')),
    )
    op.create_index(op.f('ix_decision_records_measure_id'), 'decision_records', ['measure_id'])
    op.create_index(op.f('ix_decision_records_review_id'), 'decision_records', ['review_id'])


def downgrade() -> None:
    for table in ('decision_records', 'idempotency_keys', 'notification_prefs', 'notifications', 'sla_events',
                  'delegations'):
        op.drop_table(table)
