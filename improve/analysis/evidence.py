"""The evidence behind change ideas (pure: plain rows in, results out; no Flask, no database).

Three kinds of evidence, each valuable in its own right, as the research centre behind issue 20
(point 3) defines evidence for social care: research, the practice knowledge of staff, and the
lived experience of people who draw on care and their carers. A change "rests on" a kind when at
least one piece of evidence of that kind is recorded for it; no kind outranks another.

Two readers, each with one function here:
- the change-idea library: which kinds of evidence are behind each idea group (across the teams
  that hold it), the search by kind, and how many ideas rest on lived experience
  (`library_evidence`);
- the strategic panel's pack: what the adopted changes rest on, with a sentence that says it
  (`adopted_evidence`). The panel page, its print layout and its XLSX file all read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

RESEARCH = "research"
PRACTICE_KNOWLEDGE = "practice_knowledge"
LIVED_EXPERIENCE = "lived_experience"
#: The kinds in the order every page lists them.
KINDS = (RESEARCH, PRACTICE_KNOWLEDGE, LIVED_EXPERIENCE)
#: The library's search value for ideas with no evidence recorded in any team.
NO_EVIDENCE = "none"

#: The kinds as a sentence names them ("4 rest on practice knowledge").
KIND_WORDS = {
    RESEARCH: "research",
    PRACTICE_KNOWLEDGE: "practice knowledge",
    LIVED_EXPERIENCE: "lived experience",
}


def in_order(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds given, once each, in the order of KINDS (unknown values are left out)."""
    present = set(kinds)
    return tuple(kind for kind in KINDS if kind in present)


# The change-idea library ------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryEvidence:
    """The evidence behind the library's ideas. `items` and `kinds` are per change idea (one
    team's), `group_kinds` per idea group (every team that holds it)."""

    items: dict[int, int]  # idea id -> how many pieces of evidence
    kinds: dict[int, tuple[str, ...]]  # idea id -> the kinds, in order
    group_kinds: dict[int, tuple[str, ...]]  # group id -> the kinds across its teams
    groups: tuple[int, ...]  # every group id, with or without evidence

    def kinds_of(self, idea_ids: Iterable[int]) -> tuple[str, ...]:
        """The kinds behind any of these ideas (one team's ideas in a group, say)."""
        return in_order(kind for idea_id in idea_ids for kind in self.kinds.get(idea_id, ()))

    def items_of(self, idea_ids: Iterable[int]) -> int:
        return sum(self.items.get(idea_id, 0) for idea_id in idea_ids)

    def rests_on_lived_experience(self, group_id: int) -> bool:
        return LIVED_EXPERIENCE in self.group_kinds.get(group_id, ())

    @property
    def lived_experience_groups(self) -> int:
        """How many idea groups rest on lived experience (in any team that holds them)."""
        return sum(self.rests_on_lived_experience(group_id) for group_id in self.groups)

    def matching(self, wanted: str) -> set[int]:
        """The groups a search by kind keeps: "" keeps all; NO_EVIDENCE those with no evidence
        recorded in any team; a kind those resting on it in at least one team."""
        if not wanted:
            return set(self.groups)
        if wanted == NO_EVIDENCE:
            return {group_id for group_id in self.groups if not self.group_kinds.get(group_id)}
        return {
            group_id for group_id in self.groups if wanted in self.group_kinds.get(group_id, ())
        }


