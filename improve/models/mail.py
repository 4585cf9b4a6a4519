"""Email: every message the app sends is a row first (the outbox), then delivered by the
background worker, so a mail server that is down delays mail but loses none, and an admin can
see what was sent, to whom, and what failed."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import SHORT_TEXT, Base, TimestampMixin, UTCDateTime, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for the worker (first try, or a retry after a failure)
    SENDING = "sending"  # claimed by a worker; back to queued if that worker died
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; an admin can send it again

    @property
    def label(self) -> str:
        return OUTBOX_STATUS_LABELS[self]


OUTBOX_STATUS_LABELS = {
    OutboxStatus.QUEUED: "Waiting to send",
    OutboxStatus.SENDING: "Sending",
    OutboxStatus.SENT: "Sent",
    OutboxStatus.FAILED: "Failed",
}


class OutboxMessage(TimestampMixin, Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is for (invitation, password_reset, report_due, ...): see improve.mail.
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    # Where a reply goes (a coordinator's own reminder goes back to them); empty: the from address.
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    text_body: Mapped[str] = mapped_column(sa.Text())
    html_body: Mapped[str] = mapped_column(sa.Text(), default="")
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    # A scheduled message's identity (say "report_due:team 4:2026-11-01:user 9"): the daily job
    # may run twice, or be re-run after a crash, and still send each reminder once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(SHORT_TEXT), unique=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class ReminderKind(enum.StrEnum):
    DUE = "due"  # the report is due in a few days (automatic)
    LATE = "late"  # the report is late (automatic)
    BY_COORDINATOR = "by_coordinator"  # a coordinator pressed "Send a reminder"

    @property
    def label(self) -> str:
        return REMINDER_KIND_LABELS[self]


REMINDER_KIND_LABELS = {
    ReminderKind.DUE: "Reminder before the due date",
    ReminderKind.LATE: "Reminder that the report is late",
    ReminderKind.BY_COORDINATOR: "Reminder from the coordinator",
}


class ReportReminder(Base):
    """A reminder about one team's report for one period, shown with that report."""

    __tablename__ = "report_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, "reminder_kind"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None for the automatic ones.
    sent_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    recipient_count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ReportReminder {self.id} team {self.team_id} {self.period_start} {self.kind}>"
