"""The results of a priority round (issue 20, point 1): one tally, read by the round's pages and
its CSV download alike. Pure: plain rows in, plain values out; no Flask, no database.

The rules, in the words the results page uses:

- Dot voting: each person spreads a few dots over the themes; a theme's score is the number of
  dots it got, added up over everyone.
- Ranking, scored by the Borda count (Jean-Charles de Borda, 1781; in the "modified" form that
  gives points only for the places a person filled, Emerson 2013, "The original Borda count
  and partial voting", Social Choice and Welfare 40: 353-358): with k places to fill
  (the round's `ranks_per_person`), a 1st choice earns k points, a 2nd k - 1, and so on down to
  1 point for the k-th. A person who fills fewer places gives points only for those.
- Themes are listed by score, highest first. Themes with the same score share a place
  ("joint 2nd") and keep the facilitator's order between them; the place after a tie skips
  (1st, joint 2nd, joint 2nd, 4th), as in a sports table.
- By stakeholder group: the same scores counted over the votes of each group alone; each
  person's votes count under the group they chose for the round.
- People who draw on care and carers (the lived-experience groups) are also counted together,
  so their first choice can be set beside everyone's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

DOTS = "dots"
RANKING = "ranking"


@dataclass(frozen=True)
class Ballot:
    """One vote row: a person's dots on one theme, or the place they gave it (1 = first)."""

    voter: int
    group: str
    theme: int
    dots: int | None = None
    rank: int | None = None


@dataclass(frozen=True)
class ThemeScore:
    theme: int
    name: str
    place: int  # 1 = first; themes with the same score share a place
    tied: bool  # another theme has the same place
    total: int
    by_group: Mapping[str, int]  # every group in Tally.groups, zeros included
    lived_experience: int  # the score from people who draw on care and carers together


@dataclass(frozen=True)
class Tally:
    method: str
    points_for_first: int  # ranking: k, the points a 1st choice earns; dot voting: 0
    themes: tuple[ThemeScore, ...]  # by place
    groups: tuple[str, ...]  # the groups at least one voter chose, in the order given
    voters: int
    voters_by_group: Mapping[str, int]
    lived_experience_voters: int
    top: tuple[int, ...]  # the theme(s) with the highest score; empty if no one scored any
    lived_experience_top: tuple[int, ...]  # the same over the lived-experience groups' votes

    def name_of(self, theme: int) -> str:
        return next(score.name for score in self.themes if score.theme == theme)


def points(method: str, dots: int | None, rank: int | None, ranks_per_person: int) -> int:
    """What one vote row adds to its theme's score: its dots, or its Borda points (k for 1st,
    down to 1 for k-th; nothing for a place past k)."""
    if method == DOTS:
        return max(dots or 0, 0)
    if method == RANKING:
        return max(ranks_per_person - (rank or ranks_per_person + 1) + 1, 0)
    raise ValueError(f"unknown voting method {method!r}")


def tally(
    method: str,
    themes: Sequence[tuple[int, str]],
    ballots: Iterable[Ballot],
    *,
    ranks_per_person: int,
    group_order: Sequence[str],
    lived_experience_groups: Collection[str],
) -> Tally:
    """The round's results from its themes (id, name, in the facilitator's order) and every
    vote row: scores overall and by group, places, voters by group, and the first choice of
    everyone and of the lived-experience groups. A ballot for a theme not listed is a mistake
    in the caller (votes go with their theme) and raises ValueError."""
    order = {theme: index for index, (theme, _name) in enumerate(themes)}
    totals = dict.fromkeys(order, 0)
    by_group: dict[int, dict[str, int]] = {theme: {} for theme in order}
    voter_groups: dict[int, str] = {}
    for ballot in ballots:
        if ballot.theme not in order:
            raise ValueError(f"a vote for theme {ballot.theme}, which is not in the round")
        earned = points(method, ballot.dots, ballot.rank, ranks_per_person)
        totals[ballot.theme] += earned
        theme_groups = by_group[ballot.theme]
        theme_groups[ballot.group] = theme_groups.get(ballot.group, 0) + earned
        voter_groups[ballot.voter] = ballot.group
    voters_by_group: dict[str, int] = {}
    for group in voter_groups.values():
        voters_by_group[group] = voters_by_group.get(group, 0) + 1
    groups = _ordered_groups(voters_by_group, group_order)
    lived = {
        theme: sum(counts.get(group, 0) for group in lived_experience_groups)
        for theme, counts in by_group.items()
    }
    ranked = sorted(order, key=lambda theme: (-totals[theme], order[theme]))
    places = _places([totals[theme] for theme in ranked])
    scores = tuple(
        ThemeScore(
            theme=theme,
            name=themes[order[theme]][1],
            place=place,
            tied=places.count(place) > 1,
            total=totals[theme],
            by_group={group: by_group[theme].get(group, 0) for group in groups},
            lived_experience=lived[theme],
        )
        for theme, place in zip(ranked, places, strict=True)
    )
    return Tally(
        method=method,
        points_for_first=ranks_per_person if method == RANKING else 0,
        themes=scores,
        groups=groups,
        voters=len(voter_groups),
        voters_by_group={group: voters_by_group[group] for group in groups},
        lived_experience_voters=sum(
            count for group, count in voters_by_group.items() if group in lived_experience_groups
        ),
        top=_highest(totals, order),
        lived_experience_top=_highest(lived, order),
    )


