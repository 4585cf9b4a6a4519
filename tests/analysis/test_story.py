"""Each team's story in plain words (improve.analysis.story: pure, no app)."""

from __future__ import annotations

from datetime import date

import pytest

from improve.analysis import story
from improve.analysis.story import (
    AtReview,
    Decisions,
    MeasureChange,
    Overdue,
    ScorePoint,
    chosen_scores,
    decisions_sentence,
    latest_score,
    measure_sentence,
    score_chart,
    score_sentence,
    team_status,
)
from improve.models.collaborative import DEFAULT_PROGRESS_LABELS

SINCE = "since the panel's review on 15 March 2026"
STALLED = "No work on tests of change for 7 weeks and no new data for 8 weeks"
PLAN = "2 tests of change still in Plan more than 2 weeks after the planned start"
LATE = "The report for October 2026 is late"
DATA = "3 weeks or months of data missing in 1 measure"


def point(month: int, score: float, whose: str = "coordinator") -> ScorePoint:
    day = date(2026, month, 1)
    return ScorePoint(day, f"{day:%B %Y}", score, whose)  # type: ignore[arg-type]


# Status ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "overdue", "key", "label", "sentence"),
    [
        ([], None, "on_track", "On track", "On track: no report is late and the team's work"),
        (
            [("late", LATE)],
            Overdue("October 2026", 12),
            "late",
            "Late",
            "Late: the October 2026 report is 12 days overdue.",
        ),
        (
            [("late", LATE)],
            Overdue("October 2026", 1),
            "late",
            "Late",
            "Late: the October 2026 report is 1 day overdue.",
        ),
        ([("late", LATE)], None, "late", "Late", "Late: the report for October 2026 is late."),
        (
            [("stalled", STALLED), ("plan", PLAN)],
            None,
            "stalled",
            "Stalled",
            "Stalled: no work on tests of change for 7 weeks and no new data for 8 weeks; "
            "2 tests of change still in Plan more than 2 weeks after the planned start.",
        ),
        (
            [("late", LATE), ("stalled", STALLED)],
            Overdue("October 2026", 3),
            "late_stalled",
            "Late and stalled",
            "Late and stalled: the October 2026 report is 3 days overdue; no work on tests",
        ),
        (
            [("plan", PLAN), ("data", DATA)],
            None,
            "on_track",
            "On track",
            "On track: no report is late and the team's work is moving. Also worth knowing: "
            "2 tests of change still in Plan",
        ),
    ],
)
def test_the_status_words_the_coordinators_reasons(reasons, overdue, key, label, sentence):
    status = team_status(reasons, overdue)
    assert status.key == key
    assert status.label == label
    assert status.sentence.startswith(sentence)


def test_a_note_is_not_a_reason_for_the_status():
    status = team_status([("scores", "The team scored itself 3.0; the coordinator's is 1.5")])
    assert status.kinds == ()
    assert status.notes == ("the team scored itself 3.0; the coordinator's is 1.5",)


# Shared measures ---------------------------------------------------------------------------------


