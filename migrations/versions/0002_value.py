"""value: lines, amounts per period and version, FX, statuses, locks, change requests (issue 4)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actual_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('amounts_written', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.String(length=128), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actual_imports'))
    )
    op.create_index(op.f('ix_actual_imports_sha256'), 'actual_imports', ['sha256'], unique=False)
    op.create_table('fx_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fx_rates')),
    sa.UniqueConstraint('currency', 'period', name='uq_fx_rates_currency_period')
    )
    op.create_table('value_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_settings'))
    )
    op.create_table('change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('allow_self_approval', sa.Boolean(), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=False),
    sa.Column('approvals', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('plan_revision', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_change_requests_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_requests'))
    )
    op.create_index(op.f('ix_change_requests_measure_id'), 'change_requests', ['measure_id'], unique=False)
    op.create_table('dependencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=True),
    sa.Column('external', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['predecessor_id'], ['measures.id'], name=op.f('fk_dependencies_predecessor_id_measures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['measures.id'], name=op.f('fk_dependencies_successor_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dependencies'))
    )
    op.create_index(op.f('ix_dependencies_predecessor_id'), 'dependencies', ['predecessor_id'], unique=False)
    op.create_index(op.f('ix_dependencies_successor_id'), 'dependencies', ['successor_id'], unique=False)
    op.create_table('measure_values',
    sa.Column('measure_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('plan_revision', sa.Integer(), nullable=False),
    sa.Column('baseline_frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=128), nullable=True),
    sa.Column('potential_status', sa.String(length=16), nullable=False),
    sa.Column('implementation_status', sa.String(length=16), nullable=False),
    sa.Column('potential_override', sa.JSON(), nullable=True),
    sa.Column('implementation_override', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_values_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', name=op.f('pk_measure_values'))
    )
    op.create_table('period_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('locked_by', sa.String(length=128), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_period_locks_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_locks'))
    )
    op.create_index(op.f('ix_period_locks_measure_id'), 'period_locks', ['measure_id'], unique=False)
    op.create_index(op.f('ix_period_locks_period'), 'period_locks', ['period'], unique=False)
    op.create_table('plan_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amounts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_plan_revisions_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revisions')),
    sa.UniqueConstraint('measure_id', 'revision', name='uq_plan_revisions_measure_revision')
    )
    op.create_table('status_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('derived', sa.String(length=16), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_status_history_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_history'))
    )
    op.create_index(op.f('ix_status_history_measure_id'), 'status_history', ['measure_id'], unique=False)
    op.create_table('value_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('cost_centre', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('wbs', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_value_lines_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_lines'))
    )
    op.create_index(op.f('ix_value_lines_cost_centre'), 'value_lines', ['cost_centre'], unique=False)
    op.create_index(op.f('ix_value_lines_measure_id'), 'value_lines', ['measure_id'], unique=False)
    op.create_table('value_amounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['value_lines.id'], name=op.f('fk_value_amounts_line_id_value_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_value_amounts_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_amounts')),
    sa.UniqueConstraint('line_id', 'version', 'period', name='uq_value_amounts_line_version_period')
    )
    op.create_index(op.f('ix_value_amounts_measure_id'), 'value_amounts', ['measure_id'], unique=False)

    op.create_table('risk_owners',
    sa.Column('risk_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_risk_owners_owner_id_users')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_owners_risk_id_risks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('risk_id', name=op.f('pk_risk_owners'))
    )


def downgrade() -> None:
    op.drop_table('risk_owners')
    op.drop_table('dependencies')
    op.drop_table('change_requests')
    op.drop_table('actual_imports')
    op.drop_table('plan_revisions')
    op.drop_table('period_locks')
    op.drop_table('status_history')
    op.drop_table('measure_values')
    op.drop_table('value_amounts')
    op.drop_table('value_lines')
    op.drop_table('fx_rates')
    op.drop_table('value_settings')
