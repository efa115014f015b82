"""session cookies revoked by logout, a new password or deactivation

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('username', sa.String(length=128), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_login_sessions')),
    )


def downgrade() -> None:
    op.drop_table('login_sessions')