def change(**overrides) -> MeasureChange:
    fields = {
        "name": "Falls a month",
        "points": 20,
        "baseline": 8.0,
        "latest": 5.0,
        "latest_period": date(2026, 11, 1),
        "target": 4.0,
        "target_reached": False,
        "improvements": 1,
        "concerns": 0,
    }
    return MeasureChange(**(fields | overrides))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {},
            "Falls a month went from 8 at the baseline to 5 in November 2026 (target 4): "
            f"a real improvement {SINCE}.",
        ),
        (
            {"latest": 3.5, "target_reached": True, "improvements": 2},
            "Falls a month went from 8 at the baseline to 3.5 in November 2026 (target 4, "
            f"reached): 2 signals of a real improvement {SINCE}.",
        ),
        (
            {"improvements": 0, "concerns": 1},
            f"Falls a month went from 8 at the baseline to 5 in November 2026 (target 4): "
            f"a change for the worse {SINCE}.",
        ),
        (
            {"improvements": 1, "concerns": 3, "target": None},
            f"Falls a month went from 8 at the baseline to 5 in November 2026: a real "
            f"improvement and 3 signals of a change for the worse {SINCE}.",
        ),
        (
            {"baseline": None, "improvements": 0, "target": None},
            f"Falls a month was 5 in November 2026 (no baseline set): no unusual change {SINCE}.",
        ),
        (
            {
                "name": "Care plans reviewed",
                "baseline": 0.75,
                "latest": 0.9,
                "target": 0.9,
                "target_reached": True,
                "percent": True,
            },
            "Care plans reviewed went from 75% at the baseline to 90% in November 2026 (target "
            f"90%, reached): a real improvement {SINCE}.",
        ),
        ({"points": 0}, "Falls a month: no data in this period yet."),
    ],
)
def test_a_measure_sentence_says_where_it_went_and_its_signals(overrides, expected):
    assert measure_sentence(change(**overrides), SINCE) == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"latest": None, "latest_hidden": True, "target_reached": None},
            "Falls a month: baseline 8, latest (November 2026) hidden (small number), "
            f"target 4; a real improvement {SINCE}.",
        ),
        (
            {"baseline": None, "baseline_hidden": True},
            "Falls a month: baseline hidden (small number), latest (November 2026) 5, "
            f"target 4; a real improvement {SINCE}.",
        ),
        (
            {"baseline": None, "latest": None, "latest_hidden": True, "baseline_hidden": True},
            "Falls a month: baseline hidden (small number), latest (November 2026) hidden "
            f"(small number), target 4; a real improvement {SINCE}.",
        ),
    ],
)
def test_a_figure_resting_on_a_small_number_is_not_given(overrides, expected):
    sentence = measure_sentence(change(**overrides), SINCE)
    assert sentence == expected
    assert "reached" not in sentence  # whether the target is reached would give it away


AUGUST = date(2026, 8, 1)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"at_review": AtReview(7.0, AUGUST)},
            " It was 7 at the review (August 2026), 5 now (down 2).",
        ),
        (
            {"at_review": AtReview(5.0, date(2026, 11, 1))},
            " It was 5 at the review (November 2026), 5 now (no change).",
        ),
        (
            {
                "percent": True,
                "baseline": 0.46,
                "latest": 0.47,
                "target": None,
                "at_review": AtReview(0.40, AUGUST),
            },
            " It was 40% at the review (August 2026), 47% now (up 7 percentage points).",
        ),
        (
            {"percent": True, "latest": 0.41, "target": None, "at_review": AtReview(0.40, AUGUST)},
            " It was 40% at the review (August 2026), 41% now (up 1 percentage point).",
        ),
        (
            {"at_review": AtReview(None, AUGUST, hidden=True)},
            " It was hidden (small number) at the review (August 2026), 5 now.",
        ),
        (
            {
                "latest": None,
                "latest_hidden": True,
                "target_reached": None,
                "at_review": AtReview(7.0, AUGUST),
            },
            " It was 7 at the review (August 2026), hidden (small number) now.",
        ),
        ({"at_review": AtReview()}, " It had no figure yet at the review; 5 now."),
    ],
)
def test_a_measure_sentence_says_what_changed_since_the_review(overrides, expected):
    sentence = measure_sentence(change(**overrides), SINCE)
    assert sentence.endswith(f"{SINCE}.{expected}"), sentence
    if "hidden" in expected:
        assert " up " not in sentence and " down " not in sentence  # would give it back


def test_without_a_review_the_sentence_is_as_before():
    assert measure_sentence(change(at_review=None), SINCE) == measure_sentence(change(), SINCE)
    assert "at the review" not in measure_sentence(change(), SINCE)


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        (None, False, "none"),
        (5.0, False, "5"),
        (4.25, False, "4.2"),
        (1234.0, False, "1,234"),
        (0.754, True, "75%"),
        (float("nan"), False, "none"),
    ],
)
def test_figures_read_as_on_the_panel_page(value, percent, expected):
    assert story.figure(value, percent) == expected


