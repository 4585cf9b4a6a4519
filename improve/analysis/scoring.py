"""A suggested progress score for a team's report, with its reasons (pure).

The scale is the IHI assessment scale for collaboratives as Life QI publishes it (DOMAIN.md
section 6): 0.5 intent to participate, 1.0 charter and team established, 1.5 planning begun,
2.0 activity but no changes, 2.5 changes tested but no improvement, 3.0 modest improvement,
3.5 improvement, 4.0 significant improvement, 4.5 sustainable improvement, 5.0 outstanding
sustainable results. The scale describes each level in words only; the rules below turn the
evidence the app holds into one of those levels, so the team can confirm or change it:

1.0  the team exists but has no aim and no PDSA cycle yet;
1.5  an aim is set (planning has begun) but no cycle has started;
2.0  cycles are planned but none has been carried out yet (activity, no change tested);
2.5  changes have been tested (a cycle reached Do or beyond) but no measure shows an
     improvement signal;
3.0  an improvement signal on a process measure (the steps are happening more), none on an
     outcome measure (modest improvement);
3.5  an improvement signal on an outcome measure (what matters to people got better);
4.0  as 3.5, and the team has adopted at least one change (significant improvement);
4.5  an outcome measure's improvement has held for SUSTAINED_PERIODS periods in a row up to the
     end of the report's period, and the team has adopted at least SEVERAL_ADOPTED changes
     (sustainable improvement);
5.0  as 4.5, and that outcome measure has reached its target (outstanding sustainable results).

An improvement signal is a point the chart rules mark "special cause improvement" (DOMAIN.md
section 5). Only data up to the end of the report's period counts. A signal of concern on a
balancing measure does not change the score but is named in the reasons, so the team and the
coordinator can look at it. 0.5 (intent only) is never suggested: a team with a page in the app
has at least been set up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MeasureType = Literal["outcome", "process", "balancing"]

SCALE: tuple[float, ...] = tuple(step / 2 for step in range(1, 11))  # 0.5, 1.0, ... 5.0
# "Improvement holding for 6+ periods": the IHI run-chart shift is 6 points on one side.
SUSTAINED_PERIODS = 6
SEVERAL_ADOPTED = 2


@dataclass(frozen=True)
class MeasureEvidence:
    """What one measure's chart showed, using data up to the end of the report's period."""

    name: str
    measure_type: MeasureType
    improvement: bool = False  # any point marked special cause improvement
    holding: int = 0  # how many of the latest points in a row are marked improvement
    concern: bool = False  # any point marked special cause concern
    target_met: bool = False  # the latest value is at or better than the target


@dataclass(frozen=True)
class Evidence:
    """A team's records as they stood at the end of the report's period."""

    aims: int = 0
    cycles_started: int = 0  # cycles whose start date is on or before the period's end
    cycles_tested: int = 0  # of those, cycles carried out (in Do, Study, Act or closed)
    changes_adopted: int = 0  # cycles closed with the decision "adopt"
    measures: tuple[MeasureEvidence, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Suggestion:
    score: float
    reasons: tuple[str, ...]


def _measures(kind: str, measures: list[MeasureEvidence]) -> str:
    """Like "Outcome measure ‘Falls’ shows" or "Process measures ‘A’ and ‘B’ show"."""
    if len(measures) == 1:
        return f"{kind} measure {_names(measures)} shows"
    return f"{kind} measures {_names(measures)} show"


def _names(measures: list[MeasureEvidence]) -> str:
    quoted = [f"‘{m.name}’" for m in measures]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def suggested_score(evidence: Evidence) -> Suggestion:
    """The highest level of the scale whose rule the evidence meets (see the module docstring),
    with the facts that put it there in plain words."""
    reasons: list[str] = []
    outcome = [m for m in evidence.measures if m.measure_type == "outcome" and m.improvement]
    process = [m for m in evidence.measures if m.measure_type == "process" and m.improvement]
    worrying = [m for m in evidence.measures if m.measure_type == "balancing" and m.concern]
    sustained = [m for m in outcome if m.holding >= SUSTAINED_PERIODS]

    if evidence.cycles_started == 0:
        if evidence.aims == 0:
            score = 1.0
            reasons.append("The team is set up but has no aim and no test of change yet.")
        else:
            score = 1.5
            reasons.append(
                f"The team has {_count(evidence.aims, 'aim', 'aims')}, so planning has begun, "
                "but no test of change (PDSA cycle) has started yet."
            )
    elif evidence.cycles_tested == 0:
        score = 2.0
        reasons.append(
            f"{_count(evidence.cycles_started, 'test of change is', 'tests of change are')} "
            "planned, but none has been carried out yet."
        )
    elif not outcome and not process:
        score = 2.5
        reasons.append(
            f"{_count(evidence.cycles_tested, 'test of change has', 'tests of change have')} "
            "been carried out."
        )
        reasons.append(
            "No measure shows an improvement signal yet (a change in the data that is unlikely "
            "to be chance)."
        )
    elif not outcome:
        score = 3.0
        reasons.append(
            f"{_measures('Process', process)} an improvement signal: the steps are happening more."
        )
        reasons.append("No outcome measure shows an improvement signal yet.")
    else:
        reasons.append(
            f"{_measures('Outcome', outcome)} an improvement signal: things are getting better "
            "for people."
        )
        adopted = evidence.changes_adopted
        if sustained and adopted >= SEVERAL_ADOPTED:
            reached = [m for m in sustained if m.target_met]
            reasons.append(
                f"The improvement in {_names(sustained)} has held for {SUSTAINED_PERIODS} or "
                f"more periods in a row, and the team has adopted "
                f"{_count(adopted, 'change', 'changes')}."
            )
            if reached:
                score = 5.0
                reasons.append(f"{_names(reached)} reached the target.")
            else:
                score = 4.5
                reasons.append("The target has not been reached yet.")
        elif adopted >= 1:
            score = 4.0
            reasons.append(f"The team has adopted {_count(adopted, 'change', 'changes')}.")
            if sustained:
                reasons.append(
                    f"Sustainable improvement also needs {SEVERAL_ADOPTED} or more adopted changes."
                )
            else:
                reasons.append(
                    f"The improvement has not yet held for {SUSTAINED_PERIODS} periods in a row."
                )
        else:
            score = 3.5
            reasons.append("No change has been adopted yet (a cycle closed with “adopt”).")
    if worrying:
        reasons.append(
            f"{_measures('Balancing', worrying)} a signal of concern: check the changes are not "
            "causing a problem elsewhere."
        )
    return Suggestion(score, tuple(reasons))
