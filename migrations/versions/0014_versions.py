"""versions of editable objects: a write based on a stale version is refused

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COLUMNS = (
    ('nodes', 'version'),
    ('measure_types', 'version'),
    ('measures', 'value_version'),
    ('risks', 'version'),
    ('model_drafts', 'version'),
    ('connector_configs', 'version'),
    ('trigger_sources', 'version'),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
