"""Each team's story for the strategic panel, in plain words (issue 19, point 1): where the team
stands (on track, stalled or late, and why), what changed on each shared measure since the
panel's last review, the decisions of its tests of change, its progress score with whose it is,
and a small chart of its scores over time.

Pure: sentences and a chart's geometry from plain data. Every fact comes in already decided by
its one function: the status from the coordinator's reasons (improve.analysis.activity
.needs_a_call), the signals and values from the panel's rows (improve.analysis.summary), the
scores as improve.analysis.summary.progress_table chooses them. Nothing is worked out again here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from improve.analysis.summary import trend_words

Whose = Literal["coordinator", "self", "suggested"]

#: Whose a progress score is, in the words the story uses.
WHOSE_WORDS: dict[str, str] = {
    "coordinator": "the coordinator's score",
    "self": "the team's own score",
    "suggested": "suggested by the app from the team's report",
}
#: How many adopted changes a story names; the rest are counted ("and 2 more").
NAMED_ADOPTED = 3
#: The progress scale (IHI, DOMAIN.md section 6): a score chart always spans all of it, so one
#: team's chart reads like another's.
SCALE_LOW, SCALE_HIGH = 0.5, 5.0
HIDDEN = "hidden (small number)"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _upper_first(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _and(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def figure(value: float | None, percent: bool = False) -> str:
    """A value as the panel shows it (improve.panel.views.panel_value): a share of 0 to 1 as a
    whole percentage, else up to 1 decimal place."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if percent:
        return f"{value * 100:.0f}%"
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


# Status ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """The report that makes a team late: its period's name and the whole days since it was due."""

    period: str
    days: int

    @property
    def words(self) -> str:
        return f"the {self.period} report is {_plural(self.days, 'day')} overdue"


@dataclass(frozen=True)
class Status:
    """Where a team stands: `kinds` holds "late" and/or "stalled" (none: on track), `reasons`
    say why in words, `notes` are the coordinator's other reasons for a call."""

    kinds: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """ "on_track", "late", "stalled" or "late_stalled"."""
        return "_".join(self.kinds) or "on_track"

    @property
    def label(self) -> str:
        return _upper_first(_and(list(self.kinds))) if self.kinds else "On track"

    @property
    def sentence(self) -> str:
        if not self.kinds:
            words = "On track: no report is late and the team's work is moving."
        else:
            words = f"{self.label}: {'; '.join(self.reasons)}."
        if self.notes:
            words += f" Also worth knowing: {'; '.join(self.notes)}."
        return words


def team_status(reasons: Sequence[tuple[str, str]], overdue: Overdue | None = None) -> Status:
    """A team's status from the coordinator's reasons for a call, as (kind, sentence) pairs
    (improve.analysis.activity.needs_a_call): late when a report is late, stalled when the team
    has stalled, else on track. One rule decides "late" and "stalled" on both pages; this only
    words it. `overdue` names the late report and how long it has been due. Tests of change stuck
    in Plan explain a stalled team; otherwise they, missing data and scores far apart are notes."""
    kinds = [kind for kind, _ in reasons]
    stalled = "stalled" in kinds
    main: list[str] = []
    notes: list[str] = []
    for kind, sentence in reasons:
        if kind == "late":
            main.append(overdue.words if overdue else _lower_first(sentence))
        elif kind == "stalled" or (kind == "plan" and stalled):
            main.append(_lower_first(sentence))
        else:
            notes.append(_lower_first(sentence))
    status_kinds = tuple(kind for kind in ("late", "stalled") if kind in kinds)
    return Status(status_kinds, tuple(main), tuple(notes))


# Shared measures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtReview:
    """A measure's figure at the panel's last review: its latest point on or before the review
    day, as the panel showed it (`period` None: it had no point yet)."""

    value: float | None = None
    period: date | None = None
    hidden: bool = False  # rests on a small number of people


@dataclass(frozen=True)
class MeasureChange:
    """One shared measure of one team, as the panel's row shows it (summary.series_table)."""

    name: str
    points: int
    baseline: float | None
    latest: float | None
    latest_period: date | None
    target: float | None
    target_reached: bool | None
    improvements: int
    concerns: int
    percent: bool = False  # a share of 0 to 1, shown as a percentage
    # Figures resting on a small number of people (improve.analysis.disclosure): not given.
    latest_hidden: bool = False
    baseline_hidden: bool = False
    # The figure at the last review, to say what changed since; None when there is no review.
    at_review: AtReview | None = None


def signals_words(improvements: int, concerns: int, since: str) -> str:
    """ "a real improvement since the panel's review on 15 March 2026", "2 signals of a real
    improvement and a change for the worse so far", or "no unusual change since ..."."""
    parts = []
    if improvements:
        parts.append(
            "a real improvement"
            if improvements == 1
            else f"{improvements} signals of a real improvement"
        )
    if concerns:
        parts.append(
            "a change for the worse"
            if concerns == 1
            else f"{concerns} signals of a change for the worse"
        )
    return f"{_and(parts) or 'no unusual change'} {since}"


