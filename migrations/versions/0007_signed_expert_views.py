"""experts by experience's views signed, dated and kept one per expert (issue 17, point 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00.000000

Each cycle had one unsigned box per stage for an expert's view, so a second expert's words
replaced the first's. The views move to their own table, one per expert, cycle and kind; those
written before are kept there unsigned (no author), dated when their cycle last changed.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KIND = sa.Enum(
    'what_matters', 'difference', name='expert_view_kind', native_enum=False,
    create_constraint=True, length=32,
)
MOVED = (('expert_what_matters', 'what_matters'), ('expert_difference', 'difference'))
# Dropping a plain column is an ALTER TABLE on SQLite too (3.35 and later), as in 0005.
IN_PLACE = 'never'


def upgrade():
    op.create_table('expert_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', KIND, nullable=False),
    sa.Column('body', sa.String(length=5000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_expert_view_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_expert_view_cycle_id_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_expert_view_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_view')),
    sa.UniqueConstraint('cycle_id', 'author_id', 'kind', name=op.f('uq_expert_view_cycle_id_author_id_kind')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('expert_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_view_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_view_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_view_team_id'), ['team_id'], unique=False)
    for column, kind in MOVED:
        op.execute(sa.text(
            "INSERT INTO expert_view (team_id, cycle_id, author_id, kind, body, created_at,"
            f" updated_at, version) SELECT team_id, id, NULL, '{kind}', {column}, updated_at,"
            f" updated_at, 1 FROM cycle WHERE {column} <> ''"
        ))
    with op.batch_alter_table('cycle', schema=None, recreate=IN_PLACE) as batch_op:
        for column, _ in MOVED:
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('cycle', schema=None, recreate=IN_PLACE) as batch_op:
        for column, _ in MOVED:
            batch_op.add_column(sa.Column(column, sa.String(length=5000), server_default='', nullable=False))
    # Back in one box per stage: the latest view of each kind (the others cannot fit).
    for column, kind in MOVED:
        op.execute(sa.text(
            f"UPDATE cycle SET {column} = (SELECT body FROM expert_view v WHERE v.cycle_id ="
            f" cycle.id AND v.kind = '{kind}' ORDER BY v.updated_at DESC, v.id DESC LIMIT 1)"
            f" WHERE EXISTS (SELECT 1 FROM expert_view v WHERE v.cycle_id = cycle.id AND"
            f" v.kind = '{kind}')"
        ))
    with op.batch_alter_table('expert_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_view_team_id'))
        batch_op.drop_index(batch_op.f('ix_expert_view_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_expert_view_author_id'))
    op.drop_table('expert_view')
