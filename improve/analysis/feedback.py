"""A community of practice's meeting feedback counted by stakeholder group (pure: plain rows
in, plain rows out; no Flask, no database).

After each meeting people answer three questions, Yes, Partly or No: did they feel listened
to, did they learn something, will they use it. These were what members of the Kent
communities of practice valued most in 21 evaluation interviews (being listened to and
treated as equals, insight into research). Counting the answers by stakeholder group shows
whether people who draw on care and carers feel as listened to as the professionals.

Small numbers. Members of a community know each other, and know who came to a meeting: a
group's row holding one carer's answers is that carer's answers. So, in each table (one
meeting's, or all meetings together):

- the total of every group together is always shown;
- a group with SMALL_GROUP (5) answers or more has its own row;
- groups with 1 to 4 answers share one row, "other groups together". If together they hold
  fewer than 5 answers, the group with fewest answers of the others joins them (and the next,
  until the row holds 5 or more): otherwise the small groups' answers would be the total minus
  the rows shown. If that leaves no group a row of its own, only the total is shown.

Every row shown therefore holds at least 5 answers, and a small group's answers are always
mixed with another group's. This is the usual "secondary suppression" of statistical tables,
done by merging rather than blanking, so a table keeps as many groups as it safely can. (Counts
over all meetings grow as meetings are added, so someone comparing the page before and after
one meeting could still work out that meeting's answers from a large group: the rule protects
one reading of the page, not every pair of readings.)

Response rate: a meeting's answers divided by how many came (members ticked as present plus
guests counted by group). All meetings together: the answers at meetings whose attendance was
recorded, divided by their attendance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

QUESTIONS = ("listened_to", "learned_something", "will_use")
ANSWERS = ("yes", "partly", "no")
SMALL_GROUP = 5
#: The row of groups put together: those with fewer than SMALL_GROUP answers, and as many of
#: the smallest others as it takes to reach SMALL_GROUP.
OTHER_GROUPS = "other_groups"
#: The row of every group together.
ALL_GROUPS = "all_groups"


@dataclass(frozen=True)
class FeedbackRow:
    """One person's answers to the three questions about one meeting, and their group."""

    meeting_id: int
    group: str
    listened_to: str
    learned_something: str
    will_use: str
    comment: str = ""


@dataclass(frozen=True)
class AttendanceRow:
    """One member ticked as present at a meeting."""

    meeting_id: int
    member_id: int


@dataclass(frozen=True)
class GuestRow:
    """Guests (not members) at a meeting, counted by group."""

    meeting_id: int
    group: str
    count: int


@dataclass(frozen=True)
class AnswerCounts:
    """How many answered Yes, Partly and No to one question."""

    yes: int = 0
    partly: int = 0
    no: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.partly + self.no

    def count(self, answer: str) -> int:
        return {"yes": self.yes, "partly": self.partly, "no": self.no}[answer]


@dataclass(frozen=True)
class GroupRow:
    """One row of the tables: a group (or OTHER_GROUPS, or ALL_GROUPS), how many answered, and
    the counts for each question (keyed by the names in QUESTIONS)."""

    group: str
    answers: int
    counts: dict[str, AnswerCounts]
    members: tuple[str, ...] = ()  # for OTHER_GROUPS: the groups put together, in order


@dataclass(frozen=True)
class FeedbackSummary:
    """One meeting's feedback (meeting_id None: all meetings together): the rows by group that
    may be shown, the total, the response rate and the comments."""

    meeting_id: int | None
    answers: int
    attendance: int
    response_rate: float | None  # None when no attendance was recorded
    groups: tuple[GroupRow, ...]
    total: GroupRow
    split_hidden: bool  # people answered, but their groups' rows are not shown (small numbers)
    comments: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Evaluation:
    """Every meeting's summary, in the order of the meetings given, and all of them together."""

    meetings: tuple[FeedbackSummary, ...]
    overall: FeedbackSummary


def answer_counts(rows: Iterable[FeedbackRow], question: str) -> AnswerCounts:
    """The Yes, Partly and No answers to one question (an answer of another value is ignored)."""
    counts = Counter(getattr(row, question) for row in rows)
    return AnswerCounts(yes=counts["yes"], partly=counts["partly"], no=counts["no"])


def _row(group: str, rows: Sequence[FeedbackRow]) -> GroupRow:
    counts = {question: answer_counts(rows, question) for question in QUESTIONS}
    return GroupRow(group=group, answers=len(rows), counts=counts)


