"""Participation in a community of practice over time (pure: plain rows in, counts out; no Flask,
no database): membership by stakeholder group month by month, and attendance by group at each
meeting (members present plus guests). Every page and file that shows these counts reads
`participation`, so the overview, the participation page and the downloads agree.

The rules, in words:

- Someone is a member on a day from the day they joined to the day they left, both included
  ("left on" is their last day). `member_on` is the one test, used for the attendance checklist
  of a meeting too.
- A month's membership is the members on its last day, or today for the month we are in.
  Months run from the month the community started (or the first member joined, if earlier) to
  this month.
- One person is one row. A member who left and came back has their "left on" cleared: they count
  from when they first joined, the months away included (the data keeps one row per person, and
  a gap of a few months matters less than counting them twice).
- A member counts in the group they are recorded in now: a person whose group was corrected is
  counted in the new group at every month and meeting.
- A meeting's attendance is the members ticked as present (whatever the date they joined or left:
  the register is what happened) plus the guests counted by group. Only meetings held up to
  today count; a meeting planned for later has no attendance yet. Attendance rows naming
  someone not in the member rows given, and guest counts for unknown groups or below zero, are
  not counted.

The Kent communities of practice counted attendance by stakeholder group at each of 51 meetings
so that people who draw on care and carers were never outnumbered unseen; the same counts are
kept here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class MemberSpell:
    """One member as the counts need them: their group and the days they were a member."""

    member_id: int
    group: str
    joined_on: date
    left_on: date | None = None


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting: when, its title, and its guests (people who are not members) by group."""

    meeting_id: int
    held_on: date
    title: str = ""
    guests: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthMembership:
    """The members on `counted_on` (the month's last day, or today), by group."""

    month: date  # the first day of the month
    counted_on: date
    by_group: dict[str, int]
    total: int


@dataclass(frozen=True)
class MeetingAttendance:
    """Who came to one meeting, by group: members ticked present, guests, and both together."""

    meeting_id: int
    held_on: date
    title: str
    members: dict[str, int]
    guests: dict[str, int]
    by_group: dict[str, int]
    member_total: int
    guest_total: int
    total: int


@dataclass(frozen=True)
class Participation:
    """Membership month by month and attendance meeting by meeting, oldest first, with the
    members today (`current`), all by group in the order given."""

    groups: tuple[str, ...]
    months: tuple[MonthMembership, ...]
    meetings: tuple[MeetingAttendance, ...]
    current: dict[str, int]
    today: date

    @property
    def current_total(self) -> int:
        return sum(self.current.values())

    def groups_seen(self) -> tuple[str, ...]:
        """The groups anyone was ever counted in (as a member or at a meeting), in order: the
        chart and the page's tables leave the others out."""
        seen = {
            group
            for counts in [m.by_group for m in self.months] + [m.by_group for m in self.meetings]
            for group, count in counts.items()
            if count
        }
        return tuple(group for group in self.groups if group in seen)


def member_on(spell: MemberSpell, day: date) -> bool:
    """Whether the person was a member on `day`: joined on or before it, and left on or after it
    (or not at all)."""
    return spell.joined_on <= day and (spell.left_on is None or day <= spell.left_on)


def members_on(spells: Iterable[MemberSpell], day: date, groups: Sequence[str]) -> dict[str, int]:
    """How many of `spells` were members on `day`, by group (every group given, 0 if none);
    members recorded in a group not given are not counted."""
    counts = dict.fromkeys(groups, 0)
    for spell in spells:
        if spell.group in counts and member_on(spell, day):
            counts[spell.group] += 1
    return counts


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(first: date, today: date) -> list[date]:
    """The first day of every month from `first`'s to today's (none if `first` is later)."""
    months, month = [], _month_start(first)
    while month <= today:
        months.append(month)
        month = _next_month(month)
    return months


def participation(
    members: Sequence[MemberSpell],
    meetings: Sequence[MeetingRecord],
    attendance: Iterable[tuple[int, int]],
    *,
    groups: Sequence[str],
    started_on: date,
    today: date,
) -> Participation:
    """Membership by group for each month from the community's start (or its first member's
    joining, if earlier) to this month, attendance by group at each meeting held up to today,
    and the members today; `attendance` is (meeting id, member id) pairs."""
    first = min([started_on, *(spell.joined_on for spell in members)])
    months = []
    for month in _months(first, today):
        counted_on = min(_next_month(month) - timedelta(days=1), today)
        by_group = members_on(members, counted_on, groups)
        months.append(MonthMembership(month, counted_on, by_group, sum(by_group.values())))
    return Participation(
        groups=tuple(groups),
        months=tuple(months),
        meetings=tuple(_attendance(members, meetings, attendance, groups, today)),
        current=members_on(members, today, groups),
        today=today,
    )