def _ordered_groups(counts: Mapping[str, int], group_order: Sequence[str]) -> tuple[str, ...]:
    # Groups in the given order; one not listed goes at the end, so no vote is ever dropped.
    known = [group for group in group_order if group in counts]
    return tuple(known + sorted(set(counts) - set(known)))


def _places(descending: Sequence[int]) -> list[int]:
    """Competition places of scores sorted highest first: equal scores share the place of the
    first of them, and the next place skips ("1224")."""
    places: list[int] = []
    for index, score in enumerate(descending):
        tied_above = index > 0 and score == descending[index - 1]
        places.append(places[-1] if tied_above else index + 1)
    return places


def _highest(scores: Mapping[int, int], order: Mapping[int, int]) -> tuple[int, ...]:
    best = max(scores.values(), default=0)
    if best <= 0:
        return ()
    return tuple(sorted((t for t, s in scores.items() if s == best), key=order.__getitem__))


def place_words(place: int, tied: bool) -> str:
    """ "1st", "joint 2nd", "11th", "22nd"."""
    # 11th to 13th (and 111th...) break the rule of the last digit.
    teens = 10 <= place % 100 <= 20
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{'joint ' if tied else ''}{place}{suffix}"


def _names(tally: Tally, themes: Sequence[int]) -> str:
    quoted = [f"‘{tally.name_of(theme)}’" for theme in themes]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _first(tally: Tally, themes: Sequence[int]) -> str:
    return f"{_names(tally, themes)} {'joint ' if len(themes) > 1 else ''}first"


def lived_experience_summary(tally: Tally) -> str:
    """One sentence: which theme people who draw on care and carers put first, and whether it is
    everyone's first choice too."""
    if not tally.voters:
        return "Nobody has voted yet."
    if not tally.lived_experience_top:
        return (
            "Nobody who draws on care or is a carer voted in this round, so their first "
            "choice is not known."
        )
    people = tally.lived_experience_voters
    who = f"People who draw on care and carers ({people} {'person' if people == 1 else 'people'})"
    if tally.lived_experience_top == tally.top:
        verb = "as did" if len(tally.top) == 1 else "and so did"
        return f"{who} put {_first(tally, tally.lived_experience_top)}, {verb} everyone together."
    return (
        f"{who} put {_first(tally, tally.lived_experience_top)}. Everyone together put "
        f"{_first(tally, tally.top)}."
    )


def summary_rows(tally: Tally, group_labels: Mapping[str, str]) -> list[list[str | int]]:
    """The results as a table, for the page's data table and the CSV alike: a header, one row
    per theme (place, theme, total, then each group), and a last row of how many people voted."""
    header: list[str | int] = ["Place", "Theme", "Total"]
    header += [group_labels.get(group, group) for group in tally.groups]
    rows = [header]
    for score in tally.themes:
        place = place_words(score.place, score.tied) if score.total else "–"
        row: list[str | int] = [place, score.name, score.total]
        rows.append(row + [score.by_group[group] for group in tally.groups])
    voted: list[str | int] = ["", "People who voted", tally.voters]
    rows.append(voted + [tally.voters_by_group[group] for group in tally.groups])
    return rows
