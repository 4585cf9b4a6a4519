"""Funnel plots: one period's figure of every team against its size, with the limits that chance
alone would keep teams of that size inside (issue 19, point 3).

After Spiegelhalter D J (2005), "Funnel plots for comparing institutional performance",
Statistics in Medicine 24:1185-1202. Each team is a dot at (its denominator, its proportion or
rate). The target is the pooled average of the teams (the sum of the numerators over the sum of
the denominators) unless one is given. Around it, for each team size n:

  proportion:  p0 ± z · sqrt(p0 (1 - p0) / n), kept within 0 to 1
  rate:        p0 ± z · sqrt(p0 / n), kept at 0 or more        (p0 in events per unit exposure)

with z = 1.96 for the 95% limits and z = 3.09 for the 99.8% limits. Small teams vary more by
chance than large ones, so the limits narrow as n grows: the funnel.

**Normal approximation, not the exact binomial.** The paper recommends exact binomial (or
Poisson) limits where counts are small. We use the normal approximation the paper also gives
because it is the same arithmetic as the p and u charts elsewhere in the app (which people learn
to read first), it can be checked by hand from the formula above, and it draws as a smooth curve.
Its cost: for small teams, or an average near 0% or 100%, the limits are a little too narrow on
one side, so a small team is flagged a little more readily than the exact limits would. The page
says the limits are a guide for where to ask questions, never a verdict.

A team is "within" the 95% limits (on a limit counts as within), "worth a look" between the
95% and 99.8% limits, or "unusual" beyond the 99.8% limits; above or below the average; and,
for a measure with a better direction, better or worse.

Pure: numpy and the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["proportion", "rate"]
Band = Literal["within", "look", "unusual"]
Side = Literal["above", "below", "on"]
Judgement = Literal["better", "worse", "neither"]

#: Two-sided 95% and 99.8% limits of the normal distribution, as the paper rounds them.
Z_95 = 1.96
Z_998 = 3.09

#: Points along the drawn limits: enough for a smooth curve on a page-wide chart.
CURVE_POINTS = 60

BAND_WORDS: dict[str, str] = {
    "within": "Within the 95% limits",
    "look": "Between the 95% and 99.8% limits: worth a look",
    "unusual": "Beyond the 99.8% limits: unusual",
}


@dataclass(frozen=True)
class Limits:
    """The funnel's limits for a team of `size`, on the plotted scale (times `scale`)."""

    size: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@dataclass(frozen=True)
class FunnelPoint:
    """One team on the funnel: its numbers, its figure (numerator / denominator x scale), the
    limits at its size and where it falls."""

    key: int
    numerator: float
    denominator: float
    value: float
    limits: Limits
    band: Band
    side: Side
    judgement: Judgement

    @property
    def words(self) -> str:
        """ "Beyond the 99.8% limits: unusual; above the average (better)". Within the 95%
        limits a side is no sign of better or worse, so none is named."""
        where = BAND_WORDS[self.band]
        if self.side == "on":
            return f"{where}; on the average"
        named = self.band != "within" and self.judgement != "neither"
        return f"{where}; {self.side} the average" + (f" ({self.judgement})" if named else "")


@dataclass(frozen=True)
class Funnel:
    """Every team's place on the funnel, the average and the limits along a curve of sizes."""

    kind: Kind
    scale: float
    average: float  # on the plotted scale
    points: tuple[FunnelPoint, ...]
    curve: tuple[Limits, ...]

    def in_band(self, band: Band) -> list[FunnelPoint]:
        return [point for point in self.points if point.band == band]


def usable(kind: Kind, numerator: float | None, denominator: float | None) -> bool:
    """Whether a team's numbers can go on the funnel: a positive denominator, a numerator of 0
    or more and, for a proportion, no more than the denominator."""
    if numerator is None or denominator is None:
        return False
    if not (math.isfinite(numerator) and math.isfinite(denominator)):
        return False
    if denominator <= 0 or numerator < 0:
        return False
    return kind == "rate" or numerator <= denominator


def pooled_average(numerators: Sequence[float], denominators: Sequence[float]) -> float | None:
    """The sum of the numerators over the sum of the denominators (None without any)."""
    total = float(np.sum(np.asarray(denominators, dtype=np.float64)))
    if not total > 0:
        return None
    return float(np.sum(np.asarray(numerators, dtype=np.float64))) / total


def _spread(kind: Kind, average: float, size: float) -> float:
    """One standard error at this size: binomial for a proportion, Poisson for a rate."""
    variance = average * (1 - average) if kind == "proportion" else average
    return math.sqrt(max(variance, 0.0) / size)


def _bounded(kind: Kind, value: float) -> float:
    """A limit kept where the figure can be: 0 to 1 for a proportion, 0 or more for a rate."""
    low = max(value, 0.0)
    return min(low, 1.0) if kind == "proportion" else low


def limits_at(kind: Kind, average: float, size: float, scale: float = 1.0) -> Limits:
    """The 95% and 99.8% limits around `average` (per unit, before `scale`) for a team of
    `size`, times `scale` (a rate's multiplier, or 100 for a percentage)."""
    if not size > 0:
        raise ValueError("a team's size must be more than 0")
    spread = _spread(kind, average, size)

    def limit(z: float) -> float:
        return _bounded(kind, average + z * spread) * scale

    return Limits(
        size=float(size),
        lower_95=limit(-Z_95),
        upper_95=limit(Z_95),
        lower_998=limit(-Z_998),
        upper_998=limit(Z_998),
    )


