"""Reads for the downloads: every data point (with what its chart says) and every cycle a person
may see in a collaborative. A fixed number of queries, whatever the number of teams; each team's
series's analysis is the one the measure page shows (improve.measures.analysis).

Someone who sees a team only as a member of the strategic panel gets that team's figures with
small numbers of people hidden, by the panel's rule (improve.analysis.disclosure, issue 19
point 4); the coordinator, who works with each team, and the team's own members see them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improve.analysis import disclosure
from improve.analysis.events import event_rows, gaps_between_events
from improve.analysis.rules import decisive_sides
from improve.analysis.series import Points, SeriesAnalysis
from improve.analysis.wording import centre_words, event_sentence, rule_sentence
from improve.exports.writers import Rows, safe_text
from improve.extensions import db
from improve.frames import parse_days, raw_query_frame
from improve.http_caching import content_tag
from improve.measures.analysis import (
    analyse_points,
    definition_of,
    series_columns,
    settings_of,
    split_series,
)
from improve.models import (
    COLLABORATIVE_ROLES,
    TEAM_ROLES,
    Aim,
    ChangeIdea,
    Collaborative,
    Cycle,
    CycleQuestion,
    DataPoint,
    Measure,
    Membership,
    Ramp,
    Role,
    Team,
    User,
    ValueKind,
)
from improve.permissions import roles_in_collaborative, visible_team_ids

YES_NO = {True: "Yes", False: "No"}
CHART_NAMES = {
    "run": "Run chart",
    "i": "I chart (XmR)",
    "mr": "Moving range chart",
    "p": "p chart",
    "u": "u chart",
    "c": "c chart",
    "g": "g chart (days between events)",
    "t": "t chart (time between events)",
}
BETTER_WHEN = {"increase": "Higher", "decrease": "Lower", "neutral": "Neither"}
RULE_NAMES = {
    "outside_limits": "Outside the limits",
    "trend": "Trend",
    "two_in_three": "Two of three near a limit",
    "shift": "Shift",
    "long_run": "Long run",
}
POINT_TYPE_NAMES = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause, high",
    "special_cause_neutral_low": "Special cause, low",
}
STAGE_NAMES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "closed": "Closed"}
IMPROVED_NAMES = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}

# Column: what it means, in plain words. The XLSX file's first sheet lists these.
MEASURE_COLUMNS: dict[str, str] = {
    "Team": "The team whose data this is.",
    "Measure": "The name of the measure.",
    "Kind of measure": "Outcome (what matters to people), process (are the steps happening) or "
    "balancing (are we causing a problem elsewhere).",
    "Shared": "Yes if every team of the collaborative reports this measure; No if it is the "
    "team's own.",
    "Chart": "The kind of chart the measure page draws for it.",
    "Better when": "Whether a higher or a lower number is better, or neither.",
    "Unit": "What the number counts, as the measure's definition says.",
    "Period starts": "The first day of the month or week the number is for; for the dates of "
    "events, the day of the event (one row per event).",
    "Number entered": "The number the team entered: the count, the value, or the top number "
    "(numerator) of a proportion or rate; 1 for each event of a measure of the dates of events.",
    "Out of": "The total the number is out of (the denominator), for proportions and rates.",
    "Number on the chart": "The number as the chart shows it, on the same scale as the target: "
    "the number entered, or for a proportion or rate the number divided by the total (times "
    "the multiplier for a rate, times 100 for a proportion given as a percentage); for the dates "
    "of events, the days since the event before.",
    "Left out": "Yes if the team left this point out of the centre line, limits and patterns "
    "(it is still shown and still flagged if it is outside the limits).",
    "Why left out": "The reason the team gave for leaving the point out.",
    "New phase": "Yes if a new phase starts here: something changed in how the work is done, so "
    "the chart works out a new centre line and limits from this point on.",
    "Why a new phase": "The reason the team gave for the new phase.",
    "Note": "The team's note on this point.",
    "Phase": "Which phase (part) of the chart the point belongs to: 1 for the first.",
    "Centre line": "The middle line of the chart for this phase: the average on a control "
    "chart, the median (the middle value) on a run chart and on a g chart.",
    "Lower limit": "The lower control limit: points below it are unlikely to be chance. Empty "
    "on a run chart, which has no limits.",
    "Upper limit": "The upper control limit: points above it are unlikely to be chance. Empty "
    "on a run chart, which has no limits.",
    "Trial limits": "Yes if the limits were worked out from fewer than 12 points: they may move "
    "as more data comes in, so treat signals with care.",
    "Point type": "Common cause: the ups and downs you would expect by chance. Special cause "
    "improvement or concern: a change unlikely to be chance, for the better or the worse. High "
    "or low: unusual, on a measure where neither way is better.",
    "Rules fired": "Which signal rules this point met, if any. Outside the limits: beyond a "
    "control limit. Trend: points going up (or down) several times in a row. Two of three near "
    "a limit: two of three points in a row close to the same limit. Shift: several points in a "
    "row on one side of the centre line. Long run: part of a run on one side of the median "
    "longer than chance would usually give (run charts).",
    "Signal": "What the signal means, in plain words. Empty when there is none. Empty analysis "
    "columns mean the series has too few points to chart yet.",
    "Signal over the phase": "On a run chart, a signal of the whole phase: the line crosses the "
    "median fewer times than chance would usually give. Empty when there is none.",
    "Target": "The number the measure aims to reach, if one is set; on a target reached step by "
    "step, where the line is at that period.",
}
#: The cells of a point hidden because it rests on a small number of people: its numbers. For
#: the dates of events each row is one event: its day is hidden too (the rows of a day would
#: count its events). The lines of its phase are hidden in every row of the phase.
HIDDEN_CELLS = ("Number entered", "Out of", "Number on the chart")
HIDDEN_LINES = ("Centre line", "Lower limit", "Upper limit")
HIDDEN_EVENT_CELLS = ("Period starts",)
CYCLE_COLUMNS: dict[str, str] = {
    "Team": "The team that ran the test of change.",
    "Aim": "The aim the change idea belongs to.",
    "Change idea": "The idea being tested.",
    "Ramp": "A ramp is a series of cycles on the same change idea, growing as confidence grows.",
    "Cycle number": "The number of this cycle in its ramp: 1 for the first.",
    "Cycle": "The short name of this test of change (a PDSA cycle: Plan, Do, Study, Act).",
    "Starts on": "The day the test starts.",
    "Ends on": "The day the test ends.",
    "Stage": "Where the cycle is: Plan, Do, Study, Act, or Closed once the team has decided.",
    "What we want to learn": "The objective of the cycle.",
    "Questions and predictions": "Each question the cycle asks, and what the team predicted.",
    "Results": "Per question, what actually happened.",
    "What was learned": "Per question, what the team learned.",
    "Did it lead to improvement?": "The team's answer at the Study stage: Yes, No or Not sure.",
    "Decision": "Adopt (keep the change and spread it), Adapt (change it and test again) or "
    "Abandon (drop it and try another idea). Empty until the team decides.",
    "Decided on": "The day the team made its decision and closed the cycle.",
    "Next steps": "What the next cycle will do.",
    "Owner": "The person who looks after this cycle.",
}


def panel_only_team_ids(collaborative: Collaborative, user: User) -> frozenset[int]:
    """The collaborative's teams this person sees only as a member of its strategic panel (not
    an admin, not its coordinator, not a member of the team): their small numbers are hidden, as
    on the panel's pages. One query, and none for anyone else."""
    if user.is_admin or collaborative.suppression_threshold <= 1:
        return frozenset()
    roles = roles_in_collaborative(user, collaborative) & frozenset(COLLABORATIVE_ROLES)
    if Role.COORDINATOR in roles or Role.PANEL_MEMBER not in roles:
        return frozenset()
    own_teams = sa.select(Membership.team_id).where(
        Membership.user_id == user.id,
        Membership.role.in_(TEAM_ROLES),
        Membership.team_id.is_not(None),  # NOT IN a list holding NULL matches nothing
    )
    query = sa.select(Team.id).where(
        Team.collaborative_id == collaborative.id, Team.id.not_in(own_teams)
    )
    return frozenset(db.session.scalars(query))


