"""a measure's target may be reached step by step (a trajectory line from the baseline)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Adding and dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later), as in 0005.
IN_PLACE = 'never'


def upgrade():
    # Existing measures keep one level of target, as before.
    with op.batch_alter_table('measure', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.add_column(
            sa.Column('target_trajectory', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('measure', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.drop_column('target_trajectory')