def curve_sizes(smallest: float, largest: float, count: int = CURVE_POINTS) -> list[float]:
    """Team sizes from `smallest` to `largest`, closer together where the funnel bends (small
    sizes): evenly spaced on a log scale."""
    if not 0 < smallest <= largest:
        raise ValueError("sizes must be positive, the smallest first")
    if smallest == largest or count < 2:
        return [float(smallest), float(largest)] if smallest != largest else [float(smallest)]
    sizes = np.geomspace(smallest, largest, count)
    return [float(size) for size in sizes]


def classify(
    value: float, limits: Limits, average: float, direction: str
) -> tuple[Band, Side, Judgement]:
    """Where a figure falls against the limits at its size (all on the plotted scale): its band,
    its side of the average, and whether that side is better or worse for the measure's
    `direction` ("increase", "decrease" or "neutral")."""
    if value > limits.upper_998 or value < limits.lower_998:
        band: Band = "unusual"
    elif value > limits.upper_95 or value < limits.lower_95:
        band = "look"
    else:
        band = "within"
    side: Side = "above" if value > average else "below" if value < average else "on"
    judgement: Judgement = "neither"
    if side != "on" and direction in ("increase", "decrease"):
        judgement = "better" if (side == "above") == (direction == "increase") else "worse"
    return band, side, judgement


def funnel(
    kind: Kind,
    teams: Sequence[tuple[int, float, float]],
    *,
    direction: str,
    scale: float = 1.0,
    average: float | None = None,
    curve_points: int = CURVE_POINTS,
) -> Funnel | None:
    """The funnel of these teams, each (key, numerator, denominator) with `usable` numbers.
    `average` (per unit, before `scale`) defaults to the teams' pooled average; pass another
    to pool more than the teams drawn (teams whose figures are hidden still count in it).
    None when there is no team to draw or no average."""
    if not teams:
        return None
    for key, numerator, denominator in teams:
        if not usable(kind, numerator, denominator):
            raise ValueError(f"team {key}: numbers not usable on a {kind} funnel")
    if average is None:
        average = pooled_average([t[1] for t in teams], [t[2] for t in teams])
    if average is None:
        return None
    centre = average * scale
    points = []
    for key, numerator, denominator in teams:
        value = numerator / denominator * scale
        limits = limits_at(kind, average, denominator, scale)
        band, side, judgement = classify(value, limits, centre, direction)
        points.append(
            FunnelPoint(key, numerator, denominator, value, limits, band, side, judgement)
        )
    sizes = [t[2] for t in teams]
    curve = tuple(
        limits_at(kind, average, size, scale)
        for size in curve_sizes(min(sizes), max(sizes), curve_points)
    )
    return Funnel(kind=kind, scale=scale, average=centre, points=tuple(points), curve=curve)


# In words ----------------------------------------------------------------------------------------

#: Teams named in a sentence before "and N more (see the table)".
NAMED = 8


def _teams(count: int) -> str:
    return "1 team" if count == 1 else f"{count} teams"


def _names(points: Sequence[FunnelPoint], names: Mapping[int, str]) -> str:
    """ "Team A (above the average: better), Team B (below the average)" """
    named = []
    for point in points[:NAMED]:
        where = "on the average" if point.side == "on" else f"{point.side} the average"
        if point.judgement != "neither":
            where += f": {point.judgement}"
        named.append(f"{names.get(point.key, str(point.key))} ({where})")
    if len(points) > NAMED:
        return ", ".join(named) + f" and {len(points) - NAMED} more (see the table)"
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def funnel_sentences(found: Funnel, names: Mapping[int, str]) -> list[str]:
    """What the funnel shows, in plain words: how many teams fall beyond the 99.8% limits,
    between the limits, and within the 95% limits, naming the teams outside."""
    drawn = len(found.points)
    unusual, look = found.in_band("unusual"), found.in_band("look")
    within = drawn - len(unusual) - len(look)
    sentences = []
    if unusual:
        verb = "is" if len(unusual) == 1 else "are"
        sentences.append(
            f"{len(unusual)} of the {_teams(drawn)} on the plot {verb} beyond the 99.8% limits: "
            f"{_names(unusual, names)}. A difference that large is unusual for a team of that "
            "size: worth asking what is different there."
        )
    if look:
        verb = "is" if len(look) == 1 else "are"
        sentences.append(
            f"{len(look)} of the {_teams(drawn)} {verb} between the 95% and 99.8% limits, worth "
            f"a look: {_names(look, names)}."
        )
    if within == drawn:
        sentences.append(
            f"All {_teams(drawn)} on the plot are within the 95% limits: their differences from "
            "the average are the size chance alone gives teams of their size."
        )
    elif within:
        verb = "is" if within == 1 else "are"
        sentences.append(
            f"The other {within} {verb} within the 95% limits: differences of the size chance "
            "alone gives teams of their size."
        )
    return sentences