class Exported(NamedTuple):
    """A download's table, the teams it covers, and any notes for its About sheet (label,
    words)."""

    table: pd.DataFrame | Rows
    teams: list[Team]
    notes: Sequence[tuple[str, str]] = ()


def visible_teams(collaborative: Collaborative, user: User) -> list[Team]:
    """The collaborative's teams whose records the person may read: every team for the panel,
    the coordinator and admins; a team member's own team."""
    query = (
        sa.select(Team)
        .where(Team.collaborative_id == collaborative.id, Team.id.in_(visible_team_ids(user)))
        .order_by(Team.name, Team.id)
    )
    return list(db.session.scalars(query))


# Measures ----------------------------------------------------------------------------------------


def _visible_measures(collaborative: Collaborative, user: User) -> dict[int, Measure]:
    query = sa.select(Measure).where(
        Measure.collaborative_id == collaborative.id,
        sa.or_(Measure.team_id.is_(None), Measure.team_id.in_(visible_team_ids(user))),
    )
    return {measure.id: measure for measure in db.session.scalars(query)}


def points_frame(collaborative: Collaborative, user: User) -> pd.DataFrame:
    """Every point the person may see in the collaborative, in series order, in one query."""
    columns = [
        *series_columns(),
        DataPoint.exclusion_reason,
        DataPoint.phase_reason,
        DataPoint.note,
    ]
    query = (
        sa.select(*columns)
        .join(Measure, Measure.id == DataPoint.measure_id)
        .where(
            Measure.collaborative_id == collaborative.id,
            DataPoint.team_id.in_(visible_team_ids(user)),
            # A team's own measure holds only its points; never show another team's, whatever.
            sa.or_(Measure.team_id.is_(None), Measure.team_id == DataPoint.team_id),
        )
        .order_by(DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start)
    )
    names = [column.key for column in columns]
    return parse_days(raw_query_frame(query, names), "period_start")


