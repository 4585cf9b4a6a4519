"""Routes for participation over time: membership by group month by month and attendance by
group at each meeting, each as a chart with words and a table, and as CSV files. Every number
comes from the one count, improve.analysis.community.participation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from improve.analysis.community import (
    Participation,
    attendance_sentences,
    membership_sentences,
)
from improve.communities import bp, queries
from improve.communities.chart import ChartRow, participation_svg
from improve.communities.views import today
from improve.exports.writers import csv_response
from improve.htmx import render
from improve.models import Community
from improve.permissions import community_or_404


def _day(day: Any) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Series:
    """One chart's worth: the column names (months or meetings), a row per group seen, the
    totals, and the chart drawn from them."""

    columns: list[str]
    groups: list[tuple[str, list[int]]]  # (group value, one count per column)
    totals: list[int]
    svg: Markup | None


def _series(
    columns: list[str],
    counts: list[dict[str, int]],
    totals: list[int],
    groups: tuple[str, ...],
    what: str,
    id_prefix: str,
) -> Series:
    rows = [(group, [count[group] for count in counts]) for group in groups]
    svg = None
    if columns:
        labels = queries.GROUP_LABELS
        drawn = participation_svg(
            ChartRow("Everyone", totals),
            [ChartRow(labels[group], values) for group, values in rows],
            columns,
            title=f"{what}, by stakeholder group",
            description=(
                f"One row of bars per group, from {columns[0]} to {columns[-1]}; the top row is "
                "everyone together, on its own scale. The numbers are in the table below."
            ),
            id_prefix=id_prefix,
        )
        svg = Markup(drawn)  # nosec B704 - escaped text only (improve.communities.chart)
    return Series(columns, rows, totals, svg)


def membership_series(found: Participation) -> Series:
    months = found.months
    return _series(
        [f"{month.month:%b %Y}" for month in months],
        [month.by_group for month in months],
        [month.total for month in months],
        found.groups_seen(),
        "Members month by month",
        "membership-chart",
    )


def attendance_series(found: Participation) -> Series:
    meetings = found.meetings
    return _series(
        [_day(meeting.held_on) for meeting in meetings],
        [meeting.by_group for meeting in meetings],
        [meeting.total for meeting in meetings],
        found.groups_seen(),
        "People at each meeting",
        "attendance-chart",
    )


@bp.get("/communities/<id:community_id>/participation")
def participation(community_id: int):
    """Membership by group month by month, and who came to each meeting by group: charts, words
    and tables."""
    community = community_or_404(community_id)
    found = queries.participation_of(community, today())
    return render(
        "communities/participation.html",
        community=community,
        found=found,
        labels=queries.GROUP_LABELS,
        membership=membership_series(found),
        attendance=attendance_series(found),
        membership_words=membership_sentences(found, queries.GROUP_LABELS),
        attendance_words=attendance_sentences(found, queries.GROUP_LABELS, queries.LIVED),
    )


def membership_frame(found: Participation) -> pd.DataFrame:
    """Members on the last day of each month (today for this month), by group: every group."""
    labels = [queries.GROUP_LABELS[group] for group in found.groups]
    rows = [
        [month.month.strftime("%Y-%m"), month.counted_on, *month.by_group.values(), month.total]
        for month in found.months
    ]
    return pd.DataFrame(rows, columns=["Month", "Counted on", *labels, "Total"])


def attendance_frame(found: Participation) -> pd.DataFrame:
    """Who came to each meeting held so far, by group (members and guests together), with the
    members, guests and everyone."""
    labels = [queries.GROUP_LABELS[group] for group in found.groups]
    rows = [
        [
            meeting.held_on,
            meeting.title,
            *meeting.by_group.values(),
            meeting.member_total,
            meeting.guest_total,
            meeting.total,
        ]
        for meeting in found.meetings
    ]
    columns = ["Date", "Meeting", *labels, "Members", "Guests", "Total"]
    return pd.DataFrame(rows, columns=columns)


FRAMES = {"membership": membership_frame, "attendance": attendance_frame}


@bp.get("/communities/<id:community_id>/participation-<any(membership, attendance):table>.csv")
def participation_csv(community_id: int, table: str):
    """Membership month by month, or attendance meeting by meeting, as a CSV file."""
    community: Community = community_or_404(community_id)
    found = queries.participation_of(community, today())
    return csv_response(FRAMES[table](found), f"{community.name}-{table}")
