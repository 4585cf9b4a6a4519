"""used form submissions, so a double click or a resubmitted form saves once

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('form_digest', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_used_submission_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_submission')),
    sa.UniqueConstraint('user_id', 'token', name=op.f('uq_used_submission_user_id_token'))
    )
    # Pruning every row older than a day.
    op.create_index(op.f('ix_used_submission_created_at'), 'used_submission', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_used_submission_created_at'), table_name='used_submission')
    op.drop_table('used_submission')