TEXT_COLUMNS = ("exclusion_reason", "phase_reason", "note")


def _numbers(values: np.ndarray) -> list[float | None]:
    """Floats as a list, None where there is no number (NaN), built in one pass."""
    cells = values.astype(object)
    cells[~np.isfinite(values)] = None
    result: list[float | None] = cells.tolist()
    return result


def _texts(values: Any) -> list[str]:
    return [safe_text(str(value)) if value else "" for value in values]


@dataclass(frozen=True)
class _Series:
    """One team's series of one measure, for the export: the cells that are the same on every
    row, the points' own columns and the one analysis of them (None below 2 points). Plain
    values only: the rows are made while the file is sent, after the request's session ends."""

    order: tuple[str, str, int, int]  # team name, measure name, measure id, team id
    fixed: list[str]  # "Team" to "Unit"
    target: float | None
    points: Points
    reasons: list[str]  # why left out
    phase_reasons: list[str]
    notes: list[str]
    analysis: SeriesAnalysis | None
    hidden: np.ndarray | None = None  # per row, whether it rests on a small number
    events: bool = False  # a measure of the dates of events: a row per event

    @classmethod
    def of(
        cls,
        measure: Measure,
        team: Team,
        points: Points,
        texts: tuple[list[str], list[str], list[str]],
        analysis: SeriesAnalysis | None,
        threshold: int | None = None,
    ) -> _Series:
        """`texts`: why left out, why a new phase, and the note, per point; `threshold`: the
        collaborative's, when this team's small numbers are hidden from the person."""
        chart = analysis.chart_type if analysis else definition_of(measure).chart_drawn
        fixed = [
            safe_text(team.name),
            safe_text(measure.name),
            measure.measure_type.value.capitalize(),
            YES_NO[measure.team_id is None],
            CHART_NAMES[chart],
            BETTER_WHEN[measure.direction.value],
            safe_text(measure.unit),
        ]
        target = analysis.target if analysis else measure.target_value
        order = (team.name, measure.name, measure.id, team.id)
        hidden = None
        if threshold is not None:
            # From the numbers as stored, before the dates of events become a row per event.
            hidden = disclosure.series_hidden(measure.value_kind.value, points, threshold)
        events = measure.value_kind == ValueKind.EVENTS
        if events:
            points, texts = _one_row_per_event(points, texts)
        return cls(order, fixed, target, points, *texts, analysis, hidden, events)

    @property
    def hidden_rows(self) -> int:
        return 0 if self.hidden is None else int(np.count_nonzero(self.hidden))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """One row per point in the columns of MEASURE_COLUMNS, text already made safe; built
        a column at a time (a 200-team collaborative has 400,000 rows)."""
        analysis, points, fixed = self.analysis, self.points, self.fixed
        size = len(points.dates)
        left_out = [YES_NO[flag] for flag in points.excluded.tolist()]
        new_phase = [YES_NO[flag] for flag in points.new_phase.tolist()]
        columns = [
            *(repeat(value, size) for value in fixed),
            points.dates,
            _numbers(points.value),
            _numbers(points.denominator),
            _numbers(analysis.chart.value) if analysis else repeat(None, size),
            left_out,
            [why if flag else "" for why, flag in zip(self.reasons, points.excluded, strict=True)],
            new_phase,
            [
                why if flag else ""
                for why, flag in zip(self.phase_reasons, points.new_phase, strict=True)
            ],
            self.notes,
            *_analysed_columns(analysis, size),
            analysis.target_line or repeat(self.target, size)
            if analysis
            else repeat(self.target, size),
        ]
        if self.hidden is not None and self.hidden.any():
            for name, rows in self._hidden_cells():
                index = COLUMN_INDEX[name]
                columns[index] = _blanked(columns[index], rows)
        # The repeated columns are endless; every list holds exactly `size` cells.
        return zip(*columns, strict=False)  # type: ignore[no-any-return]

    def _hidden_cells(self) -> list[tuple[str, np.ndarray]]:
        """Each column with cells to hide and the rows to hide them in: a hidden point's own
        numbers; the centre line and limits of every row of a phase that holds a hidden point,
        on every kind of chart, as the panel's pages and the API hide them (worked out from
        the hidden number, with the phase's other points shown they would give it back); and a
        target reached step by step from a frozen baseline that rests on a hidden point."""
        assert self.hidden is not None
        cells = [(name, self.hidden) for name in HIDDEN_CELLS]
        cells += [(name, self.hidden) for name in (HIDDEN_EVENT_CELLS if self.events else ())]
        analysis = self.analysis
        if analysis is None:
            return cells
        lines = disclosure.lines_hidden(analysis.chart.part, self.hidden)
        cells += [(name, lines) for name in HIDDEN_LINES]
        if analysis.definition.trajectory and analysis.frozen and lines[:1].any():
            cells.append(("Target", np.ones(lines.size, dtype=np.bool_)))
        return cells