def shown_groups(
    rows: Sequence[FeedbackRow], groups: Sequence[str]
) -> tuple[tuple[GroupRow, ...], bool]:
    """The rows by group that may be shown under the small-number rule (module docstring), in
    the order of `groups` (a group not in it comes after, alphabetically), the other groups'
    row last; and whether the split was hidden (people answered, but no row by group may be
    shown: only the total)."""
    by_group: dict[str, list[FeedbackRow]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    order = {group: position for position, group in enumerate(groups)}
    names = sorted(by_group, key=lambda name: (order.get(name, len(order)), name))
    pooled = [name for name in names if len(by_group[name]) < SMALL_GROUP]
    # The smallest large groups first (the later in order first, on a tie) join the pool.
    spare = sorted(
        (name for name in names if name not in pooled),
        key=lambda name: (len(by_group[name]), -names.index(name)),
    )
    while pooled and sum(len(by_group[name]) for name in pooled) < SMALL_GROUP and spare:
        pooled.append(spare.pop(0))
    own = [name for name in names if name not in pooled]
    if pooled and (not own or sum(len(by_group[name]) for name in pooled) < SMALL_GROUP):
        return (), True
    shown = [_row(name, by_group[name]) for name in own]
    if pooled:
        together = [row for name in names if name in pooled for row in by_group[name]]
        members = tuple(name for name in names if name in pooled)
        shown.append(replace(_row(OTHER_GROUPS, together), members=members))
    return tuple(shown), False


def meeting_attendance(
    attendance: Iterable[AttendanceRow], guests: Iterable[GuestRow]
) -> Counter[int]:
    """How many came to each meeting: members ticked as present (each once) plus guests (a
    count below 0 is read as 0)."""
    present = {(row.meeting_id, row.member_id) for row in attendance}
    counts: Counter[int] = Counter(meeting_id for meeting_id, _ in present)
    for guest in guests:
        counts[guest.meeting_id] += max(guest.count, 0)
    return counts


def response_rate(answers: int, attendance: int) -> float | None:
    """Answers divided by attendance; None when no attendance was recorded. It can pass 1 when
    people who answered were not ticked as present."""
    return answers / attendance if attendance > 0 else None


def summary(
    meeting_id: int | None, rows: Sequence[FeedbackRow], attendance: int, groups: Sequence[str]
) -> FeedbackSummary:
    """One table's worth: rows by group (small-number rule), total, response rate, comments
    in alphabetical order (so their order says nothing about who wrote them or when)."""
    shown, hidden = shown_groups(rows, groups)
    written = (row.comment.strip() for row in rows)
    comments = sorted((text for text in written if text), key=str.casefold)
    return FeedbackSummary(
        meeting_id=meeting_id,
        answers=len(rows),
        attendance=attendance,
        response_rate=response_rate(len(rows), attendance),
        groups=shown,
        total=_row(ALL_GROUPS, rows),
        split_hidden=hidden,
        comments=tuple(comments),
    )


def evaluation(
    meeting_ids: Sequence[int],
    feedback: Iterable[FeedbackRow],
    attendance: Iterable[AttendanceRow],
    guests: Iterable[GuestRow],
    groups: Sequence[str],
) -> Evaluation:
    """Each meeting's feedback summary and all meetings' together. Only the meetings named in
    `meeting_ids` count (answers about others are ignored); overall, the response rate counts
    only the meetings whose attendance was recorded."""
    wanted = set(meeting_ids)
    rows = [row for row in feedback if row.meeting_id in wanted]
    came = meeting_attendance(
        (row for row in attendance if row.meeting_id in wanted),
        (row for row in guests if row.meeting_id in wanted),
    )
    by_meeting: dict[int, list[FeedbackRow]] = {meeting_id: [] for meeting_id in meeting_ids}
    for row in rows:
        by_meeting[row.meeting_id].append(row)
    meetings = tuple(
        summary(meeting_id, by_meeting[meeting_id], came[meeting_id], groups)
        for meeting_id in dict.fromkeys(meeting_ids)
    )
    overall = summary(None, rows, sum(came.values()), groups)
    counted = sum(len(by_meeting[meeting_id]) for meeting_id in came if came[meeting_id] > 0)
    rate = response_rate(counted, overall.attendance)
    return Evaluation(meetings=meetings, overall=replace(overall, response_rate=rate))


def in_words(counts: AnswerCounts) -> str:
    """ "18 said yes, 4 partly and 1 no (23 answers)"; "No answers yet" when there are none."""
    if counts.total == 0:
        return "No answers yet"
    answers = "answer" if counts.total == 1 else "answers"
    return (
        f"{counts.yes} said yes, {counts.partly} partly and {counts.no} no "
        f"({counts.total} {answers})"
    )


def bar_segments(counts: AnswerCounts, width: float) -> list[tuple[str, int, float, float]]:
    """The stacked bar of one question's answers, `width` wide: for each answer with a count,
    (answer, count, x where its segment starts, segment width)."""
    if counts.total == 0:
        return []
    segments = []
    x = 0.0
    for answer in ANSWERS:
        count = counts.count(answer)
        if count:
            share = width * count / counts.total
            segments.append((answer, count, round(x, 2), round(share, 2)))
            x += share
    return segments
