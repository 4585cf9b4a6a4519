"""rare events: a measure may record the dates of events, charted as g and t charts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

KINDS = ('continuous', 'count', 'proportion', 'rate')
CHARTS = ('run', 'i', 'mr', 'p', 'u', 'c')


def _allowed(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _replace_checks(kinds, charts):
    # The enums are VARCHAR columns with a named CHECK (improve.models.base.enum_column): the
    # check is replaced; on SQLite the table is copied with it, keeping every other constraint
    # and AUTOINCREMENT (revision 0004: ids are never reused).
    with op.batch_alter_table(
        'measure', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(op.f('ck_measure_value_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_measure_chart_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_measure_value_kind'), _allowed('value_kind', kinds))
        batch_op.create_check_constraint(op.f('ck_measure_chart_type'), _allowed('chart_type', charts))


def upgrade():
    _replace_checks(KINDS + ('events',), CHARTS + ('g', 't'))


def downgrade():
    # Below this revision there are no dates of events: such a measure becomes a count on a run
    # chart, its rows kept (each day's number of events), so going back up loses nothing saved.
    op.execute("UPDATE measure SET chart_type = 'run' WHERE chart_type IN ('g', 't')")
    op.execute("UPDATE measure SET value_kind = 'count' WHERE value_kind = 'events'")
    _replace_checks(KINDS, CHARTS)
