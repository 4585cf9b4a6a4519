"""An append-only record of who changed what, when, with the fields before and after."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from improve.models.base import SHORT_TEXT, Base, UTCDateTime, enum_column, utcnow


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: the trail must outlive the accounts and records it describes.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    entity_type: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[int | None]
    team_id: Mapped[int | None] = mapped_column(index=True)
    collaborative_id: Mapped[int | None] = mapped_column(index=True)
    # A measure's changes, its revisions' and its data points' (with their period), so a
    # measure's and a period's history outlive the data points they describe.
    measure_id: Mapped[int | None] = mapped_column(index=True)
    period_start: Mapped[date | None]
    summary: Mapped[str] = mapped_column(sa.String(SHORT_TEXT), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)
