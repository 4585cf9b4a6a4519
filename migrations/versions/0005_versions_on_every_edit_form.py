"""a version on accounts, calendar phases, memberships and progress scores, so every edit form
can refuse a save over someone else's

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('user_account', 'collaborative_phase', 'membership', 'progress_score')
# Adding and dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later). Recreating
# the table instead would drop user_account with foreign keys on, and the cascade would empty
# membership and the other tables that point at it.
IN_PLACE = 'never'


def upgrade():
    # Existing rows start at version 1, as new rows do; the default stays for rows written by hand.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate=IN_PLACE) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None, recreate=IN_PLACE) as batch_op:
            batch_op.drop_column('version')
