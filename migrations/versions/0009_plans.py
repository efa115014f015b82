"""milestones from project plans: planned start, baseline, actual start, % complete, removed; the imported plans

Revision ID: 0009
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


When = sa.DateTime(timezone=True)

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('measure_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('application', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', When, nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('tasks', sa.JSON(), nullable=False),
    sa.Column('task_count', sa.Integer(), nullable=False),
    sa.Column('slips_reported', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_plans_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_plans')),
    sa.UniqueConstraint('measure_id', 'source', name='uq_measure_plans_measure_source')
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('baseline_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('baseline_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('percent_complete', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_column('removed_on')
        batch_op.drop_column('percent_complete')
        batch_op.drop_column('started_on')
        batch_op.drop_column('baseline_due')
        batch_op.drop_column('baseline_start')
        batch_op.drop_column('start_date')

    op.drop_table('measure_plans')
