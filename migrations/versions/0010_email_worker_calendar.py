"""email outbox, report reminders, phones and mail choices, meeting times, calendar links (issue 18)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Adding and dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later), as in 0005.
IN_PLACE = 'never'

OUTBOX_STATUS = sa.Enum(
    'queued', 'sending', 'sent', 'failed', name='outbox_status', native_enum=False,
    create_constraint=True, length=32,
)
REMINDER_KIND = sa.Enum(
    'due', 'late', 'by_coordinator', name='reminder_kind', native_enum=False,
    create_constraint=True, length=32,
)


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('status', OUTBOX_STATUS, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_outbox_message_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_message_dedupe_key')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('report_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('kind', REMINDER_KIND, nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_report_reminder_sent_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_report_reminder_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_reminder')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('report_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_reminder_sent_by_id'), ['sent_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_reminder_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), server_default='', nullable=False))
        # Everyone gets reminders until they say otherwise on their account page.
        batch_op.add_column(sa.Column('wants_reminder_email', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('collaborative_phase', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=True))
    with op.batch_alter_table('collaborative', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_collaborative_calendar_token'), ['calendar_token'], unique=True)


def downgrade():
    with op.batch_alter_table('collaborative', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaborative_calendar_token'))
        batch_op.drop_column('calendar_token')
    with op.batch_alter_table('collaborative_phase', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.drop_column('end_time')
        batch_op.drop_column('start_time')
    with op.batch_alter_table('user_account', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.drop_column('wants_reminder_email')
        batch_op.drop_column('phone')
    with op.batch_alter_table('report_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_reminder_team_id'))
        batch_op.drop_index(batch_op.f('ix_report_reminder_sent_by_id'))
    op.drop_table('report_reminder')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_kind'))
    op.drop_table('outbox_message')
