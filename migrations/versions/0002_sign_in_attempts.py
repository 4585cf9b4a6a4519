"""sign-in attempts, so every worker throttles the same wrong passwords

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 15:46:02.877470

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt'))
    )
    # Counting one account's attempts in the window, and pruning every old attempt.
    op.create_index('ix_sign_in_attempt_account', 'sign_in_attempt', ['account_key', 'attempted_at'], unique=False)
    op.create_index(op.f('ix_sign_in_attempt_attempted_at'), 'sign_in_attempt', ['attempted_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sign_in_attempt_attempted_at'), table_name='sign_in_attempt')
    op.drop_index('ix_sign_in_attempt_account', table_name='sign_in_attempt')
    op.drop_table('sign_in_attempt')