def _attendance(
    members: Sequence[MemberSpell],
    meetings: Sequence[MeetingRecord],
    attendance: Iterable[tuple[int, int]],
    groups: Sequence[str],
    today: date,
) -> list[MeetingAttendance]:
    group_of = {spell.member_id: spell.group for spell in members}
    present: dict[int, set[int]] = {}
    for meeting_id, member_id in attendance:
        present.setdefault(meeting_id, set()).add(member_id)
    held = sorted(
        (meeting for meeting in meetings if meeting.held_on <= today),
        key=lambda meeting: (meeting.held_on, meeting.meeting_id),
    )
    result = []
    for meeting in held:
        came = dict.fromkeys(groups, 0)
        for member_id in present.get(meeting.meeting_id, ()):
            group = group_of.get(member_id)
            if group in came:
                came[group] += 1
        guests = {group: max(0, int(meeting.guests.get(group, 0) or 0)) for group in groups}
        both = {group: came[group] + guests[group] for group in groups}
        result.append(
            MeetingAttendance(
                meeting_id=meeting.meeting_id,
                held_on=meeting.held_on,
                title=meeting.title,
                members=came,
                guests=guests,
                by_group=both,
                member_total=sum(came.values()),
                guest_total=sum(guests.values()),
                total=sum(both.values()),
            )
        )
    return result


# In words ----------------------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _by_group_words(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """ "Carer 2, Manager 1": the groups with anyone, in order."""
    shown = [f"{labels.get(group, group)} {count}" for group, count in counts.items() if count]
    return ", ".join(shown)


def membership_sentences(found: Participation, labels: Mapping[str, str]) -> list[str]:
    """What the membership chart shows, in plain words: the members today by group, and how the
    number changed since the first month."""
    if not found.months:
        return ["The community has no months to count yet."]
    now = found.current_total
    if not now:
        sentences = ["The community has no members today."]
    else:
        sentences = [
            f"{_plural(now, 'member', 'members')} today: {_by_group_words(found.current, labels)}."
        ]
    first = found.months[0]
    if len(found.months) > 1:
        sentences.append(
            f"{_plural(first.total, 'member', 'members')} at the end of "
            f"{first.month:%B %Y}, the first month counted, and {now} today."
        )
    return sentences


def attendance_sentences(
    found: Participation, labels: Mapping[str, str], lived: Collection[str]
) -> list[str]:
    """What the attendance chart shows, in plain words: how many meetings, how many came on
    average (members and guests), and how many of those who came were people who draw on care
    or carers (`lived`)."""
    meetings = found.meetings
    if not meetings:
        return ["No meetings have been held yet, so there is no attendance to count."]
    count = len(meetings)
    people = sum(meeting.total for meeting in meetings)  # attendances, for the share below
    members = sum(meeting.member_total for meeting in meetings)
    guests = sum(meeting.guest_total for meeting in meetings)
    span = (
        f"on {_day(meetings[0].held_on)}"
        if count == 1
        else f"from {_day(meetings[0].held_on)} to {_day(meetings[-1].held_on)}"
    )
    # The parts are rounded first and the whole is their sum, so the sentence adds up
    # (18.7 members and 2.2 guests are 20.9 people, never 20.8).
    members_on_average, guests_on_average = round(members / count, 1), round(guests / count, 1)
    sentences = [
        f"{_plural(count, 'meeting', 'meetings')} held {span}.",
        f"On average {members_on_average + guests_on_average:.1f} people came to a meeting "
        f"({members_on_average:.1f} members and {guests_on_average:.1f} guests).",
    ]
    if people:
        lived_count = sum(meeting.by_group.get(group, 0) for meeting in meetings for group in lived)
        sentences.append(
            f"People who draw on care and carers were {lived_count} of the {people} "
            f"attendances ({lived_count / people:.0%})."
        )
    last = meetings[-1]
    came = _by_group_words(last.by_group, labels)
    sentences.append(
        f"At the latest meeting, on {_day(last.held_on)}, "
        f"{_plural(last.total, 'person', 'people')} came" + (f": {came}." if came else ".")
    )
    return sentences
