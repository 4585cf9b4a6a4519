"""The change-idea library's sums (pure: pandas frames in, frames out; no Flask, no database).

Teams in a collaborative often write down the same idea: the same name, or one team copies
another's. The library shows such ideas once, with every team that has them, how many PDSA
cycles each ran, the decisions they made (adopt, adapt, abandon) and whether a signal followed
on one of their measures (found by the caller: see improve/ideas/queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

DECISIONS = ("adopt", "adapt", "abandon")

# Input columns, so an empty frame keeps its shape.
IDEA_COLUMNS = ["idea_id", "team_id", "title", "description", "copied_from_id", "driver_id"]
CYCLE_COLUMNS = ["idea_id", "decision"]
SIGNAL_COLUMNS = ["idea_id", "improvement"]
DRIVER_COLUMNS = ["driver_id", "kind", "title"]
LINK_COLUMNS = ["secondary_id", "primary_id"]

# Output columns.
IDEA_DRIVER_COLUMNS = ["idea_id", "kind", "title", "key"]
TEAM_COLUMNS = [
    "group_id",
    "team_id",
    "cycles",
    *DECISIONS,
    "undecided",
    "signals",
    "improvement",
]
GROUP_COLUMNS = [
    "group_id",
    "teams",
    "teams_tested",
    "cycles",
    *DECISIONS,
    "undecided",
    "teams_with_signal",
    "teams_with_improvement",
]
_COUNTS = ["cycles", *DECISIONS, "undecided", "signals"]


def normalised(text: str) -> str:
    """How names compare: trimmed, ignoring case and repeated spaces ("Night  lights " is
    "night lights")."""
    return " ".join(str(text).split()).casefold()


def idea_groups(ideas: pd.DataFrame) -> pd.Series:
    """For each idea (same index as `ideas`), the group it belongs to. Two ideas are one when
    their titles are the same once normalised, or when one was copied from the other; both
    rules chain (a copy of a copy is still the same idea). A group is named by its lowest
    idea id, usually the one first written down."""
    ids = [int(value) for value in ideas["idea_id"]]
    parent = {idea_id: idea_id for idea_id in ids}

    def root(idea_id: int) -> int:
        while parent[idea_id] != idea_id:
            parent[idea_id] = parent[parent[idea_id]]
            idea_id = parent[idea_id]
        return idea_id

    def join(first: int, second: int) -> None:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)  # the root stays the lowest id

    first_with_title: dict[str, int] = {}
    for idea_id, title, source in zip(ids, ideas["title"], ideas["copied_from_id"], strict=True):
        key = normalised(title)
        join(first_with_title.setdefault(key, idea_id), idea_id)
        # A copy whose original is not in the frame (another collaborative's) stands alone.
        if pd.notna(source) and int(source) in parent:
            join(int(source), idea_id)
    return pd.Series([root(i) for i in ids], index=ideas.index, name="group_id", dtype="int64")


def idea_drivers(ideas: pd.DataFrame, drivers: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The drivers each idea works on: the driver it sits under and, when that is a secondary
    driver, the primary drivers it feeds. Columns: idea_id, kind, title, key (the title
    normalised, for matching drivers with the same text across teams)."""
    placed = ideas.loc[ideas["driver_id"].notna(), ["idea_id", "driver_id"]].astype("int64")
    own = placed.merge(drivers, on="driver_id")
    fed = (
        placed.merge(links, left_on="driver_id", right_on="secondary_id")
        .drop(columns=["driver_id", "secondary_id"])
        .rename(columns={"primary_id": "driver_id"})
        .merge(drivers, on="driver_id")
    )
    result = pd.concat([own, fed], ignore_index=True).drop(columns="driver_id")
    result["key"] = result["title"].map(normalised).astype(object)
    result = result.drop_duplicates(["idea_id", "key"]).reset_index(drop=True)
    return result.reindex(columns=IDEA_DRIVER_COLUMNS)


def driver_choices(drivers: pd.DataFrame) -> list[tuple[str, str]]:
    """The drivers to filter by, as (key, label), alphabetical; drivers with the same text
    (once normalised) are one choice, labelled as they were first written."""
    first = drivers.drop_duplicates("key")
    pairs = [
        (str(key), str(title)) for key, title in zip(first["key"], first["title"], strict=True)
    ]
    return sorted(pairs, key=lambda pair: pair[0])