def measure_sentence(change: MeasureChange, since: str) -> str:
    """What one shared measure shows, e.g. "Falls a month went from 8 at the baseline to 5 in
    November 2026 (target 4): a real improvement since the panel's review on 15 March 2026." A
    figure resting on a small number is not given, nor whether the target is reached with it:
    "hidden (small number)". The signals are about the pattern, not a count, and are given."""
    if change.points == 0:
        return f"{change.name}: no data in this period yet."
    signals = signals_words(change.improvements, change.concerns, since)
    if change.latest_hidden or change.baseline_hidden:
        return f"{change.name}: {_hidden_figures(change)}; {signals}.{since_review(change)}"
    when = f" in {change.latest_period:%B %Y}" if change.latest_period else ""
    latest = figure(change.latest, change.percent)
    if change.baseline is None:
        moved = f"{change.name} was {latest}{when} (no baseline set)"
    else:
        start = figure(change.baseline, change.percent)
        moved = f"{change.name} went from {start} at the baseline to {latest}{when}"
    if change.target is not None:
        reached = ", reached" if change.target_reached else ""
        moved += f" (target {figure(change.target, change.percent)}{reached})"
    return f"{moved}: {signals}.{since_review(change)}"


def since_review(change: MeasureChange) -> str:
    """ " It was 40% at the review (August 2026), 47% now (up 7 percentage points)." A hidden
    figure is "hidden (small number)" and then no difference is given (it would give it back).
    Empty when there is no review to compare with."""
    then = change.at_review
    if then is None:
        return ""
    now = HIDDEN if change.latest_hidden else figure(change.latest, change.percent)
    if then.period is None:
        return f" It had no figure yet at the review; {now} now."
    was = HIDDEN if then.hidden else figure(then.value, change.percent)
    words = f" It was {was} at the review ({then.period:%B %Y}), {now} now"
    if then.hidden or change.latest_hidden or then.value is None or change.latest is None:
        return f"{words}."
    return f"{words} ({difference(then.value, change.latest, change.percent)})."


def difference(before: float, after: float, percent: bool = False) -> str:
    """ "up 7 percentage points", "down 2.5", or "no change" at the precision shown."""
    change = after - before
    size = f"{abs(change) * 100:.0f}" if percent else figure(abs(change))
    if size == "0":
        return "no change"
    unit = " percentage point" + ("" if size == "1" else "s") if percent else ""
    return f"{'up' if change > 0 else 'down'} {size}{unit}"


def _hidden_figures(change: MeasureChange) -> str:
    """ "baseline 8, latest (November 2026) hidden (small number), target 4"."""
    parts = []
    if change.baseline_hidden:
        parts.append(f"baseline {HIDDEN}")
    elif change.baseline is not None:
        parts.append(f"baseline {figure(change.baseline, change.percent)}")
    when = f" ({change.latest_period:%B %Y})" if change.latest_period else ""
    latest = HIDDEN if change.latest_hidden else figure(change.latest, change.percent)
    parts.append(f"latest{when} {latest}")
    if change.target is not None:
        parts.append(f"target {figure(change.target, change.percent)}")
    return ", ".join(parts)


# Tests of change ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decisions:
    """The Act decisions of a team's tests of change in a period: the adopted ones by title
    (most recent decision first), the others counted."""

    adopted: tuple[str, ...] = ()
    adapted: int = 0
    abandoned: int = 0

    @property
    def total(self) -> int:
        return len(self.adopted) + self.adapted + self.abandoned


def _count_or_none(count: int, word: str) -> str:
    return f"{count} {word}" if count else f"none {word}"


def decisions_sentence(decisions: Decisions, since: str) -> str:
    """E.g. "Tests of change decided since the panel's review on 15 March 2026: 4 adopted
    (‘Huddle’, ‘Falls cross’, ‘Buddy’ and 1 more), 1 adapted and none abandoned." At most
    NAMED_ADOPTED titles are named."""
    if decisions.total == 0:
        return f"No test of change reached a decision {since}."
    adopted = _count_or_none(len(decisions.adopted), "adopted")
    if decisions.adopted:
        named = [f"‘{title}’" for title in decisions.adopted[:NAMED_ADOPTED]]
        more = len(decisions.adopted) - len(named)
        if more:
            named.append(f"{more} more")
        adopted += f" ({_and(named)})"
    adapted = _count_or_none(decisions.adapted, "adapted")
    abandoned = _count_or_none(decisions.abandoned, "abandoned")
    return f"Tests of change decided {since}: {adopted}, {adapted} and {abandoned}."