def library_evidence(
    ideas: Iterable[tuple[int, int]], evidence: Iterable[tuple[int, str]]
) -> LibraryEvidence:
    """From (idea id, group id) for every idea of the library and (idea id, kind) for every
    piece of evidence, the kinds and counts per idea and per group. Evidence of an idea not in
    `ideas` (another collaborative's) is left out."""
    group_of = {int(idea_id): int(group_id) for idea_id, group_id in ideas}
    items: dict[int, int] = defaultdict(int)
    kinds: dict[int, set[str]] = defaultdict(set)
    by_group: dict[int, set[str]] = defaultdict(set)
    for idea_id, kind in evidence:
        idea_id = int(idea_id)
        if idea_id not in group_of or kind not in KINDS:
            continue
        items[idea_id] += 1
        kinds[idea_id].add(kind)
        by_group[group_of[idea_id]].add(kind)
    return LibraryEvidence(
        items=dict(items),
        kinds={idea_id: in_order(found) for idea_id, found in kinds.items()},
        group_kinds={group_id: in_order(found) for group_id, found in by_group.items()},
        groups=tuple(sorted(set(group_of.values()))),
    )


# The panel's pack -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptedChange:
    """A team's change idea with at least one test of change decided "adopt"."""

    idea_id: int
    team_id: int
    title: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class AdoptedEvidence:
    """What the adopted changes rest on: each change with its kinds, how many changes rest on
    each kind (a change resting on two kinds counts under both), how many rest on none, and
    the sentence that says so."""

    changes: tuple[AdoptedChange, ...]
    counts: dict[str, int] = field(default_factory=dict)  # kind -> changes resting on it
    without: int = 0  # changes with no evidence recorded
    sentence: str = ""

    @property
    def total(self) -> int:
        return len(self.changes)


def adopted_evidence(rows: Iterable[tuple[int, int, str, str | None]]) -> AdoptedEvidence:
    """From one row per adopted change idea and piece of evidence behind it — (idea id, team id,
    title, kind), kind None for an idea with none — the adopted changes, alphabetical by title
    then oldest first, each counted once however many of its tests were adopted or pieces of
    evidence it has."""
    titles: dict[int, tuple[int, str]] = {}
    kinds: dict[int, set[str]] = defaultdict(set)
    for idea_id, team_id, title, kind in rows:
        titles.setdefault(int(idea_id), (int(team_id), str(title)))
        if kind in KINDS:
            kinds[int(idea_id)].add(str(kind))
    changes = tuple(
        AdoptedChange(idea_id, team_id, title, in_order(kinds[idea_id]))
        for idea_id, (team_id, title) in sorted(
            titles.items(), key=lambda item: (" ".join(item[1][1].split()).casefold(), item[0])
        )
    )
    counts = {kind: sum(kind in change.kinds for change in changes) for kind in KINDS}
    without = sum(not change.kinds for change in changes)
    sentence = adopted_sentence(len(changes), counts, without)
    return AdoptedEvidence(changes, counts, without, sentence)


def adopted_sentence(total: int, counts: dict[str, int], without: int) -> str:
    """E.g. "Of 5 adopted changes, 4 rest on practice knowledge, 2 on research and 2 on lived
    experience; 1 has no evidence recorded." Kinds with more changes first (ties in the order
    of KINDS); a kind no change rests on is said too ("none on lived experience"), so its
    absence shows."""
    if total == 0:
        return "No changes were adopted in this period, so there is no evidence to show."
    changes = "adopted change" if total == 1 else "adopted changes"
    if without == total:
        has = "has" if total == 1 else "have"
        return f"Of {total} {changes}, none {has} any evidence recorded yet."
    ranked = sorted(KINDS, key=lambda kind: (-counts.get(kind, 0), KINDS.index(kind)))
    parts: list[str] = []
    for kind in ranked:
        count = counts.get(kind, 0)
        number = str(count) if count else "none"
        if not parts:
            verb = "rests" if count == 1 else "rest"
            parts.append(f"{number} {verb} on {KIND_WORDS[kind]}")
        else:
            parts.append(f"{number} on {KIND_WORDS[kind]}")
    listed = f"{', '.join(parts[:-1])} and {parts[-1]}"
    if not without:
        return f"Of {total} {changes}, {listed}."
    has = "has" if without == 1 else "have"
    return f"Of {total} {changes}, {listed}; {without} {has} no evidence recorded."
