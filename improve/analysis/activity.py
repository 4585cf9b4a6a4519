"""The coordinator's view of a collaborative (pure: pandas frames in, frames out; no Flask, no
database): when each team last worked on a test of change or recorded data, which teams have
stalled, which measures have missing weeks or months, each team's report and scores for a
period, and which teams need a call this week, with the reasons in plain words.

SCIE Guide 34 asks the coordinator to "ensure progress" while staying "supportive rather than
scrutinising": the view points at who may need help, never ranks teams.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from improve.analysis.periods import Cadence, report_state, submission_timing, uk_date

# Input columns, so an empty frame keeps its shape. Dates are datetime.date objects or None.
TEAM_COLUMNS = ["team_id", "name", "joined_on"]  # joined_on: when the team could first act
CYCLE_COLUMNS = ["team_id", "last_updated", "last_started"]  # one row per team, or per cycle
POINT_COLUMNS = ["measure_id", "team_id", "period_start", "created_on"]
MEASURE_COLUMNS = ["measure_id", "team_id", "name", "frequency", "baseline_start"]  # team_id None:
# a shared measure, which every team reports against.
REPORT_COLUMNS = ["team_id", "revision", "status", "suggested_score", "submitted_at"]
PLAN_COLUMNS = ["team_id", "starts_on"]  # one row per cycle still at the Plan stage
SCORE_COLUMNS = ["team_id", "assessor", "score"]

# Output columns.
ACTIVITY_COLUMNS = [
    "team_id",
    "last_cycle",
    "last_data",
    "days_since_cycle",
    "days_since_data",
    "quiet_cycles",
    "quiet_data",
    "stalled",
]
MISSING_COLUMNS = ["team_id", "measure_id", "period_start"]
GAP_COLUMNS = ["team_id", "measure_id", "recorded", "missing", "no_data"]
POINT_SUMMARY_COLUMNS = [
    "measure_id",
    "team_id",
    "first_period",
    "periods",
    "periods_to_date",
    "last_period",
    "last_created",
]
TEAM_GAP_COLUMNS = ["team_id", "measures_with_gaps", "missing_periods", "measures_without_data"]
# "timing": a SubmissionTiming for a submitted report (on time, or how late), else None.
STATE_COLUMNS = ["team_id", "state", "suggested_score", "timing"]
SCORE_GAP_COLUMNS = ["team_id", "self_score", "coordinator_score", "gap"]
CALL_COLUMNS = ["team_id", "name", "kinds", "reasons"]
STUCK_COLUMNS = ["team_id", "stuck_in_plan"]

# Why a team needs a call, in the order the reasons are listed and counted.
REASONS = {
    "late": "Report late",
    "stalled": "Stalled",
    "scores": "Scores far apart",
    "data": "Missing data",
    "plan": "Stuck in Plan",
}
# Two steps on the 0.5 to 5.0 progress scale: a difference the team and coordinator should talk
# about (the gap between the self score and others' is informative, DOMAIN.md section 6).
FAR_APART = 1.0
# A test of change still being planned two weeks after the day it was meant to start has
# probably stalled before it began: a short test is the point of PDSA (IHI: "test on a small
# scale, quickly"), and a coordinator's call can unblock it.
STUCK_AFTER = timedelta(days=14)


def joined_on(starts_on: date, added_at: datetime) -> date:
    """The day a team could first act: its collaborative's start (`starts_on`), or the UK day
    the team was added if later. A team counts as quiet from this day, and is asked for the
    reports of the periods from the one containing it (improve.reminders.open_reports)."""
    return max(starts_on, uk_date(added_at))


def _timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), index=values.index, dtype=object))


def _dates(values: pd.Series) -> list[date | None]:
    return [None if pd.isna(value) else pd.Timestamp(value).date() for value in values]


def _days(values: pd.Series) -> pd.Series:
    return pd.Series(values.dt.days, dtype="Int64")


def activity(
    teams: pd.DataFrame,
    cycles: pd.DataFrame,
    points: pd.DataFrame,
    today: date,
    stall_weeks: int,
) -> pd.DataFrame:
    """One row per team: the last day it worked on a test of change (the latest cycle change,
    or the latest cycle start up to today) and the last day it recorded data (the latest data
    point entered, or the latest period with a value), never later than today; the days since
    each (missing when never); whether each has been quiet for `stall_weeks` weeks or more; and
    stalled, when both have. A team that has never done one of them counts as quiet from the
    day it joined."""
    now = pd.Timestamp(today)
    frame = teams[["team_id"]].reset_index(drop=True)
    joined = _timestamps(teams["joined_on"].reset_index(drop=True))
    started = _timestamps(cycles["last_started"])
    # A cycle planned to start later is activity on the day it was planned (its last change).
    started = started.mask(started > now)
    latest_cycle = pd.concat([_timestamps(cycles["last_updated"]), started], axis=1).max(axis=1)
    latest_point = pd.concat(
        [_timestamps(points["created_on"]), _timestamps(points["period_start"])], axis=1
    ).max(axis=1)
    by_cycle = latest_cycle.groupby(cycles["team_id"]).max()
    by_point = latest_point.groupby(points["team_id"]).max()
    limit = pd.Timedelta(weeks=stall_weeks)
    result: dict[str, Any] = {"team_id": frame["team_id"]}
    for name, latest, quiet in (
        ("cycle", by_cycle, "quiet_cycles"),
        ("data", by_point, "quiet_data"),
    ):
        found = latest.to_dict()
        last = _timestamps(pd.Series([found.get(t) for t in frame["team_id"]], dtype=object))
        last = last.mask(last > now, now)
        result[f"last_{name}"] = _dates(last)
        result[f"days_since_{name}"] = _days(now - last)
        result[quiet] = ((now - last.fillna(joined)) >= limit).astype(bool)
    output = pd.DataFrame(result)
    output["stalled"] = output["quiet_cycles"] & output["quiet_data"]
    return output.reindex(columns=ACTIVITY_COLUMNS)


def period_of(day: pd.Timestamp, frequency: str) -> pd.Timestamp:
    """The first day of the measure's period holding `day`: Monday for weekly, the 1st for
    monthly (as the data-entry table counts them)."""
    day = pd.Timestamp(day).normalize()
    if frequency == "weekly":
        return day - pd.Timedelta(days=day.weekday())
    return day.replace(day=1)


def last_complete_period(today: date, frequency: str) -> pd.Timestamp:
    """The latest week or month that has ended by today (the one before today's)."""
    current = period_of(pd.Timestamp(today), frequency)
    if frequency == "weekly":
        return current - pd.Timedelta(weeks=1)
    return current - pd.DateOffset(months=1)


def measure_pairs(measures: pd.DataFrame, team_ids: list[int]) -> pd.DataFrame:
    """Who reports what: each team measure with its own team (if listed) and each shared measure
    with every listed team. Columns: measure_id, team_id, frequency, baseline_start."""
    own = measures.loc[measures["team_id"].notna()].copy()
    own["team_id"] = own["team_id"].astype("int64")
    own = own.loc[own["team_id"].isin(team_ids)]
    shared = measures.loc[measures["team_id"].isna()].drop(columns="team_id")
    everyone = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    crossed = shared.merge(everyone, how="cross")
    columns = ["measure_id", "team_id", "frequency", "baseline_start"]
    pairs = pd.concat([own.reindex(columns=columns), crossed.reindex(columns=columns)])
    pairs = pairs.astype({"measure_id": "int64", "team_id": "int64"})
    return pairs.sort_values(["team_id", "measure_id"], ignore_index=True)


def period_numbers(days: pd.Series, frequency: pd.Series) -> pd.Series:
    """Each day's period as a whole number, so ranges of periods are plain arithmetic: weeks
    (Monday to Sunday) counted from 5 January 1970, or months counted from year 0."""
    stamps = pd.to_datetime(pd.Series(list(days), index=days.index, dtype=object))
    weeks = (stamps - pd.Timestamp("1970-01-05")).dt.days // 7
    months = stamps.dt.year * 12 + stamps.dt.month - 1
    return weeks.where(frequency.astype(str) == "weekly", months).astype("Int64")


def _last_complete_numbers(frequency: pd.Series, today: date) -> pd.Series:
    """The number of the last complete period, for each frequency given."""
    ends = {
        name: period_numbers(pd.Series([last_complete_period(today, name)]), pd.Series([name]))
        for name in ("weekly", "monthly")
    }
    weekly = frequency.astype(str) == "weekly"
    numbers = pd.Series(int(ends["monthly"].iloc[0]), index=frequency.index, dtype="Int64")
    return numbers.mask(weekly, int(ends["weekly"].iloc[0]))


def summarise_points(measures: pd.DataFrame, points: pd.DataFrame, today: date) -> pd.DataFrame:
    """Per (measure, team) with any value: the first period with a value, the number of periods
    with a value (in all, and up to the last complete period), the latest period and the day the
    latest point was entered (POINT_SUMMARY_COLUMNS). The database computes the same summary in
    one aggregate query (improve.coordination.queries.point_summary_frame), so the whole
    collaborative's points never have to leave it."""
    frequency = measures.set_index("measure_id")["frequency"].astype(str)
    known = points.loc[points["measure_id"].isin(frequency.index)].reset_index(drop=True)
    if known.empty:
        return pd.DataFrame(columns=POINT_SUMMARY_COLUMNS)
    kinds = known["measure_id"].map(frequency)
    frame = pd.DataFrame(
        {
            "measure_id": known["measure_id"].astype("int64"),
            "team_id": known["team_id"].astype("int64"),
            "period": period_numbers(known["period_start"], kinds),
            "to_date": period_numbers(known["period_start"], kinds)
            <= _last_complete_numbers(kinds, today),
            "period_start": _timestamps(known["period_start"]),
            "created_on": _timestamps(known["created_on"]),
        }
    )
    distinct = frame.drop_duplicates(["measure_id", "team_id", "period"])
    keys = ["measure_id", "team_id"]
    summary = frame.groupby(keys).agg(
        first_period=("period_start", "min"),
        last_period=("period_start", "max"),
        last_created=("created_on", "max"),
    )
    summary["periods"] = distinct.groupby(keys).size()
    summary["periods_to_date"] = distinct.loc[distinct["to_date"]].groupby(keys).size()
    summary = summary.reset_index()
    summary["periods_to_date"] = summary["periods_to_date"].fillna(0).astype("int64")
    for column in ("first_period", "last_period", "last_created"):
        summary[column] = _dates(summary[column])
    return summary.reindex(columns=POINT_SUMMARY_COLUMNS)


def latest_points(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as the points `activity` reads: its latest period and entry day stand for
    all of a (measure, team)'s points, since `activity` only wants the latest of each."""
    return pd.DataFrame(
        {
            "measure_id": summary["measure_id"],
            "team_id": summary["team_id"],
            "period_start": summary["last_period"],
            "created_on": summary["last_created"],
        },
        columns=POINT_COLUMNS,
    )


def _ranges(
    measures: pd.DataFrame, team_ids: list[int], summary: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Each (measure, team) pair with the first and last period numbers it should have values
    for: from its first point or the baseline start, whichever is earlier, to the last complete
    period. A pair with neither has first missing (nothing expected yet)."""
    pairs = measure_pairs(measures, team_ids)
    pairs = pairs.merge(
        summary.reindex(columns=POINT_SUMMARY_COLUMNS), on=["measure_id", "team_id"], how="left"
    )
    frequency = pairs["frequency"].astype(str)
    first = pd.concat(
        [
            period_numbers(pairs["first_period"], frequency),
            period_numbers(pairs["baseline_start"], frequency),
        ],
        axis=1,
    ).min(axis=1)
    pairs["first"] = first.astype("Int64")
    pairs["last"] = _last_complete_numbers(frequency, today)
    return pairs


def missing_periods(
    measures: pd.DataFrame, team_ids: list[int], points: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Every week or month (by the measure's frequency) with no value for a team, from the
    measure's first point for that team or its baseline start, whichever is earlier, to the
    last complete period. A measure with neither has no range yet, so nothing is missing (see
    `measure_gaps` for "no data yet"). Columns: team_id, measure_id, period_start (a date)."""
    pairs = _ranges(measures, team_ids, summarise_points(measures, points, today), today)
    pairs = pairs.loc[pairs["first"].notna() & (pairs["first"] <= pairs["last"])]
    if pairs.empty:
        return pd.DataFrame(columns=MISSING_COLUMNS).astype(
            {"team_id": "int64", "measure_id": "int64"}
        )
    sizes = (pairs["last"] - pairs["first"] + 1).astype("int64").to_numpy()
    expected = pd.DataFrame(
        {
            "measure_id": np.repeat(pairs["measure_id"].to_numpy(), sizes),
            "team_id": np.repeat(pairs["team_id"].to_numpy(), sizes),
            "frequency": np.repeat(pairs["frequency"].astype(str).to_numpy(), sizes),
            "period": np.repeat(pairs["first"].astype("int64").to_numpy(), sizes) + _offsets(sizes),
        }
    )
    frequency = measures.set_index("measure_id")["frequency"].astype(str)
    known = points.loc[points["measure_id"].isin(frequency.index)]
    have = pd.DataFrame(
        {
            "measure_id": known["measure_id"].astype("int64"),
            "team_id": known["team_id"].astype("int64"),
            "period": period_numbers(
                known["period_start"], known["measure_id"].map(frequency)
            ).astype("int64"),
            "have": True,
        }
    ).drop_duplicates(["measure_id", "team_id", "period"])
    expected = expected.merge(have, on=["measure_id", "team_id", "period"], how="left")
    gaps = expected.loc[expected["have"].isna()]
    return pd.DataFrame(
        {
            "team_id": gaps["team_id"].astype("int64"),
            "measure_id": gaps["measure_id"].astype("int64"),
            "period_start": [
                _period_day(int(number), kind)
                for number, kind in zip(gaps["period"], gaps["frequency"], strict=True)
            ],
        },
        columns=MISSING_COLUMNS,
    ).reset_index(drop=True)


def _offsets(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n in sizes, end to end."""
    starts: np.ndarray = np.repeat(np.cumsum(sizes) - sizes, sizes)
    offsets: np.ndarray = np.arange(int(sizes.sum())) - starts
    return offsets


def _period_day(number: int, frequency: str) -> date:
    if frequency == "weekly":
        return (pd.Timestamp("1970-01-05") + pd.Timedelta(weeks=number)).date()
    return date(number // 12, number % 12 + 1, 1)


def gaps_from_summary(
    measures: pd.DataFrame, team_ids: list[int], summary: pd.DataFrame, today: date
) -> pd.DataFrame:
    """`measure_gaps` from a points summary (see `summarise_points`)."""
    pairs = _ranges(measures, team_ids, summary, today)
    expected = (pairs["last"] - pairs["first"] + 1).clip(lower=0).fillna(0).astype("int64")
    to_date = pairs["periods_to_date"].fillna(0).astype("int64")
    frame = pairs[["team_id", "measure_id"]].copy()
    frame["recorded"] = pairs["periods"].fillna(0).astype("int64")
    frame["missing"] = (expected - to_date).clip(lower=0).astype("int64")
    frame["no_data"] = (frame["recorded"] == 0).astype(bool)
    gaps: pd.DataFrame = frame.reindex(columns=GAP_COLUMNS).reset_index(drop=True)
    return gaps


def measure_gaps(
    measures: pd.DataFrame, team_ids: list[int], points: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Per team and measure it reports: how many periods have a value, how many are missing
    (see `missing_periods`), and no_data when the team has no value at all for it."""
    return gaps_from_summary(measures, team_ids, summarise_points(measures, points, today), today)


def team_gaps(gaps: pd.DataFrame, team_ids: list[int]) -> pd.DataFrame:
    """Per team, from `measure_gaps`: measures with missing periods, missing periods in all,
    and measures with no data yet (zeros for a team with no measures)."""
    summary = gaps.assign(
        with_gaps=(gaps["missing"] > 0).astype("int64"),
        without=gaps["no_data"].astype("int64"),
    )
    totals = summary.groupby("team_id").agg(
        measures_with_gaps=("with_gaps", "sum"),
        missing_periods=("missing", "sum"),
        measures_without_data=("without", "sum"),
    )
    frame = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    frame = frame.merge(totals, left_on="team_id", right_index=True, how="left")
    counts = TEAM_GAP_COLUMNS[1:]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame.reindex(columns=TEAM_GAP_COLUMNS)


def report_states(
    team_ids: list[int],
    reports: pd.DataFrame,
    period: date,
    cadence: Cadence,
    due_day: int,
    today: date,
    joined: dict[int, date] | None = None,
) -> pd.DataFrame:
    """Each team's report for the period (`reports` holds every revision for that period):
    submitted once any revision was submitted (a correction being written keeps it submitted),
    draft when the latest revision is a draft before the due date, late when nothing was
    submitted by the due date, due before then; with the suggested score of the latest
    revision (what the team's own records suggest), and for a submitted report how it stood
    against the due date (improve.analysis.periods.submission_timing)."""
    latest: dict[int, tuple[str, float | None]] = {}
    # Every known moment each team submitted a revision: the first one says how late it was.
    submitted_at_times: dict[int, list[Any]] = {}
    ordered = reports.sort_values("revision")
    for team_id, status, suggested, submitted_at in zip(
        ordered["team_id"].tolist(),
        ordered["status"].astype(str).tolist(),
        ordered["suggested_score"].tolist(),
        ordered["submitted_at"].tolist(),
        strict=True,
    ):
        latest[team_id] = (status, None if pd.isna(suggested) else float(suggested))
        if status == "submitted":
            moments = submitted_at_times.setdefault(team_id, [])
            if not pd.isna(submitted_at):
                moments.append(submitted_at)
    rows = []
    for team_id in team_ids:
        status, suggested = latest.get(team_id, ("", None))
        submitted = team_id in submitted_at_times
        state = report_state(
            period,
            cadence,
            due_day,
            today,
            submitted,
            status == "draft",
            (joined or {}).get(team_id),
        )
        known = submitted_at_times.get(team_id)
        first = min(known) if known else None
        timing = submission_timing(period, cadence, due_day, first) if submitted else None
        rows.append((team_id, state, suggested, timing))
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS)
    return frame.astype({"team_id": "int64", "suggested_score": "float64"})


def score_gaps(team_ids: list[int], scores: pd.DataFrame) -> pd.DataFrame:
    """Per team, its own score and the coordinator's for the period, and the gap (own minus
    coordinator's: positive when the team rates itself higher), missing where a score is."""
    wide = scores.pivot_table(index="team_id", columns="assessor", values="score", aggfunc="max")
    frame = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    for assessor in ("self", "coordinator"):
        column = wide[assessor] if assessor in wide.columns else pd.Series(dtype="float64")
        frame[f"{assessor}_score"] = frame["team_id"].map(column).astype("float64")
    frame["gap"] = frame["self_score"] - frame["coordinator_score"]
    return frame.reindex(columns=SCORE_GAP_COLUMNS)


def team_table(
    teams: pd.DataFrame,
    active: pd.DataFrame,
    states: pd.DataFrame,
    scores: pd.DataFrame,
    gaps: pd.DataFrame,
    stuck: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The dashboard's rows, one per team in the order of `teams`: the outputs of `activity`,
    `report_states`, `score_gaps`, `team_gaps` and `stuck_counts` (none stuck when left out)
    side by side."""
    frame = teams[["team_id", "name"]].reset_index(drop=True)
    if stuck is None:
        stuck = pd.DataFrame(columns=STUCK_COLUMNS)
    for part in (active, states, scores, gaps, stuck):
        frame = frame.merge(part, on="team_id", how="left")
    frame["stuck_in_plan"] = frame["stuck_in_plan"].fillna(0).astype("int64")
    return frame


def stuck_in_plan(stage: str, starts_on: date, today: date) -> bool:
    """Whether a cycle is stuck: still at the Plan stage more than STUCK_AFTER (14 days) after
    the day it was planned to start."""
    return stage == "plan" and today - starts_on > STUCK_AFTER


def stuck_words(starts_on: date, today: date) -> str:
    """How long a stuck cycle has waited, like "Still in Plan 3 weeks after its planned start"."""
    return (
        f"Still in Plan {_plural(_weeks((today - starts_on).days), 'week')} after its planned start"
    )


def stuck_counts(plans: pd.DataFrame, team_ids: list[int], today: date) -> pd.DataFrame:
    """Per team, how many of its cycles still at the Plan stage (`plans`, PLAN_COLUMNS) are
    stuck (see `stuck_in_plan`); 0 for a team with none."""
    stuck = [
        int(team_id)
        for team_id, starts_on in zip(plans["team_id"], plans["starts_on"], strict=True)
        if stuck_in_plan("plan", starts_on, today)
    ]
    counts = pd.Series(stuck, dtype="int64").value_counts()
    frame = pd.DataFrame({"team_id": pd.Series(team_ids, dtype="int64")})
    frame["stuck_in_plan"] = frame["team_id"].map(counts).fillna(0).astype("int64")
    return frame.reindex(columns=STUCK_COLUMNS)


def _weeks(days: Any) -> int:
    return int(days) // 7


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def quiet_words(row: Any) -> str:
    """What a stalled team has not done, and for how long, in plain words."""
    cycles, data = row["days_since_cycle"], row["days_since_data"]
    if pd.isna(cycles) and pd.isna(data):
        return "No tests of change and no data recorded yet"
    tests = (
        "no tests of change yet"
        if pd.isna(cycles)
        else f"no work on tests of change for {_plural(_weeks(cycles), 'week')}"
    )
    numbers = (
        "no data recorded yet"
        if pd.isna(data)
        else f"no new data for {_plural(_weeks(data), 'week')}"
    )
    sentence = f"{tests} and {numbers}"
    return sentence[0].upper() + sentence[1:]


def _score_reason(row: Any) -> str | None:
    own, theirs, suggested = row["self_score"], row["coordinator_score"], row["suggested_score"]
    if pd.isna(own):
        return None
    if not pd.isna(theirs):
        if abs(own - theirs) >= FAR_APART:
            return f"The team scored itself {own:.1f}; the coordinator's score is {theirs:.1f}"
        return None
    if not pd.isna(suggested) and abs(own - suggested) >= FAR_APART:
        return f"The team scored itself {own:.1f}; its own records suggest {suggested:.1f}"
    return None


def _data_reason(row: Any) -> str | None:
    parts = []
    if row["measures_with_gaps"] > 0:
        periods = _plural(int(row["missing_periods"]), "week or month", "weeks or months")
        measures = _plural(int(row["measures_with_gaps"]), "measure")
        parts.append(f"{periods} of data missing in {measures}")
    if row["measures_without_data"] > 0:
        parts.append(f"no data yet for {_plural(int(row['measures_without_data']), 'measure')}")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


def late_teams(states: pd.DataFrame) -> set[int]:
    """The teams whose report is late, from `report_states`."""
    return {int(team_id) for team_id in states.loc[states["state"] == "late", "team_id"]}


def needs_a_call(
    table: pd.DataFrame,
    period_label: str,
    overdue: set[int] | frozenset[int] = frozenset(),
    overdue_label: str = "",
) -> pd.DataFrame:
    """The teams that need a call, from `team_table`: a late report for the period (or, for the
    teams in `overdue`, for the earlier period `overdue_label` whose report is due), stalled
    (no tests of change and no data for the collaborative's number of weeks), the team's own
    score at least FAR_APART from the coordinator's (or, before the coordinator scores, from
    what the team's records suggest), measures with missing weeks or months or no data yet, or
    tests of change stuck in Plan (see `stuck_in_plan`).
    Each with its reasons as codes (`kinds`, keys of REASONS) and sentences; most reasons
    first, then by team name."""
    rows = []
    for _, row in table.iterrows():
        found: list[tuple[str, str]] = []
        if row["state"] == "late":
            found.append(("late", f"The report for {period_label} is late"))
        elif int(row["team_id"]) in overdue:
            found.append(("late", f"The report for {overdue_label} is late"))
        if bool(row["stalled"]):
            found.append(("stalled", quiet_words(row)))
        scores = _score_reason(row)
        if scores:
            found.append(("scores", scores))
        data = _data_reason(row)
        if data:
            found.append(("data", data))
        stuck = int(row["stuck_in_plan"])
        if stuck:
            tests = _plural(stuck, "test of change", "tests of change")
            weeks = _plural(STUCK_AFTER.days // 7, "week")
            found.append(
                ("plan", f"{tests} still in Plan more than {weeks} after the planned start")
            )
        if found:
            kinds, reasons = zip(*found, strict=True)
            rows.append((int(row["team_id"]), str(row["name"]), list(kinds), list(reasons)))
    rows.sort(key=lambda item: (-len(item[2]), item[1].casefold()))
    return pd.DataFrame(rows, columns=CALL_COLUMNS).astype({"team_id": "int64"})


def reason_counts(calls: pd.DataFrame) -> dict[str, int]:
    """How many teams need a call for each reason (a team may count under several)."""
    counts = dict.fromkeys(REASONS, 0)
    for kinds in calls["kinds"]:
        for kind in kinds:
            counts[kind] += 1
    return counts
