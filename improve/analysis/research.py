"""A community of practice's research needs, ranked by support (pure: plain rows in, plain rows
out; no Flask, no database).

Members of the Kent communities of practice valued the chance to name research needs (21
interviews): the list shows which questions practice most wants answered, and by whom, so a
research partner can see what matters to people who draw on care as well as to staff.

Support is the one number the list is sorted by, and it is defined here only:

    support = the people who shared the question where it was raised (`shared_by`, the person
              who raised it included) + the votes given for it since, in the app, except a
              vote by the person who logged it (they are counted in `shared_by`).

The app does not let the person who logged a need vote for it, and a vote of theirs from before
that rule is left out here, so they are never counted twice. Someone else who was in the room
and voted later may still count twice: support is a guide to how widely a question is shared,
not a head count. Ties keep the order the needs were logged in (oldest first), so a new question
never jumps ahead of an equal older one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

SUPPORT_IN_WORDS = (
    "Support adds the people who shared the question when it was raised to the votes it has "
    "had here since. The person who logged a question is counted among those who shared it, "
    "so they cannot also vote for it. Someone else who was there and voted later is counted "
    "twice, so read support as a guide to how widely a question is shared, not as a head count."
)


@dataclass(frozen=True)
class NeedRow:
    """A research need as the tally needs it: its id (ids grow as needs are logged), how many
    shared it when it was raised, its status, and who logged it (None: nobody now known)."""

    need_id: int
    shared_by: int
    status: str
    logged_by: int | None = None


@dataclass(frozen=True)
class VoteRow:
    """One vote: the need it is for, the voter's stakeholder group, and the voter's id, used
    only to leave out a vote by the person who logged the need (never shown)."""

    need_id: int
    group: str
    voter: int | None = None


@dataclass(frozen=True)
class NeedTally:
    """A need's place in the list: its support, its votes in all and by group (groups with no
    vote left out, in the order of `groups` given to `need_tallies`), and its rank (1 for the
    most supported; needs with equal support share a rank, the next rank skips: 1, 2, 2, 4)."""

    need_id: int
    status: str
    shared_by: int
    votes: int
    votes_by_group: tuple[tuple[str, int], ...]
    support: int
    rank: int


def support(shared_by: int, votes: int) -> int:
    """The rule in the module docstring: people who shared it when raised, plus votes since."""
    return shared_by + votes


def need_tallies(
    needs: Iterable[NeedRow], votes: Iterable[VoteRow], groups: Sequence[str]
) -> list[NeedTally]:
    """Every need with its votes by group and support, most supported first (ties: oldest
    first). A vote for a need not in `needs`, or by the person who logged the need, is
    ignored; a group not in `groups` is listed after them, in alphabetical order."""
    needs = list(needs)
    loggers = {need.need_id: need.logged_by for need in needs if need.logged_by is not None}
    by_need: dict[int, Counter[str]] = {}
    for vote in votes:
        if vote.voter is not None and loggers.get(vote.need_id) == vote.voter:
            continue
        by_need.setdefault(vote.need_id, Counter())[vote.group] += 1
    order = {group: position for position, group in enumerate(groups)}
    tallies = []
    for need in needs:
        counts = by_need.get(need.need_id, Counter())
        by_group = sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item))
        total = sum(counts.values())
        tallies.append(
            NeedTally(
                need_id=need.need_id,
                status=need.status,
                shared_by=need.shared_by,
                votes=total,
                votes_by_group=tuple(by_group),
                support=support(need.shared_by, total),
                rank=0,
            )
        )
    tallies.sort(key=lambda tally: (-tally.support, tally.need_id))
    return _ranked(tallies)


def _ranked(tallies: list[NeedTally]) -> list[NeedTally]:
    ranked: list[NeedTally] = []
    for position, tally in enumerate(tallies, start=1):
        tied = ranked and ranked[-1].support == tally.support
        rank = ranked[-1].rank if tied else position
        ranked.append(replace(tally, rank=rank))
    return ranked


def with_status(tallies: Sequence[NeedTally], status: str | None) -> list[NeedTally]:
    """The tallies of one status (all of them for None), keeping their order and ranks: a
    need's rank is its place among all the community's needs, whatever the filter."""
    return [tally for tally in tallies if status is None or tally.status == status]


def status_counts(tallies: Iterable[NeedTally], statuses: Sequence[str]) -> dict[str, int]:
    """How many needs have each status, every status listed (0 when none)."""
    counts = Counter(tally.status for tally in tallies)
    return {status: counts.get(status, 0) for status in statuses}
