"""Monthly team reports, progress scores, panel reviews and the end-of-collaborative evaluation."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import (
    LONG_TEXT,
    SHORT_TEXT,
    Base,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    enum_column,
)

# Scores are 0.5 to 5.0 in steps of 0.5 (IHI assessment scale); halves are exact in binary floats.
SCORE_CHECK = "score >= 0.5 AND score <= 5.0 AND score * 2 = CAST(score * 2 AS INTEGER)"


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class MonthlyReport(TimestampMixin, VersionedMixin, Base):
    """A team's report for one period. Submitted reports are locked; a correction is a new
    revision that supersedes the old one."""

    __tablename__ = "monthly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    period_start: Mapped[date]
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, "report_status"), default=ReportStatus.DRAFT, index=True
    )
    # What the app gathered from the month's records when the report was prepared.
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    achievements: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    learning: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    barriers: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    suggested_score: Mapped[float | None]
    suggested_reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    self_score: Mapped[float | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    supersedes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("monthly_report.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        sa.UniqueConstraint("team_id", "period_start", "revision"),
        sa.CheckConstraint(
            "self_score IS NULL OR " + SCORE_CHECK.replace("score", "self_score"),
            name="self_score_scale",
        ),
        sa.CheckConstraint(
            "suggested_score IS NULL OR " + SCORE_CHECK.replace("score", "suggested_score"),
            name="suggested_score_scale",
        ),
    )


class Assessor(enum.StrEnum):
    SELF = "self"
    COORDINATOR = "coordinator"


class ProgressScore(TimestampMixin, VersionedMixin, Base):
    """A score on the progress scale for one team and period, by the team or by the coordinator;
    the gap between the two is informative."""

    __tablename__ = "progress_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    period_start: Mapped[date]
    assessor: Mapped[Assessor] = mapped_column(enum_column(Assessor, "assessor"))
    score: Mapped[float]
    justification: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    suggestions: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("monthly_report.id", ondelete="SET NULL"), index=True
    )
    scored_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        sa.UniqueConstraint("team_id", "period_start", "assessor"),
        sa.CheckConstraint(SCORE_CHECK, name="score_scale"),
    )


class PanelReview(TimestampMixin, VersionedMixin, Base):
    """A dated strategic-panel review; later views compare against the latest one."""

    __tablename__ = "panel_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    reviewed_on: Mapped[date]
    decisions: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    actions: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    organisational_changes: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # A review may be written up as the meeting starts: until it is marked held, "since the
    # review" counts still run from the review before it (issue 19, point 2).
    is_held: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class ActionStatus(enum.StrEnum):
    OPEN = "open"  # agreed, not started
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"  # the panel decided not to do it

    @property
    def label(self) -> str:
        return ACTION_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: "Not started",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}


class PanelAction(TimestampMixin, VersionedMixin, Base):
    """An action the panel agreed at a review: what, who owns it, by when, and how it stands.
    Open actions are carried to the next review and shown at the top of the panel."""

    __tablename__ = "panel_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    # The review that agreed it; deleting a review deletes the actions agreed at it.
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("panel_review.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    # Free text: the owner may be someone with no account (a director, a finance lead).
    owner: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    # What happened, in a line: "Shared with all homes on 3 May".
    progress_note: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )


class Evaluation(TimestampMixin, VersionedMixin, Base):
    """SCIE Guide 34's four evaluation questions, per team or (team_id null) for the whole."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    outcomes_achieved: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    did_the_method_work: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    what_next_with_learning: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    remaining_gaps: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (sa.UniqueConstraint("collaborative_id", "team_id"),)
