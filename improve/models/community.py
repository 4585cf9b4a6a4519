"""Communities of practice (issue 20): their members tagged by stakeholder group, meetings with
attendance and actions, shared resources, research needs, and their evaluation."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from improve.models.base import (
    LONG_TEXT,
    SHORT_TEXT,
    Base,
    TimestampMixin,
    VersionedMixin,
    enum_column,
)
from improve.models.report import ActionStatus

URL_LENGTH = 2000


class StakeholderGroup(enum.StrEnum):
    """Who someone is in a partnership. Results, attendance and feedback are counted by these,
    so people who draw on care are never outnumbered unseen."""

    EXPERT_BY_EXPERIENCE = "expert_by_experience"
    CARER = "carer"
    FRONTLINE_PRACTITIONER = "frontline_practitioner"
    MANAGER = "manager"
    STATUTORY_SERVICE = "statutory_service"
    PROVIDER = "provider"
    VOLUNTARY_SECTOR = "voluntary_sector"
    ACADEMIA = "academia"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        return STAKEHOLDER_GROUP_LABELS[self]


STAKEHOLDER_GROUP_LABELS = {
    StakeholderGroup.EXPERT_BY_EXPERIENCE: "Person who draws on care",
    StakeholderGroup.CARER: "Carer",
    StakeholderGroup.FRONTLINE_PRACTITIONER: "Frontline practitioner",
    StakeholderGroup.MANAGER: "Manager",
    StakeholderGroup.STATUTORY_SERVICE: "Statutory service (council or NHS)",
    StakeholderGroup.PROVIDER: "Care provider",
    StakeholderGroup.VOLUNTARY_SECTOR: "Voluntary or community sector",
    StakeholderGroup.ACADEMIA: "Academic or researcher",
    StakeholderGroup.NOT_SAID: "Prefer not to say",
}
# People who draw on care and carers: "experts by experience" (DOMAIN.md section 7).
LIVED_EXPERIENCE_GROUPS = (StakeholderGroup.EXPERT_BY_EXPERIENCE, StakeholderGroup.CARER)


class CommunityRole(enum.StrEnum):
    FACILITATOR = "facilitator"  # runs the CoP: members, meetings, actions, rounds, evaluation
    MEMBER = "member"  # takes part: feedback, resources, research needs, priority rounds
    # An academic research partner: reads the research needs and the meetings, no team data.
    RESEARCH_PARTNER = "research_partner"

    @property
    def label(self) -> str:
        return COMMUNITY_ROLE_LABELS[self]


COMMUNITY_ROLE_LABELS = {
    CommunityRole.FACILITATOR: "Facilitator",
    CommunityRole.MEMBER: "Member",
    CommunityRole.RESEARCH_PARTNER: "Research partner",
}


class EvidenceKind(enum.StrEnum):
    """The three kinds of evidence, each valuable in its own right."""

    RESEARCH = "research"
    PRACTICE_KNOWLEDGE = "practice_knowledge"
    LIVED_EXPERIENCE = "lived_experience"

    @property
    def label(self) -> str:
        return EVIDENCE_KIND_LABELS[self]


EVIDENCE_KIND_LABELS = {
    EvidenceKind.RESEARCH: "Research",
    EvidenceKind.PRACTICE_KNOWLEDGE: "Practice knowledge",
    EvidenceKind.LIVED_EXPERIENCE: "Lived experience",
}


class Community(TimestampMixin, VersionedMixin, Base):
    """A community of practice: people from every stakeholder group meeting around one theme."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), unique=True)
    theme: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    # The collaborative (partnership) it grew from, if any: its research needs may come from that
    # collaborative's teams, and its coordinator may start it from a priority theme.
    collaborative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="SET NULL"), index=True
    )
    started_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<Community {self.id} {self.name!r}>"


class CommunityMember(TimestampMixin, VersionedMixin, Base):
    """One person in a CoP. Many members never sign in (they come to meetings): user_id is null
    for them, and they are still counted in attendance and membership by group."""

    __tablename__ = "community_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    organisation: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    role: Mapped[CommunityRole] = mapped_column(
        enum_column(CommunityRole, "community_role"), default=CommunityRole.MEMBER
    )
    joined_on: Mapped[date]
    # Set when someone leaves: membership over time counts them until then; their attendance stays.
    left_on: Mapped[date | None]

    community: Mapped[Community] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("community_id", "user_id"),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joining"),
    )


