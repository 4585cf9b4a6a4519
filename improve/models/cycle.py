"""PDSA cycles: ramps of cycles on one change idea, with the worksheet's questions and tasks."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from improve.models.base import (
    LONG_TEXT,
    SHORT_TEXT,
    Base,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    enum_column,
)

if TYPE_CHECKING:
    from improve.models.aim import ChangeIdea


class Ramp(TimestampMixin, Base):
    """A sequence of cycles on one change idea, growing in scale as belief grows."""

    __tablename__ = "ramp"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("change_idea.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))

    change_idea: Mapped[ChangeIdea] = relationship()
    cycles: Mapped[list[Cycle]] = relationship(
        back_populates="ramp", order_by="Cycle.number", passive_deletes=True
    )


class Stage(enum.StrEnum):
    """Where a cycle is. Order is enforced: Study needs Do; only an Act decision closes a cycle."""

    PLAN = "plan"
    DO = "do"
    STUDY = "study"
    ACT = "act"
    CLOSED = "closed"


class Decision(enum.StrEnum):
    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"


class Improved(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


class Cycle(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the change idea's aim so every query can be scoped by team directly.
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    ramp_id: Mapped[int] = mapped_column(sa.ForeignKey("ramp.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    stage: Mapped[Stage] = mapped_column(
        enum_column(Stage, "stage"), default=Stage.PLAN, index=True
    )
    # Per-stage edit counters: two people saving the same stage at once are told, not overwritten,
    # while saving different stages does not conflict.
    plan_version: Mapped[int] = mapped_column(default=1)
    do_version: Mapped[int] = mapped_column(default=1)
    study_version: Mapped[int] = mapped_column(default=1)
    act_version: Mapped[int] = mapped_column(default=1)

    # Plan
    objective: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    change_who: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    change_what: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    change_where: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    change_when: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    data_plan: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    data_collected_by: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    # Do
    carried_out_as_planned: Mapped[bool | None]
    what_happened: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    problems_and_surprises: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    # Study
    improved: Mapped[Improved | None] = mapped_column(enum_column(Improved, "improved"))
    why_improved: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    # Act
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "decision"), index=True)
    next_steps: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    ramp: Mapped[Ramp] = relationship(back_populates="cycles")
    questions: Mapped[list[CycleQuestion]] = relationship(
        back_populates="cycle", order_by="CycleQuestion.position", passive_deletes=True
    )
    tasks: Mapped[list[CycleTask]] = relationship(
        back_populates="cycle", order_by="CycleTask.due_on", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("ramp_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("stage != 'closed' OR decision IS NOT NULL", name="closed_has_decision"),
    )


class CycleQuestion(TimestampMixin, VersionedMixin, Base):
    """A question the cycle asks, the team's prediction, and (in Study) what actually happened.
    Versioned so that removing it answers for the question as it was shown."""

    __tablename__ = "cycle_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    prediction: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    result: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    learning: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")

    cycle: Mapped[Cycle] = relationship(back_populates="questions")


class CycleTask(TimestampMixin, VersionedMixin, Base):
    """A task of the plan; versioned so that removing it answers for the task as it was shown."""

    __tablename__ = "cycle_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(LONG_TEXT))
    # Free text: the person doing a task may have no account.
    owner_name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    due_on: Mapped[date] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cycle: Mapped[Cycle] = relationship(back_populates="tasks")


# The measures a cycle's data-collection plan uses.
cycle_measure = sa.Table(
    "cycle_measure",
    Base.metadata,
    sa.Column("cycle_id", sa.ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "measure_id", sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class ExpertViewKind(enum.StrEnum):
    """Where in a cycle an expert by experience's view belongs."""

    WHAT_MATTERS = "what_matters"  # before: what matters to me about this change (Plan)
    DIFFERENCE = "difference"  # after: did this make a difference to me? (Study)


class ExpertView(TimestampMixin, VersionedMixin, Base):
    """One expert by experience's own view on a cycle, signed and dated: each expert keeps their
    own (there was one unsigned box, so a second expert's words replaced the first's)."""

    __tablename__ = "expert_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    # None only for views written before they were signed (moved here by migration 0007).
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ExpertViewKind] = mapped_column(enum_column(ExpertViewKind, "expert_view_kind"))
    body: Mapped[str] = mapped_column(sa.String(LONG_TEXT))

    cycle: Mapped[Cycle] = relationship()

    __table_args__ = (sa.UniqueConstraint("cycle_id", "author_id", "kind"),)