def team_summary(ideas: pd.DataFrame, cycles: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """One row per idea group and team that has the idea: its cycles, how many ended in each
    decision (and how many are not decided yet), how many signals followed, and whether any of
    them was an improvement. `ideas` needs idea_id, group_id and team_id; `cycles` one row per
    cycle (idea_id, decision: "adopt", "adapt", "abandon" or empty); `signals` one row per
    signal that followed an idea (idea_id, improvement)."""
    base = ideas[["idea_id", "group_id", "team_id"]]
    keys = ["group_id", "team_id"]
    tested = cycles[CYCLE_COLUMNS].merge(base, on="idea_id")
    decision = tested["decision"].fillna("").astype(str)
    counts = pd.DataFrame(
        {
            "group_id": tested["group_id"],
            "team_id": tested["team_id"],
            "cycles": 1,
            **{name: (decision == name).astype("int64") for name in DECISIONS},
            "undecided": (~decision.isin(DECISIONS)).astype("int64"),
        }
    )
    followed = signals[SIGNAL_COLUMNS].merge(base, on="idea_id")
    found = pd.DataFrame(
        {
            "group_id": followed["group_id"],
            "team_id": followed["team_id"],
            "signals": 1,
            "improvement": followed["improvement"].astype(bool),
        }
    )
    result = (
        base[keys]
        .drop_duplicates()
        .merge(counts.groupby(keys, as_index=False).sum(), on=keys, how="left")
        .merge(
            found.groupby(keys, as_index=False).agg(
                signals=("signals", "sum"), improvement=("improvement", "any")
            ),
            on=keys,
            how="left",
        )
    )
    result[_COUNTS] = result[_COUNTS].fillna(0).astype("int64")
    result["improvement"] = result["improvement"].astype("boolean").fillna(False).astype(bool)
    return result.sort_values(keys, ignore_index=True).reindex(columns=TEAM_COLUMNS)


def group_summary(teams: pd.DataFrame) -> pd.DataFrame:
    """Per idea group, from `team_summary`: how many teams have it and how many tested it,
    cycles and decisions in all, and in how many teams a signal (an improvement) followed."""
    frame = teams.assign(
        teams=1,
        teams_tested=(teams["cycles"] > 0).astype("int64"),
        teams_with_signal=(teams["signals"] > 0).astype("int64"),
        teams_with_improvement=teams["improvement"].astype("int64"),
    )
    columns = [name for name in GROUP_COLUMNS if name != "group_id"]
    result = frame.groupby("group_id", as_index=False)[columns].sum()
    return result.reindex(columns=GROUP_COLUMNS).astype("int64")


def matching_groups(
    ideas: pd.DataFrame, drivers: pd.DataFrame, words: str = "", driver: str = ""
) -> list[int]:
    """The idea groups that match a search, in group order. Every word of `words` must appear
    (ignoring case) in the title or description of one of the group's ideas, not necessarily
    the same one; `driver` (a normalised driver title) must be a driver one of them works on.
    Empty means no condition."""
    groups = ideas[["idea_id", "group_id"]]
    wanted = {int(group_id) for group_id in groups["group_id"]}
    terms = normalised(words).split()
    if terms:
        text = ideas["title"].astype(str) + " " + ideas["description"].fillna("").astype(str)
        combined = text.map(normalised).groupby(ideas["group_id"]).agg(" ".join)
        wanted &= {
            int(group_id)
            for group_id, content in zip(combined.index, combined, strict=True)
            if all(term in content for term in terms)
        }
    if driver:
        under = drivers.loc[drivers["key"] == normalised(driver), ["idea_id"]].merge(groups)
        wanted &= {int(group_id) for group_id in under["group_id"]}
    return sorted(wanted)


def ordered(ids: Iterable[int], titles: dict[int, str]) -> list[int]:
    """Group ids in the library's order: alphabetical by title, then oldest first."""
    return sorted(ids, key=lambda group_id: (normalised(titles[group_id]), group_id))