# Tests of change ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        (Decisions(), f"No test of change reached a decision {SINCE}."),
        (
            Decisions(("Huddle",), 0, 0),
            f"Tests of change decided {SINCE}: 1 adopted (‘Huddle’), none adapted and none "
            "abandoned.",
        ),
        (
            Decisions(("A", "B", "C", "D", "E"), 1, 2),
            f"Tests of change decided {SINCE}: 5 adopted (‘A’, ‘B’, ‘C’ and 2 more), 1 adapted "
            "and 2 abandoned.",
        ),
        (
            Decisions((), 2, 0),
            "Tests of change decided so far: none adopted, 2 adapted and none abandoned.",
        ),
    ],
)
def test_decisions_name_at_most_three_adopted_changes(decisions, expected):
    since = "so far" if expected.startswith("Tests of change decided so far") else SINCE
    assert decisions_sentence(decisions, since) == expected


# Progress scores ---------------------------------------------------------------------------------


def test_the_coordinators_score_is_chosen_over_the_teams_own_for_a_period():
    history = chosen_scores(
        [point(3, 2.0, "self"), point(3, 1.5), point(4, 2.5, "self"), point(2, 1.0)]
    )
    assert [(p.period.month, p.score, p.whose) for p in history] == [
        (2, 1.0, "coordinator"),
        (3, 1.5, "coordinator"),
        (4, 2.5, "self"),
    ]


def test_the_score_falls_back_to_the_one_suggested_from_the_report():
    suggested = point(5, 2.5, "suggested")
    assert latest_score([point(3, 2.0)], suggested) == point(3, 2.0)
    assert latest_score([], suggested) == suggested
    assert latest_score([], None) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            point(10, 3.5),
            "Progress score 3.5 (improvement) for October 2026: the coordinator's score.",
        ),
        (
            point(11, 3.0, "self"),
            "Progress score 3.0 (modest improvement) for November 2026: the "
            "team's own score (the coordinator has not scored that period).",
        ),
        (
            point(10, 2.5, "suggested"),
            "Nobody has scored its progress yet: 2.5 (changes tested, "
            "but no improvement) is suggested by the app from the team's October 2026 report.",
        ),
        (None, "No progress score yet, and no report to suggest one."),
    ],
)
def test_the_score_says_whose_it_is(given, expected):
    assert score_sentence(given, DEFAULT_PROGRESS_LABELS) == expected


def test_the_score_chart_uses_the_whole_scale_whatever_the_scores():
    chart = score_chart([point(1, 1.5), point(2, 2.0, "self"), point(4, 3.5)])
    assert chart is not None
    heights = {label: y for y, label in chart.grid}
    assert list(heights) == ["1", "2", "3", "4", "5"]
    assert heights["5"] < heights["1"]  # higher scores nearer the top
    (x1, y1, _), (x2, y2, _), (x3, y3, _) = chart.points
    assert x1 == chart.left and x3 == chart.right
    # Spaced by date: February is a third of the way from January to April (31 of 90 days).
    assert x2 == pytest.approx(x1 + (x3 - x1) * 31 / 90, abs=0.1)
    assert y2 == heights["2"]
    same = score_chart([point(1, 2.0)])
    assert same is not None and same.points[0][1] == heights["2"]  # same height on every chart
    assert chart.line == f"{x1},{y1} {x2},{y2} {x3},{y3}"
    assert score_chart([]) is None


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], "No progress scores yet."),
        ([point(3, 2.0)], "One score so far: 2.0 for March 2026."),
        (
            [point(1, 1.5), point(2, 3.0, "self"), point(4, 2.5)],
            "3 scores from January 2026 to April 2026: up 1.0 from 1.5; highest 3.0, lowest 1.5.",
        ),
    ],
)
def test_the_chart_says_what_it_shows(history, expected):
    assert story.score_summary(history) == expected


def test_the_paragraph_reads_status_score_then_decisions():
    text = story.paragraph(team_status([]), "Score.", "Decisions.")
    assert text == "On track: no report is late and the team's work is moving. Score. Decisions."
