"""communities of practice, priority rounds, evidence behind change ideas, research needs (issue 20)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:44:04.897452

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('collaborative_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaborative_id'], ['collaborative.id'], name=op.f('fk_community_collaborative_id_collaborative'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_community_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community')),
    sa.UniqueConstraint('name', name=op.f('uq_community_name')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_collaborative_id'), ['collaborative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('community_evaluation_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('interviews', sa.Integer(), nullable=False),
    sa.Column('who_was_interviewed', sa.String(length=5000), nullable=False),
    sa.Column('findings', sa.String(length=5000), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('interviews >= 0', name=op.f('ck_community_evaluation_note_interviews_not_negative')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_community_evaluation_note_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_community_evaluation_note_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_evaluation_note')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community_evaluation_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_evaluation_note_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_evaluation_note_community_id'), ['community_id'], unique=False)

    op.create_table('community_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.String(length=5000), nullable=False),
    sa.Column('notes', sa.String(length=5000), nullable=False),
    sa.Column('guests', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_community_meeting_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_community_meeting_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_meeting')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_meeting_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_meeting_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_meeting_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('community_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('role', sa.Enum('facilitator', 'member', 'research_partner', name='community_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_community_member_left_after_joining')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_community_member_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_community_member_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_member')),
    sa.UniqueConstraint('community_id', 'user_id', name=op.f('uq_community_member_community_id_user_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_member_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_member_user_id'), ['user_id'], unique=False)

    op.create_table('community_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('note', sa.String(length=5000), nullable=False),
    sa.Column('evidence_kind', sa.Enum('research', 'practice_knowledge', 'lived_experience', name='evidence_kind', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(url) > 0 OR length(note) > 0', name=op.f('ck_community_resource_link_or_note')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_community_resource_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_community_resource_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_resource')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_resource_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_resource_community_id'), ['community_id'], unique=False)

    op.create_table('priority_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaborative_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.String(length=5000), nullable=False),
    sa.Column('event_name', sa.String(length=200), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=True),
    sa.Column('stage', sa.Enum('collecting', 'theming', 'voting', 'closed', name='round_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('voting_method', sa.Enum('dots', 'ranking', name='voting_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('dots_per_person', sa.Integer(), nullable=False),
    sa.Column('max_dots_per_theme', sa.Integer(), nullable=False),
    sa.Column('ranks_per_person', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(collaborative_id IS NULL) != (community_id IS NULL)', name=op.f('ck_priority_round_one_owner')),
    sa.CheckConstraint('dots_per_person BETWEEN 1 AND 20', name=op.f('ck_priority_round_dots_per_person_range')),
    sa.CheckConstraint('max_dots_per_theme BETWEEN 1 AND dots_per_person', name=op.f('ck_priority_round_max_dots_per_theme_range')),
    sa.CheckConstraint('ranks_per_person BETWEEN 1 AND 10', name=op.f('ck_priority_round_ranks_per_person_range')),
    sa.ForeignKeyConstraint(['collaborative_id'], ['collaborative.id'], name=op.f('fk_priority_round_collaborative_id_collaborative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_priority_round_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_priority_round_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_round')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('priority_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_round_collaborative_id'), ['collaborative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_round_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_round_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('community_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('progress_note', sa.String(length=5000), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_community_action_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meeting.id'], name=op.f('fk_community_action_meeting_id_community_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_community_action_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_action')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('community_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_action_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_action_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_action_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_action_status'), ['status'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_community_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_member.id'], name=op.f('fk_meeting_attendance_member_id_community_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'member_id', name=op.f('pk_meeting_attendance'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('listened_to', sa.Enum('yes', 'partly', 'no', name='listened_to', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('learned_something', sa.Enum('yes', 'partly', 'no', name='learned_something', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('will_use', sa.Enum('yes', 'partly', 'no', name='will_use', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('comment', sa.String(length=5000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_meeting_feedback_entered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meeting.id'], name=op.f('fk_meeting_feedback_meeting_id_community_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_feedback_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_feedback')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_feedback_meeting_id_user_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('meeting_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_feedback_entered_by_id'), ['entered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_feedback_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_feedback_user_id'), ['user_id'], unique=False)

    op.create_table('round_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['priority_round.id'], name=op.f('fk_round_participant_round_id_priority_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_round_participant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_participant')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_round_participant_round_id_user_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('round_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_participant_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_participant_user_id'), ['user_id'], unique=False)

    op.create_table('priority_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('aim_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['aim_id'], ['aim.id'], name=op.f('fk_priority_theme_aim_id_aim'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_priority_theme_community_id_community'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_priority_theme_measure_id_measure'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['priority_round.id'], name=op.f('fk_priority_theme_round_id_priority_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_theme')),
    sa.UniqueConstraint('round_id', 'name', name=op.f('uq_priority_theme_round_id_name')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('priority_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_theme_aim_id'), ['aim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_theme_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_theme_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_theme_round_id'), ['round_id'], unique=False)

    op.create_table('idea_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('change_idea_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('research', 'practice_knowledge', 'lived_experience', name='evidence_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('account', sa.String(length=5000), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(source) > 0 OR length(account) > 0', name=op.f('ck_idea_evidence_source_or_account')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_idea_evidence_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['change_idea_id'], ['change_idea.id'], name=op.f('fk_idea_evidence_change_idea_id_change_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_idea_evidence_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_evidence')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('idea_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_evidence_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_evidence_change_idea_id'), ['change_idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_evidence_team_id'), ['team_id'], unique=False)

    op.create_table('priority_idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=5000), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.Enum('online', 'event', name='idea_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['priority_round.id'], name=op.f('fk_priority_idea_round_id_priority_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_priority_idea_submitted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['priority_theme.id'], name=op.f('fk_priority_idea_theme_id_priority_theme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_idea')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('priority_idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_idea_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_idea_submitted_by_id'), ['submitted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_idea_theme_id'), ['theme_id'], unique=False)

    op.create_table('priority_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(dots IS NULL) != (rank IS NULL) AND (dots IS NULL OR dots >= 1) AND (rank IS NULL OR rank >= 1)', name=op.f('ck_priority_vote_dots_or_rank')),
    sa.ForeignKeyConstraint(['round_id'], ['priority_round.id'], name=op.f('fk_priority_vote_round_id_priority_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['priority_theme.id'], name=op.f('fk_priority_vote_theme_id_priority_theme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_priority_vote_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_vote')),
    sa.UniqueConstraint('round_id', 'user_id', 'rank', name=op.f('uq_priority_vote_round_id_user_id_rank')),
    sa.UniqueConstraint('theme_id', 'user_id', name=op.f('uq_priority_vote_theme_id_user_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('priority_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_vote_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_vote_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_vote_user_id'), ['user_id'], unique=False)

    op.create_table('research_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=5000), nullable=False),
    sa.Column('background', sa.String(length=5000), nullable=False),
    sa.Column('raised_by', sa.String(length=200), nullable=False),
    sa.Column('raised_by_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('shared_by', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'taken_up', 'answered', name='need_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('response', sa.String(length=5000), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('shared_by >= 1', name=op.f('ck_research_need_shared_by_positive')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_research_need_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_research_need_cycle_id_cycle'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user_account.id'], name=op.f('fk_research_need_logged_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meeting.id'], name=op.f('fk_research_need_meeting_id_community_meeting'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_need')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('research_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_need_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_need_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_need_logged_by_id'), ['logged_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_need_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_need_status'), ['status'], unique=False)

    op.create_table('research_need_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('expert_by_experience', 'carer', 'frontline_practitioner', 'manager', 'statutory_service', 'provider', 'voluntary_sector', 'academia', 'not_said', name='stakeholder_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['research_need.id'], name=op.f('fk_research_need_vote_need_id_research_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_research_need_vote_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_need_vote')),
    sa.UniqueConstraint('need_id', 'user_id', name=op.f('uq_research_need_vote_need_id_user_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('research_need_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_need_vote_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_need_vote_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('research_need_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_need_vote_user_id'))
        batch_op.drop_index(batch_op.f('ix_research_need_vote_need_id'))

    op.drop_table('research_need_vote')
    with op.batch_alter_table('research_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_need_status'))
        batch_op.drop_index(batch_op.f('ix_research_need_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_research_need_logged_by_id'))
        batch_op.drop_index(batch_op.f('ix_research_need_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_research_need_community_id'))

    op.drop_table('research_need')
    with op.batch_alter_table('priority_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_vote_user_id'))
        batch_op.drop_index(batch_op.f('ix_priority_vote_theme_id'))
        batch_op.drop_index(batch_op.f('ix_priority_vote_round_id'))

    op.drop_table('priority_vote')
    with op.batch_alter_table('priority_idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_idea_theme_id'))
        batch_op.drop_index(batch_op.f('ix_priority_idea_submitted_by_id'))
        batch_op.drop_index(batch_op.f('ix_priority_idea_round_id'))

    op.drop_table('priority_idea')
    with op.batch_alter_table('idea_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_evidence_team_id'))
        batch_op.drop_index(batch_op.f('ix_idea_evidence_change_idea_id'))
        batch_op.drop_index(batch_op.f('ix_idea_evidence_added_by_id'))

    op.drop_table('idea_evidence')
    with op.batch_alter_table('priority_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_theme_round_id'))
        batch_op.drop_index(batch_op.f('ix_priority_theme_measure_id'))
        batch_op.drop_index(batch_op.f('ix_priority_theme_community_id'))
        batch_op.drop_index(batch_op.f('ix_priority_theme_aim_id'))

    op.drop_table('priority_theme')
    with op.batch_alter_table('round_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_participant_user_id'))
        batch_op.drop_index(batch_op.f('ix_round_participant_round_id'))

    op.drop_table('round_participant')
    with op.batch_alter_table('meeting_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_feedback_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_feedback_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_feedback_entered_by_id'))

    op.drop_table('meeting_feedback')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_member_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('community_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_action_status'))
        batch_op.drop_index(batch_op.f('ix_community_action_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_community_action_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_community_action_community_id'))

    op.drop_table('community_action')
    with op.batch_alter_table('priority_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_round_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_priority_round_community_id'))
        batch_op.drop_index(batch_op.f('ix_priority_round_collaborative_id'))

    op.drop_table('priority_round')
    with op.batch_alter_table('community_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_resource_community_id'))
        batch_op.drop_index(batch_op.f('ix_community_resource_added_by_id'))

    op.drop_table('community_resource')
    with op.batch_alter_table('community_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_community_member_community_id'))

    op.drop_table('community_member')
    with op.batch_alter_table('community_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_meeting_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_community_meeting_held_on'))
        batch_op.drop_index(batch_op.f('ix_community_meeting_community_id'))

    op.drop_table('community_meeting')
    with op.batch_alter_table('community_evaluation_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_evaluation_note_community_id'))
        batch_op.drop_index(batch_op.f('ix_community_evaluation_note_added_by_id'))

    op.drop_table('community_evaluation_note')
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_community_collaborative_id'))

    op.drop_table('community')