# Progress scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorePoint:
    """A progress score for one period, with whose it is."""

    period: date
    label: str  # the period's name, like "October 2026"
    score: float
    whose: Whose

    @property
    def whose_words(self) -> str:
        return WHOSE_WORDS[self.whose]


def chosen_scores(scores: Iterable[ScorePoint]) -> list[ScorePoint]:
    """Per period, the coordinator's score where there is one, else the team's own, oldest
    first: the choice summary.progress_table makes (the IHI scale is meant to be scored by
    faculty)."""
    by_period: dict[date, ScorePoint] = {}
    for point in scores:
        kept = by_period.get(point.period)
        if kept is None or (kept.whose != "coordinator" and point.whose == "coordinator"):
            by_period[point.period] = point
    return [by_period[period] for period in sorted(by_period)]


def latest_score(history: Sequence[ScorePoint], suggested: ScorePoint | None) -> ScorePoint | None:
    """The score a story gives: the latest chosen score, else the score the app suggested from
    the team's latest submitted report, else none."""
    return history[-1] if history else suggested


def score_label(score: float, labels: Mapping[str, str]) -> str:
    """ "3.5 (improvement)", with the collaborative's label for the step."""
    name = labels.get(f"{score:.1f}", "")
    return f"{score:.1f} ({_lower_first(name)})" if name else f"{score:.1f}"


def score_sentence(point: ScorePoint | None, labels: Mapping[str, str]) -> str:
    """The progress score and whose it is, e.g. "Progress score 3.5 (improvement) for
    October 2026: the coordinator's score."."""
    if point is None:
        return "No progress score yet, and no report to suggest one."
    value = score_label(point.score, labels)
    if point.whose == "suggested":
        return (
            f"Nobody has scored its progress yet: {value} is suggested by the app from the "
            f"team's {point.label} report."
        )
    if point.whose == "self":
        return (
            f"Progress score {value} for {point.label}: the team's own score (the coordinator "
            "has not scored that period)."
        )
    return f"Progress score {value} for {point.label}: the coordinator's score."


# The score-over-time chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreChart:
    """A small chart of a team's scores on the fixed 0.5 to 5.0 scale: the line, each point
    (x, y and the score), the gridlines (y and the score they mark), in a width x height box,
    and a sentence that says what it shows."""

    width: int
    height: int
    left: float
    right: float
    bottom: float
    line: str
    points: tuple[tuple[float, float, ScorePoint], ...]
    grid: tuple[tuple[float, str], ...]
    summary: str


def score_summary(history: Sequence[ScorePoint]) -> str:
    """The chart in words, e.g. "5 scores from June 2026 to October 2026: up 1.5 from 1.5;
    highest 3.0, lowest 1.5."."""
    if not history:
        return "No progress scores yet."
    first, last = history[0], history[-1]
    if len(history) == 1:
        return f"One score so far: {first.score:.1f} for {first.label}."
    scores = [point.score for point in history]
    trend = _lower_first(trend_words(first.score, last.score))
    return (
        f"{len(history)} scores from {first.label} to {last.label}: {trend}; highest "
        f"{max(scores):.1f}, lowest {min(scores):.1f}."
    )


def score_chart(
    history: Sequence[ScorePoint], width: int = 320, height: int = 136
) -> ScoreChart | None:
    """Place the scores in the box: periods across by date (a month with no score leaves a gap
    in spacing, not a missing step), the scale from 0.5 (bottom) to 5.0 (top) whatever the
    team's scores, so a 2.0 sits at the same height on every team's chart. None without
    scores."""
    if not history:
        return None
    # Room on the left for the scale's numbers and below for the first and last periods.
    left, right, top, bottom = 28.0, width - 10.0, 8.0, height - 26.0

    def y(score: float) -> float:
        share = (score - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)
        return round(bottom - share * (bottom - top), 1)

    first, last = history[0].period, history[-1].period
    span = (last - first).days

    def x(day: date) -> float:
        if span == 0:
            return round((left + right) / 2, 1)
        return round(left + (day - first).days / span * (right - left), 1)

    placed = tuple((x(point.period), y(point.score), point) for point in history)
    return ScoreChart(
        width=width,
        height=height,
        left=left,
        right=right,
        bottom=bottom,
        line=" ".join(f"{px},{py}" for px, py, _ in placed),
        points=placed,
        grid=tuple((y(float(step)), f"{step:.0f}") for step in range(1, 6)),
        summary=score_summary(history),
    )


# The paragraph -----------------------------------------------------------------------------------


def paragraph(status: Status, score: str, decisions: str) -> str:
    """The story's opening paragraph: status, score and decisions, in that order."""
    return " ".join([status.sentence, score, decisions])
