"""The suggested progress score and its reasons (pure, no app)."""

from __future__ import annotations

import pytest

from improve.analysis.scoring import (
    SCALE,
    SUSTAINED_PERIODS,
    Evidence,
    MeasureEvidence,
    suggested_score,
)

FALLS = MeasureEvidence("Falls a month", "outcome")
CHECKS = MeasureEvidence("Night checks done", "process")
ADMISSIONS = MeasureEvidence("Hospital admissions", "balancing")


def improving(measure: MeasureEvidence, holding: int = 1, target_met: bool = False):
    return MeasureEvidence(
        measure.name, measure.measure_type, True, holding, measure.concern, target_met
    )


TESTED = {"aims": 1, "cycles_started": 3, "cycles_tested": 2}


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Evidence(), 1.0),
        (Evidence(measures=(FALLS, CHECKS)), 1.0),
        (Evidence(aims=1), 1.5),
        (Evidence(aims=2, measures=(improving(FALLS),)), 1.5),  # a signal without a test
        (Evidence(aims=1, cycles_started=2), 2.0),
        (Evidence(aims=1, cycles_started=2, measures=(improving(CHECKS),)), 2.0),
        (Evidence(**TESTED), 2.5),
        (Evidence(**TESTED, measures=(FALLS, CHECKS)), 2.5),
        # A signal on a balancing measure is never an improvement of the aim.
        (Evidence(**TESTED, measures=(improving(ADMISSIONS),)), 2.5),
        (Evidence(**TESTED, measures=(FALLS, improving(CHECKS))), 3.0),
        (Evidence(**TESTED, changes_adopted=3, measures=(improving(CHECKS, 9),)), 3.0),
        (Evidence(**TESTED, measures=(improving(FALLS), CHECKS)), 3.5),
        (Evidence(**TESTED, measures=(improving(FALLS, 8),)), 3.5),  # held, nothing adopted
        (Evidence(**TESTED, changes_adopted=1, measures=(improving(FALLS),)), 4.0),
        (Evidence(**TESTED, changes_adopted=1, measures=(improving(FALLS, 8),)), 4.0),
        (Evidence(**TESTED, changes_adopted=2, measures=(improving(FALLS, 5),)), 4.0),
        (Evidence(**TESTED, changes_adopted=2, measures=(improving(FALLS, 6),)), 4.5),
        (Evidence(**TESTED, changes_adopted=4, measures=(improving(FALLS, 12),)), 4.5),
        (
            Evidence(**TESTED, changes_adopted=2, measures=(improving(FALLS, 6, target_met=True),)),
            5.0,
        ),
        # The target counts only on the measure whose improvement held.
        (
            Evidence(
                **TESTED,
                changes_adopted=2,
                measures=(
                    improving(FALLS, 6),
                    improving(MeasureEvidence("Days out", "outcome"), 2, target_met=True),
                ),
            ),
            4.5,
        ),
    ],
)
def test_score_table(evidence: Evidence, expected: float) -> None:
    suggestion = suggested_score(evidence)
    assert suggestion.score == expected
    assert suggestion.score in SCALE
    assert suggestion.reasons


def test_reasons_name_the_measures_and_counts() -> None:
    evidence = Evidence(
        aims=1,
        cycles_started=4,
        cycles_tested=3,
        changes_adopted=1,
        measures=(improving(FALLS), improving(MeasureEvidence("Days out", "outcome")), CHECKS),
    )
    reasons = " ".join(suggested_score(evidence).reasons)
    assert "Outcome measures ‘Falls a month’ and ‘Days out’ show an improvement signal" in reasons
    assert "adopted 1 change." in reasons
    assert f"not yet held for {SUSTAINED_PERIODS} periods" in reasons
    one = suggested_score(Evidence(**TESTED, measures=(improving(CHECKS),))).reasons
    assert one[0] == (
        "Process measure ‘Night checks done’ shows an improvement signal: the steps are "
        "happening more."
    )


def test_balancing_concern_is_named_but_does_not_change_the_score() -> None:
    worrying = MeasureEvidence("Hospital admissions", "balancing", concern=True)
    calm = suggested_score(Evidence(**TESTED, measures=(improving(CHECKS),)))
    worried = suggested_score(Evidence(**TESTED, measures=(improving(CHECKS), worrying)))
    assert calm.score == worried.score == 3.0
    assert any("‘Hospital admissions’ shows a signal of concern" in r for r in worried.reasons)
    assert not any("concern" in r for r in calm.reasons)


def test_plain_words_for_the_early_levels() -> None:
    assert suggested_score(Evidence()).reasons == (
        "The team is set up but has no aim and no test of change yet.",
    )
    assert "2 tests of change are planned, but none has been carried out yet." in (
        suggested_score(Evidence(aims=1, cycles_started=2)).reasons
    )
    assert "1 test of change is planned" in suggested_score(Evidence(cycles_started=1)).reasons[0]


def test_scale_has_ten_half_steps() -> None:
    assert SCALE == (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
