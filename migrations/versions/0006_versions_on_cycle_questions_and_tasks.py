"""a version on cycle questions and tasks, so removing one answers for the one the person saw

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('cycle_question', 'cycle_task')
# Adding and dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later), as in 0005.
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
