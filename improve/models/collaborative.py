"""Collaboratives, their phases, their teams, and who belongs where in which role."""

from __future__ import annotations

import enum
from datetime import date, time
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from improve.models.user import User


class Role(enum.StrEnum):
    """A person's role in one collaborative or one team. Site admins are User.is_admin instead."""

    COORDINATOR = "coordinator"
    PANEL_MEMBER = "panel_member"
    TEAM_LEAD = "team_lead"
    TEAM_MEMBER = "team_member"
    EXPERT_BY_EXPERIENCE = "expert_by_experience"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_team_role(self) -> bool:
        return self in TEAM_ROLES


ROLE_LABELS = {
    Role.COORDINATOR: "Coordinator",
    Role.PANEL_MEMBER: "Strategic panel member",
    Role.TEAM_LEAD: "Team lead",
    Role.TEAM_MEMBER: "Team member",
    Role.EXPERT_BY_EXPERIENCE: "Expert by experience",
}
COLLABORATIVE_ROLES = (Role.COORDINATOR, Role.PANEL_MEMBER)
TEAM_ROLES = (Role.TEAM_LEAD, Role.TEAM_MEMBER, Role.EXPERT_BY_EXPERIENCE)


class RunChartRules(enum.StrEnum):
    ANHOEJ = "anhoej"
    IHI = "ihi"


class SigmaMethod(enum.StrEnum):
    CLASSIC = "classic"  # x̄ ± 3·MR̄/1.128, as qicharts2
    NHS = "nhs"  # x̄ ± 2.66·MR̄, as NHS Making Data Count


class ReportingCadence(enum.StrEnum):
    MONTHLY = "monthly"
    FORTNIGHTLY = "fortnightly"
    QUARTERLY = "quarterly"


# IHI assessment scale as Life QI publishes it (DOMAIN.md section 6); each collaborative may
# relabel it.
DEFAULT_PROGRESS_LABELS: dict[str, str] = {
    "0.5": "Intent to participate",
    "1.0": "Charter and team established",
    "1.5": "Planning for the project has begun",
    "2.0": "Activity, but no changes",
    "2.5": "Changes tested, but no improvement",
    "3.0": "Modest improvement",
    "3.5": "Improvement",
    "4.0": "Significant improvement",
    "4.5": "Sustainable improvement",
    "5.0": "Outstanding sustainable results",
}


def default_progress_labels() -> dict[str, str]:
    return dict(DEFAULT_PROGRESS_LABELS)


class Collaborative(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "collaborative"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), unique=True)
    topic: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Analysis settings: the published tools differ, so each collaborative chooses (DOMAIN.md 4-5).
    run_chart_rules: Mapped[RunChartRules] = mapped_column(
        enum_column(RunChartRules, "run_chart_rules"), default=RunChartRules.ANHOEJ
    )
    sigma_method: Mapped[SigmaMethod] = mapped_column(
        enum_column(SigmaMethod, "sigma_method"), default=SigmaMethod.CLASSIC
    )
    shift_length: Mapped[int] = mapped_column(default=7)
    trend_length: Mapped[int] = mapped_column(default=7)
    screen_outliers: Mapped[bool] = mapped_column(default=False)
    reporting_cadence: Mapped[ReportingCadence] = mapped_column(
        enum_column(ReportingCadence, "reporting_cadence"), default=ReportingCadence.MONTHLY
    )
    report_due_day: Mapped[int] = mapped_column(default=10)  # day of the following month
    stall_weeks: Mapped[int] = mapped_column(default=6)
    suppression_threshold: Mapped[int] = mapped_column(default=5)
    progress_labels: Mapped[dict[str, Any]] = mapped_column(
        sa.JSON, default=default_progress_labels
    )
    # The secret part of the private calendar feed's address; a new one revokes the old link.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    teams: Mapped[list[Team]] = relationship(
        back_populates="collaborative", order_by="Team.name", passive_deletes=True
    )
    phases: Mapped[list[CollaborativePhase]] = relationship(
        back_populates="collaborative",
        order_by="CollaborativePhase.starts_on",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("shift_length BETWEEN 5 AND 12", name="shift_length_range"),
        sa.CheckConstraint("trend_length BETWEEN 5 AND 12", name="trend_length_range"),
        sa.CheckConstraint("report_due_day BETWEEN 1 AND 28", name="report_due_day_range"),
        sa.CheckConstraint("stall_weeks BETWEEN 1 AND 52", name="stall_weeks_range"),
        sa.CheckConstraint(
            "suppression_threshold BETWEEN 0 AND 100", name="suppression_threshold_range"
        ),
    )

    def __repr__(self) -> str:
        return f"<Collaborative {self.id} {self.name!r}>"


class PhaseKind(enum.StrEnum):
    """The IHI Breakthrough Series structure, plus SCIE's senior-manager meetings."""

    PREWORK = "prework"
    START_MEETING = "start_meeting"
    LEARNING_SESSION = "learning_session"
    ACTION_PERIOD = "action_period"
    END_MEETING = "end_meeting"
    DISSEMINATION = "dissemination"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    PhaseKind.PREWORK: "Prework",
    PhaseKind.START_MEETING: "Senior managers' start meeting (aims)",
    PhaseKind.LEARNING_SESSION: "Learning session",
    PhaseKind.ACTION_PERIOD: "Action period",
    PhaseKind.END_MEETING: "Senior managers' end meeting (outcomes)",
    PhaseKind.DISSEMINATION: "Sharing the learning",
}


class CollaborativePhase(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "collaborative_phase"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PhaseKind] = mapped_column(enum_column(PhaseKind, "phase_kind"))
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    # Local (UK) clock times of a meeting; a phase without them lasts whole days.
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    notes: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")

    collaborative: Mapped[Collaborative] = relationship(back_populates="phases")

    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )


class OrganisationKind(enum.StrEnum):
    COUNCIL = "council"
    CARE_HOME = "care_home"
    HOME_CARE = "home_care"
    VOLUNTARY = "voluntary"
    NHS = "nhs"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.COUNCIL: "Council",
    OrganisationKind.CARE_HOME: "Care home",
    OrganisationKind.HOME_CARE: "Home care",
    OrganisationKind.VOLUNTARY: "Voluntary sector",
    OrganisationKind.NHS: "NHS",
    OrganisationKind.OTHER: "Other",
}


class Team(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    organisation: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    organisation_kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind"), default=OrganisationKind.OTHER
    )
    service: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")

    collaborative: Mapped[Collaborative] = relationship(back_populates="teams")

    __table_args__ = (sa.UniqueConstraint("collaborative_id", "name"),)

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class Membership(TimestampMixin, VersionedMixin, Base):
    """One role for one person in exactly one collaborative or one team."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    collaborative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    collaborative: Mapped[Collaborative | None] = relationship()
    team: Mapped[Team | None] = relationship()

    __table_args__ = (
        # Collaborative roles are scoped to a collaborative, team roles to a team: never both.
        sa.CheckConstraint(
            "(role IN ('coordinator', 'panel_member') AND collaborative_id IS NOT NULL"
            " AND team_id IS NULL) OR (role IN ('team_lead', 'team_member',"
            " 'expert_by_experience') AND team_id IS NOT NULL AND collaborative_id IS NULL)",
            name="scope_matches_role",
        ),
        # One role per person per scope; NULLs never collide, so each pair covers one scope.
        sa.UniqueConstraint("user_id", "collaborative_id"),
        sa.UniqueConstraint("user_id", "team_id"),
    )
