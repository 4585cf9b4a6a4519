"""panel actions, reviews marked held, personal access tokens for the API (issue 19)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Adding and dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later), as in 0005.
IN_PLACE = 'never'

ACTION_STATUS = sa.Enum(
    'open', 'in_progress', 'done', 'dropped', name='action_status', native_enum=False,
    create_constraint=True, length=32,
)


def upgrade():
    # Reviews recorded before this change were all of meetings that had happened.
    with op.batch_alter_table('panel_review', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('is_held', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table('panel_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaborative_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', ACTION_STATUS, nullable=False),
    sa.Column('progress_note', sa.String(length=5000), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaborative_id'], ['collaborative.id'], name=op.f('fk_panel_action_collaborative_id_collaborative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['panel_review.id'], name=op.f('fk_panel_action_review_id_panel_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_panel_action_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_action')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('panel_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_action_collaborative_id'), ['collaborative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_action_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_action_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_action_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_token_secret_hash')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')
    with op.batch_alter_table('panel_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_action_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_panel_action_status'))
        batch_op.drop_index(batch_op.f('ix_panel_action_review_id'))
        batch_op.drop_index(batch_op.f('ix_panel_action_collaborative_id'))
    op.drop_table('panel_action')
    with op.batch_alter_table('panel_review', schema=None, recreate=IN_PLACE) as batch_op:
        batch_op.drop_column('is_held')