COLUMN_INDEX = {name: index for index, name in enumerate(MEASURE_COLUMNS)}


def _blanked(cells: Iterable[Any], hidden: np.ndarray) -> list[Any]:
    """The column with the words for a hidden figure in each hidden row."""
    return [
        disclosure.HIDDEN_WORDS if off else cell
        for cell, off in zip(cells, hidden.tolist(), strict=False)
    ]


def _one_row_per_event(
    days: Points, texts: tuple[list[str], list[str], list[str]]
) -> tuple[Points, tuple[list[str], list[str], list[str]]]:
    """For the dates of events, a row per event as the one analysis has a point per event: the
    value is 1 (one event: they add up to the count), the number on the chart the days since
    the one before, and each event carries what was written about its day."""
    rows = event_rows(days).tolist()
    events = gaps_between_events(days)
    events = replace(events, value=np.ones(len(rows)))
    return events, tuple([text[i] for i in rows] for text in texts)  # type: ignore[return-value]


def _analysed_columns(analysis: SeriesAnalysis | None, size: int) -> list[Iterable[Any]]:
    """The analysis columns "Phase" to "Signal over the phase", read from the one analysis
    (empty without one)."""
    if analysis is None:
        return [repeat(None, size) for _ in range(4)] + [repeat("", size) for _ in range(5)]
    chart, found = analysis.chart, analysis.found
    is_run = analysis.chart_type == "run"
    centre = centre_words(analysis.chart_type)
    trial = set(chart.trial_parts)
    parts = chart.part.tolist()
    phase_signals = {
        event.part: safe_text(event_sentence(event, analysis))
        for event in analysis.events
        if event.rule == "few_crossings"
    }
    rules_fired = [""] * size
    signal = [""] * size
    flagged = np.flatnonzero(decisive_sides(found.side, size))
    for i in flagged.tolist():
        rules = found.rules_at(i)
        high = bool(found.side[rules[0]][i] > 0)
        rules_fired[i] = "; ".join(RULE_NAMES[rule] for rule in rules)
        signal[i] = rule_sentence(rules[0], high, analysis.lengths.get(rules[0]), centre)
    return [
        parts,
        _numbers(chart.cl),
        _numbers(chart.lcl),
        _numbers(chart.ucl),
        repeat("", size) if is_run else [YES_NO[part in trial] for part in parts],
        [POINT_TYPE_NAMES[kind] for kind in found.point_type],
        rules_fired,
        signal,
        [phase_signals.get(part, "") for part in parts],
    ]


