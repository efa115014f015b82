"""Join the value, rights, connectors and UI branches into one line of history.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
"""

revision = '0006'
down_revision = ('0002', '0003', '0004', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The four areas' tables are independent; only the history needs joining.
    pass


def downgrade() -> None:
    pass