# Who came to a meeting: members present. Guests who are not members are counted by group.
meeting_attendance = sa.Table(
    "meeting_attendance",
    Base.metadata,
    sa.Column(
        "meeting_id", sa.ForeignKey("community_meeting.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "member_id",
        sa.ForeignKey("community_member.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class CommunityMeeting(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "community_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    agenda: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    notes: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    # People who came but are not members, by stakeholder group: {"carer": 2, ...}.
    guests: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    community: Mapped[Community] = relationship()
    attendees: Mapped[list[CommunityMember]] = relationship(
        secondary=meeting_attendance, order_by="CommunityMember.name"
    )


class CommunityAction(TimestampMixin, VersionedMixin, Base):
    """An action agreed at a meeting; while open it is carried to every later meeting."""

    __tablename__ = "community_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_meeting.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    # Free text: the owner may have no account.
    owner: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    progress_note: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    meeting: Mapped[CommunityMeeting] = relationship()


class CommunityResource(TimestampMixin, VersionedMixin, Base):
    """A link or a note shared with the CoP (no file uploads)."""

    __tablename__ = "community_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    url: Mapped[str] = mapped_column(sa.String(URL_LENGTH), default="")
    note: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    evidence_kind: Mapped[EvidenceKind | None] = mapped_column(
        enum_column(EvidenceKind, "evidence_kind")
    )
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        sa.CheckConstraint("length(url) > 0 OR length(note) > 0", name="link_or_note"),
    )


class Agreement(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "partly": "Partly", "no": "No"}[self.value]


class MeetingFeedback(TimestampMixin, Base):
    """The short form after a meeting. Who answered is kept only so a person answers once; the
    answers are shown as counts by stakeholder group, never by name. A facilitator may type in
    a paper form (user_id null, entered_by_id set)."""

    __tablename__ = "meeting_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community_meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    listened_to: Mapped[Agreement] = mapped_column(enum_column(Agreement, "listened_to"))
    learned_something: Mapped[Agreement] = mapped_column(
        enum_column(Agreement, "learned_something")
    )
    will_use: Mapped[Agreement] = mapped_column(enum_column(Agreement, "will_use"))
    comment: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)


class EvaluationNote(TimestampMixin, VersionedMixin, Base):
    """Interview-based evaluation of the CoP: who was interviewed, how many, what was found."""

    __tablename__ = "community_evaluation_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    written_on: Mapped[date]
    interviews: Mapped[int] = mapped_column(default=0)
    who_was_interviewed: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    findings: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (sa.CheckConstraint("interviews >= 0", name="interviews_not_negative"),)


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    TAKEN_UP = "taken_up"  # a research partner is working on it
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        return {"open": "Open", "taken_up": "Taken up by research", "answered": "Answered"}[
            self.value
        ]


class ResearchNeed(TimestampMixin, VersionedMixin, Base):
    """A question practice wants research to answer, raised at a CoP meeting or in a team's
    Study stage, kept by the CoP for its research partners."""

    __tablename__ = "research_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    background: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    # Who raised it: a name as said in the room (may have no account), and their group.
    raised_by: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    raised_by_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    # How many people in the room share the question (votes online are counted apart).
    shared_by: Mapped[int] = mapped_column(default=1)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community_meeting.id", ondelete="SET NULL"), index=True
    )
    # A team's cycle whose Study stage raised it: shown only to people who may see that team.
    cycle_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cycle.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "need_status"), default=NeedStatus.OPEN, index=True
    )
    response: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    logged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (sa.CheckConstraint("shared_by >= 1", name="shared_by_positive"),)


class ResearchNeedVote(TimestampMixin, Base):
    """One person's vote for a research need, with their group, so results show who wants it."""

    __tablename__ = "research_need_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("research_need.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )

    __table_args__ = (sa.UniqueConstraint("need_id", "user_id"),)


class IdeaEvidence(TimestampMixin, VersionedMixin, Base):
    """One piece of evidence behind a team's change idea: research, practice knowledge or lived
    experience, with its source or a short account."""

    __tablename__ = "idea_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the idea's aim so every query can be scoped by team directly.
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    change_idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("change_idea.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    source: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    account: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        sa.CheckConstraint("length(source) > 0 OR length(account) > 0", name="source_or_account"),
    )
