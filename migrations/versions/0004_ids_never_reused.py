"""ids are never reused on SQLite (AUTOINCREMENT), and audit rows name their measure and period

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Without AUTOINCREMENT SQLite gives the highest id, once its row is deleted, to the next row: a
# history link or audit row naming the old record would then name another team's. PostgreSQL's
# sequences never reuse an id, so only SQLite's tables are recreated (env.py turns its foreign
# keys off meanwhile, so dropping the old table cascades nowhere).
TABLES = (
    'audit_event', 'collaborative', 'sign_in_attempt', 'user_account', 'collaborative_phase',
    'panel_review', 'team', 'aim', 'evaluation', 'membership', 'monthly_report',
    'aim_assessment', 'driver', 'measure', 'progress_score', 'change_idea', 'data_point',
    'measure_revision', 'ramp', 'cycle', 'comment', 'cycle_question', 'cycle_task',
    'used_submission',
)

# Rows written before this revision: their measure and period, where the record still exists and
# still belongs to the team or collaborative the row was filed under.
BACKFILL = (
    """UPDATE audit_event SET measure_id = entity_id
    WHERE entity_type = 'Measure' AND EXISTS (
        SELECT 1 FROM measure WHERE measure.id = audit_event.entity_id
        AND measure.collaborative_id = audit_event.collaborative_id)""",
    """UPDATE audit_event SET measure_id = (
        SELECT measure_id FROM measure_revision WHERE measure_revision.id = audit_event.entity_id)
    WHERE entity_type = 'MeasureRevision'""",
    """UPDATE audit_event SET
        measure_id = (SELECT measure_id FROM data_point WHERE data_point.id = audit_event.entity_id
            AND data_point.team_id = audit_event.team_id),
        period_start = (SELECT period_start FROM data_point
            WHERE data_point.id = audit_event.entity_id AND data_point.team_id = audit_event.team_id)
    WHERE entity_type = 'DataPoint'""",
)


def _recreate(autoincrement):
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_measure_id'), ['measure_id'], unique=False)
    for statement in BACKFILL:
        op.execute(statement)
    _recreate(True)


def downgrade():
    _recreate(False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_measure_id'))
        batch_op.drop_column('period_start')
        batch_op.drop_column('measure_id')
