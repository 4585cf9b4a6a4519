"""Measures (per aim, or shared by a collaborative), their definition history, and data points."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from improve.models.base import (
    LONG_TEXT,
    SHORT_TEXT,
    Base,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    enum_column,
    utcnow,
)

if TYPE_CHECKING:
    from improve.models.aim import Aim


class MeasureType(enum.StrEnum):
    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def period_words(period: date, frequency: str, events: bool = False) -> str:
    """A data point's period as the data table names it: "week of 3 August 2026", "August 2026"
    (`frequency` a Frequency or its value); a day of events is the day, "3 August 2026"."""
    if events:
        return f"{period:%-d %B %Y}"
    if frequency == Frequency.WEEKLY:
        return f"week of {period:%-d %B %Y}"
    return f"{period:%B %Y}"


#: The largest size a measure's number may have, positive or negative, in forms and imports: no
#: count, rate or measurement in social care comes near it, and it keeps every chart's arithmetic
#: far from floating-point overflow (1e308 from an import once made charts answer 500).
MAX_MAGNITUDE = 1_000_000_000


class ValueKind(enum.StrEnum):
    """What one data point is; it decides which control chart fits (DOMAIN.md section 3)."""

    CONTINUOUS = "continuous"  # I (XmR) chart
    COUNT = "count"  # c chart
    PROPORTION = "proportion"  # p chart: numerator out of denominator
    RATE = "rate"  # u chart: events per exposure, times a multiplier
    # The date of each event (a fall, a missed visit): g and t charts of the gaps between them.
    # A data point is a day with events; its value is how many happened that day.
    EVENTS = "events"

    @property
    def needs_denominator(self) -> bool:
        return self in (ValueKind.PROPORTION, ValueKind.RATE)


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class ChartType(enum.StrEnum):
    RUN = "run"
    I = "i"  # noqa: E741 - the chart's published name
    MR = "mr"
    P = "p"
    U = "u"
    C = "c"
    G = "g"  # days between events
    T = "t"  # time between events, transformed


class Measure(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collaborative.id", ondelete="CASCADE"), index=True
    )
    # Null for a shared measure: one definition every team of the collaborative reports against.
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    aim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("aim.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    measure_type: Mapped[MeasureType] = mapped_column(enum_column(MeasureType, "measure_type"))
    operational_definition: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    numerator_definition: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    denominator_definition: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    inclusions: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    exclusions: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    data_source: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    collected_by: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "frequency"), default=Frequency.MONTHLY
    )
    value_kind: Mapped[ValueKind] = mapped_column(enum_column(ValueKind, "value_kind"))
    multiplier: Mapped[float] = mapped_column(default=1.0)
    unit: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    baseline_start: Mapped[date | None]
    baseline_end: Mapped[date | None]
    baseline_value: Mapped[float | None]
    target_value: Mapped[float | None]
    target_date: Mapped[date | None]
    # The target reached step by step: a straight line from the baseline to the target on its
    # date (issue 17, point 6); otherwise the target is one level across the chart.
    target_trajectory: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    chart_type: Mapped[ChartType] = mapped_column(
        enum_column(ChartType, "chart_type"), default=ChartType.RUN
    )
    # Baseline freeze: centre and limits from the first k points of each phase, then extended.
    freeze_points: Mapped[int | None]
    is_archived: Mapped[bool] = mapped_column(default=False)

    aim: Mapped[Aim | None] = relationship()
    revisions: Mapped[list[MeasureRevision]] = relationship(
        back_populates="measure",
        order_by="MeasureRevision.revised_at",
        passive_deletes=True,
    )
    data_points: WriteOnlyMapped[DataPoint] = relationship(
        back_populates="measure", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("team_id IS NOT NULL OR aim_id IS NULL", name="shared_has_no_aim"),
        sa.CheckConstraint("multiplier > 0", name="multiplier_positive"),
        sa.CheckConstraint("freeze_points IS NULL OR freeze_points >= 2", name="freeze_min"),
        sa.CheckConstraint(
            "baseline_end IS NULL OR baseline_start IS NULL OR baseline_end >= baseline_start",
            name="baseline_ordered",
        ),
    )

    @property
    def is_shared(self) -> bool:
        return self.team_id is None


# Shared measures an aim reports against, beside its own measures (Measure.aim_id).
aim_measure = sa.Table(
    "aim_measure",
    Base.metadata,
    sa.Column("aim_id", sa.ForeignKey("aim.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "measure_id", sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class MeasureRevision(Base):
    """The definition as it was before a change; the change also starts a new phase of the chart."""

    __tablename__ = "measure_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effective_from: Mapped[date]
    previous_definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    revised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    measure: Mapped[Measure] = relationship(back_populates="revisions")


class DataPoint(TimestampMixin, VersionedMixin, Base):
    """One period's value for one team. (measure, team, period) is a natural key: retries cannot
    duplicate a point."""

    __tablename__ = "data_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    # The value, or the numerator for proportions and rates; the ratio is derived, never stored.
    value: Mapped[float]
    denominator: Mapped[float | None]
    note: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    excluded: Mapped[bool] = mapped_column(default=False)
    exclusion_reason: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    starts_new_phase: Mapped[bool] = mapped_column(default=False)
    phase_reason: Mapped[str] = mapped_column(sa.String(LONG_TEXT), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    measure: Mapped[Measure] = relationship(back_populates="data_points")

    __table_args__ = (
        sa.UniqueConstraint("measure_id", "team_id", "period_start"),
        sa.CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        sa.CheckConstraint(
            "NOT excluded OR length(exclusion_reason) > 0", name="excluded_needs_reason"
        ),
    )
