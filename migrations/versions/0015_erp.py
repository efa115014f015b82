"""ERP connectors: periods read, ERP totals per value line and period, unmapped and held amounts, the ERP's
last-update stamp read; run progress

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)
Money = sa.Numeric(18, 2)


def upgrade() -> None:
    op.create_table(
        'erp_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('read_at', When, nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_periods')),
        sa.UniqueConstraint('config_name', 'period', name='uq_erp_periods_config_name'),
    )
    op.create_table(
        'erp_amounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('source_keys', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['line_id'], ['value_lines.id'], name=op.f('fk_erp_amounts_line_id_value_lines'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_amounts')),
        sa.UniqueConstraint('config_name', 'period', 'line_id', name='uq_erp_amounts_config_name'),
    )
    op.create_table(
        'erp_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('source_keys', sa.Text(), nullable=False),
        sa.Column('measure', sa.String(length=64), nullable=True),
        sa.Column('currency', sa.String(length=5), nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erp_exceptions')),
    )
    op.create_index('ix_erp_exceptions_config_period', 'erp_exceptions', ['config_name', 'period'])
    op.create_table(
        'erp_cursors',
        sa.Column('config_name', sa.String(length=64), nullable=False),
        sa.Column('cursor', sa.String(length=40), nullable=False),
        sa.Column('read_at', When, nullable=False),
        sa.PrimaryKeyConstraint('config_name', name=op.f('pk_erp_cursors')),
    )
    with op.batch_alter_table('connector_runs') as batch:
        batch.add_column(sa.Column('progress', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('connector_runs') as batch:
        batch.drop_column('progress')
    op.drop_table('erp_cursors')
    op.drop_index('ix_erp_exceptions_config_period', table_name='erp_exceptions')
    op.drop_table('erp_exceptions')
    op.drop_table('erp_amounts')
    op.drop_table('erp_periods')
