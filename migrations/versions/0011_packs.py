"""steering-committee packs: the snapshot, its hashes and each measure's forecast

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('built_by', sa.String(length=128), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pptx_sha256', sa.String(length=64), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['nodes.id'], name=op.f('fk_packs_node_id_nodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packs')),
    sa.UniqueConstraint('node_id', 'period', 'number', name='uq_packs_node_period_number')
    )
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packs_node_id'), ['node_id'], unique=False)

    op.create_table('pack_measures',
    sa.Column('pack_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('measure_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('in_year_cents', sa.BigInteger(), nullable=False),
    sa.Column('later_cents', sa.BigInteger(), nullable=False),
    sa.Column('killed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_pack_measures_measure_id_measures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pack_id'], ['packs.id'], name=op.f('fk_pack_measures_pack_id_packs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pack_id', 'measure_id', name=op.f('pk_pack_measures'))
    )


def downgrade() -> None:
    op.drop_table('pack_measures')
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packs_node_id'))

    op.drop_table('packs')
