"""evidence in a connector's document store: where the file lives and the version seen at submission

Revision ID: 0010
Revises: 0009

Existing evidence keeps ``store`` NULL: it stays in the instance folder.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = (
    ("store", sa.String(length=64)),
    ("item_id", sa.String(length=400)),
    ("web_url", sa.String(length=2000)),
    ("etag", sa.String(length=400)),
    ("remote_hash", sa.String(length=200)),
    ("current_etag", sa.String(length=400)),
    ("current_hash", sa.String(length=200)),
    ("problem", sa.String(length=500)),
    ("checked_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table('evidence') as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evidence') as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
