"""value totals kept with every change: per measure and version, per node, version and period

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('measure_totals',
    sa.Column('measure_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('cents', sa.BigInteger(), nullable=False),
    sa.Column('amounts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_totals_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'kind', 'version', name=op.f('pk_measure_totals'))
    )
    op.create_table('node_period_totals',
    sa.Column('node_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('cents', sa.BigInteger(), nullable=False),
    sa.Column('amounts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], name=op.f('fk_node_period_totals_node_id_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('node_id', 'version', 'period', name=op.f('pk_node_period_totals'))
    )
    # Databases that already hold amounts get their sums now.
    from steerco.services.value.totals import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('node_period_totals')
    op.drop_table('measure_totals')