def measures_export(collaborative: Collaborative, user: User) -> Exported:
    """Every data point of every measure the person may see, with the one analysis's columns,
    by team, measure and period, as rows made while the file is sent; the teams included; and,
    for someone who sees teams only through the panel, a note on the small numbers hidden.
    Three queries (teams, measures, points; a fourth for a panel member); every series is
    analysed (or read from the kept results) before the first row, and the file's tag is taken
    from what the rows are made of, and what is hidden from whom."""
    teams = visible_teams(collaborative, user)
    protected = panel_only_team_ids(collaborative, user)
    threshold = collaborative.suppression_threshold
    measures = _visible_measures(collaborative, user)
    points = points_frame(collaborative, user)
    by_id = {team.id: team for team in teams}
    settings = settings_of(collaborative)
    definitions = {measure_id: definition_of(m) for measure_id, m in measures.items()}
    texts = {name: points[name].tolist() for name in ("exclusion_reason", "phase_reason", "note")}
    chosen: list[_Series] = []
    start = 0
    for (measure_id, team_id), series in split_series(points):
        stop = start + len(series.dates)
        measure, team = measures.get(measure_id), by_id.get(team_id)
        if measure is not None and team is not None:
            analysis = analyse_points(series, definitions[measure_id], settings)
            own = tuple(_texts(texts[name][start:stop]) for name in TEXT_COLUMNS)
            hide = threshold if team_id in protected else None
            chosen.append(_Series.of(measure, team, series, own, analysis, hide))  # type: ignore[arg-type]
        start = stop
    chosen.sort(key=lambda one: one.order)
    tag = content_tag(
        pd.util.hash_pandas_object(points, index=False).to_numpy().tobytes(),
        repr(
            sorted(
                (m.id, m.name, m.unit, m.measure_type.value, m.team_id) for m in measures.values()
            )
        ),
        repr(sorted(definitions.items())),
        repr(settings),
        repr([(team.id, team.name) for team in teams]),
        # Part of the tag: a coordinator's file, kept on disk, is never a panel member's.
        repr((threshold, sorted(protected))),
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for series in chosen:
            yield from series.rows()

    count = sum(len(one.points.dates) for one in chosen)
    notes = _small_numbers_notes(chosen, threshold) if protected else []
    return Exported(Rows(list(MEASURE_COLUMNS), rows, tag, count), teams, notes)


def _small_numbers_notes(chosen: list[_Series], threshold: int) -> list[tuple[str, str]]:
    """The About sheet's rows on small numbers: the rule, and what this file hides."""
    hidden = disclosure.Hidden(
        figures=sum(one.hidden_rows for one in chosen),
        teams=len({one.order[3] for one in chosen if one.hidden_rows}),
    )
    return [
        ("Small numbers", disclosure.rule_words(threshold)),
        ("Hidden in this file", hidden.words(threshold, "in this file")),
    ]


# Cycles ------------------------------------------------------------------------------------------


def _questions(cycle_ids: sa.Select[Any]) -> dict[int, list[CycleQuestion]]:
    query = (
        sa.select(CycleQuestion)
        .where(CycleQuestion.cycle_id.in_(cycle_ids))
        .order_by(CycleQuestion.cycle_id, CycleQuestion.position, CycleQuestion.id)
    )
    result: dict[int, list[CycleQuestion]] = {}
    for question in db.session.scalars(query):
        result.setdefault(question.cycle_id, []).append(question)
    return result


def _numbered(questions: list[CycleQuestion], part: str) -> str:
    """Each question with one of its parts, numbered, one per line; "" if none has that part."""
    lines = []
    for number, question in enumerate(questions, start=1):
        text = getattr(question, part)
        if part == "prediction":
            lines.append(f"{number}. {question.question} Prediction: {text}")
        elif text:
            lines.append(f"{number}. {question.question} {part.capitalize()}: {text}")
    return "\n".join(lines)


def _decided_on(cycle: Cycle) -> date | None:
    return cycle.closed_at.date() if cycle.closed_at is not None else None


def cycles_export(collaborative: Collaborative, user: User) -> Exported:
    """Every cycle the person may see, with its team, aim, idea and ramp, by team, aim, idea,
    ramp and number; and the teams included. Three queries (teams, cycles, questions). Cycles
    are the teams' work, not counts of people: nothing is hidden."""
    teams = visible_teams(collaborative, user)
    scope = sa.and_(Team.collaborative_id == collaborative.id, Team.id.in_(visible_team_ids(user)))
    query = (
        sa.select(Cycle, Team.name, Aim.title, ChangeIdea.title, Ramp.title, User.display_name)
        .join(Team, Team.id == Cycle.team_id)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .join(Aim, Aim.id == ChangeIdea.aim_id)
        .outerjoin(User, User.id == Cycle.owner_id)
        .where(scope)
        .order_by(Team.name, Aim.title, ChangeIdea.title, Ramp.id, Cycle.number)
    )
    found = db.session.execute(query).all()
    cycle_ids = sa.select(Cycle.id).join(Team, Team.id == Cycle.team_id).where(scope)
    questions = _questions(cycle_ids) if found else {}
    rows = []
    for cycle, team, aim, idea, ramp, owner in found:
        asked = questions.get(cycle.id, [])
        rows.append(
            {
                "Team": team,
                "Aim": aim,
                "Change idea": idea,
                "Ramp": ramp,
                "Cycle number": cycle.number,
                "Cycle": cycle.title,
                "Starts on": cycle.starts_on,
                "Ends on": cycle.ends_on,
                "Stage": STAGE_NAMES[cycle.stage.value],
                "What we want to learn": cycle.objective,
                "Questions and predictions": _numbered(asked, "prediction"),
                "Results": _numbered(asked, "result"),
                "What was learned": _numbered(asked, "learning"),
                "Did it lead to improvement?": IMPROVED_NAMES.get(
                    cycle.improved.value if cycle.improved else "", ""
                ),
                "Decision": cycle.decision.value.capitalize() if cycle.decision else "",
                "Decided on": _decided_on(cycle),
                "Next steps": cycle.next_steps,
                "Owner": owner or "",
            }
        )
    return Exported(pd.DataFrame(rows, columns=list(CYCLE_COLUMNS)), teams)
