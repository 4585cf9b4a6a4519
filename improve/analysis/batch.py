"""Many series at once: centre, limits, Anhøj runs and Making Data Count rules, vectorised.

The same rules as `spc`, `runs` and `rules` (DOMAIN.md sections 4-5; qicharts2 and
NHSRplotthedots), computed on a padded (series x points) matrix so thousands of series take a
fraction of a second. One part per series, no exclusions or baseline freeze: gaps (NaN) are
skipped as in the single-series functions. Use `spc.control_chart` for the full options.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from improve.analysis.rules import MDC_SHIFT_LENGTH, MDC_TREND_LENGTH, Direction
from improve.analysis.runs import longest_run_max, n_crossings_min
from improve.analysis.spc import D2, NHS_CONSTANT, SigmaMethod

BatchChart = Literal["run", "i", "p", "u", "c"]
Matrix = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]


def _padded(frame: pd.DataFrame, key: str, column: str) -> tuple[Matrix, pd.Index, Labels]:
    """The column as a (series x position) matrix padded with NaN, the keys, and each row's
    length. Rows keep the frame's order within each series."""
    codes, keys = pd.factorize(frame[key], sort=True)
    position = frame.groupby(codes).cumcount().to_numpy()
    lengths = np.bincount(codes, minlength=len(keys)).astype(np.int64)
    matrix = np.full((len(keys), int(lengths.max(initial=0))), np.nan)
    matrix[codes, position] = frame[column].to_numpy(dtype=np.float64)
    return matrix, pd.Index(keys), lengths


def _compressed(x: Matrix, keep: npt.NDArray[np.bool_]) -> tuple[Matrix, Labels, Labels]:
    """Each row's kept values moved to the front (order kept), the source columns, and counts."""
    order = np.argsort(~keep, axis=1, kind="stable")
    packed = np.take_along_axis(np.where(keep, x, np.nan), order, axis=1)
    return packed, order.astype(np.int64), keep.sum(axis=1).astype(np.int64)


def _run_lengths(labels: Labels) -> Labels:
    """For each cell, the length of its run of equal labels along the row."""
    rows, cols = labels.shape
    if cols == 0:
        return np.zeros_like(labels)
    change = np.ones_like(labels, dtype=np.bool_)
    change[:, 1:] = labels[:, 1:] != labels[:, :-1]
    run_id = np.cumsum(change.ravel()) - 1
    lengths: Labels = np.bincount(run_id)[run_id].reshape(rows, cols).astype(np.int64)
    return lengths


def _valid(counts: Labels, cols: int) -> npt.NDArray[np.bool_]:
    return np.arange(cols)[None, :] < counts[:, None]


def _scatter(packed: Labels, order: Labels) -> Labels:
    result = np.zeros_like(packed)
    np.put_along_axis(result, order, packed, axis=1)
    return result


def _row_median(x: Matrix) -> Matrix:
    """Median of each row's non-missing values (NaN for none), without numpy's warnings."""
    ordered = np.sort(x, axis=1)  # NaN sort last
    n = (~np.isnan(x)).sum(axis=1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.minimum(n // 2, max(x.shape[1] - 1, 0))[:, None], 1)
    return np.where(n > 0, (low + high[:, 0]) / 2, np.nan)


def _row_mean(x: Matrix) -> Matrix:
    n = (~np.isnan(x)).sum(axis=1)
    return np.where(n > 0, np.nansum(x, axis=1) / np.maximum(n, 1), np.nan)


def batch_analysis(
    frame: pd.DataFrame,
    *,
    chart: BatchChart = "i",
    key: str = "series",
    value: str = "value",
    denominator: str = "denominator",
    multiplier: float = 1.0,
    sigma_method: SigmaMethod = "classic",
    direction: Direction = "neutral",
    shift_length: int = MDC_SHIFT_LENGTH,
    trend_length: int = MDC_TREND_LENGTH,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points and runs for every series of a long frame (one row per point, `key` naming the
    series). Returns (points: series, index (1-based), value, cl, lcl, ucl, the four rule flags,
    point_type; runs: series, n_obs, n_useful, longest_run, longest_run_max, n_crossings,
    n_crossings_min, runs_signal). Formulas as `spc.control_chart`, rules as `rules.signals`
    with `rules="mdc"`, runs as `runs.runs_analysis`."""
    x, keys, lengths = _padded(frame, key, value)
    rows, cols = x.shape
    present = ~np.isnan(x)
    scale = multiplier if chart in ("p", "u") else 1.0
    sigma = np.full(x.shape, np.nan)
    if chart in ("p", "u"):
        den, _, _ = _padded(frame, key, denominator)
        den = np.where(present, den, np.nan)
        centre = np.nansum(x, axis=1) / np.nansum(den, axis=1)
        spread = centre[:, None] * (1 - centre[:, None]) if chart == "p" else centre[:, None]
        sigma = np.sqrt(spread / np.where(present, den, 1.0))
        x = x / np.where(present, den, 1.0)
    elif chart == "run":
        centre = _row_median(x)
    else:
        centre = _row_mean(x)
        if chart == "c":
            sigma = np.broadcast_to(np.sqrt(centre)[:, None], x.shape).copy()
        else:
            moving = np.abs(np.diff(x, axis=1))
            spread = _row_mean(moving) / D2 if sigma_method == "classic" else None
            if spread is None:
                spread = NHS_CONSTANT * _row_mean(moving) / 3
            sigma = np.broadcast_to(spread[:, None], x.shape).copy()
    cl = np.broadcast_to(centre[:, None], x.shape)
    lcl, ucl = cl - 3 * sigma, cl + 3 * sigma
    if chart in ("p", "u", "c"):
        lcl = np.maximum(lcl, 0.0)
    if chart == "p":
        ucl = np.minimum(ucl, 1.0)

    with np.errstate(invalid="ignore"):
        side = np.nan_to_num(np.sign(x - cl)).astype(np.int64)
        outside = np.where(present & (x > ucl), 1, np.where(present & (x < lcl), -1, 0))
        beyond = np.where(x > cl + 2 * sigma, 1, np.where(x < cl - 2 * sigma, -1, 0))

    # Pattern rules work on each row's values with gaps removed.
    packed, order, counts = _compressed(x, present)
    valid = _valid(counts, cols)
    p_side, _, _ = _compressed(side.astype(np.float64), present)
    p_side_i = np.where(valid, np.nan_to_num(p_side), 9).astype(np.int64)
    p_beyond, _, _ = _compressed(beyond.astype(np.float64), present)
    p_beyond_i = np.where(valid, np.nan_to_num(p_beyond), 0).astype(np.int64)

    # Shift: `shift_length` in a row on one side; a point on the mean breaks it.
    shift_packed = np.where(
        (_run_lengths(p_side_i) >= shift_length) & valid & (p_side_i != 9), p_side_i, 0
    )
    # Trend: `trend_length` points each strictly above (below) the one before.
    steps = np.zeros((rows, max(cols - 1, 0)), dtype=np.int64)
    if cols > 1:
        with np.errstate(invalid="ignore"):
            steps = np.nan_to_num(np.sign(np.diff(packed, axis=1))).astype(np.int64)
        steps = np.where(valid[:, 1:], steps, 0)
    in_trend = np.where((_run_lengths(steps) + 1 >= trend_length) & (steps != 0), steps, 0)
    trend_packed = np.zeros((rows, cols), dtype=np.int64)
    if cols > 1:
        trend_packed[:, 1:] = in_trend
        trend_packed[:, :-1] = np.where(in_trend != 0, in_trend, trend_packed[:, :-1])
    # Two of three beyond the same-side 2-sigma line, all three on that side of the mean.
    two_packed = np.zeros((rows, cols), dtype=np.int64)
    for sign in (1, -1):
        if cols < 3:
            break
        same = p_side_i == sign
        far = p_beyond_i == sign
        window = (
            same[:, :-2]
            & same[:, 1:-1]
            & same[:, 2:]
            & (far[:, :-2].astype(int) + far[:, 1:-1] + far[:, 2:] >= 2)
        )
        covered = np.zeros((rows, cols), dtype=np.bool_)
        for offset in range(3):
            covered[:, offset : cols - 2 + offset] |= window
        two_packed = np.where(covered & far, sign, two_packed)

    fired = {
        "outside_limits": outside,
        "trend": _scatter(trend_packed, order),
        "two_in_three": _scatter(two_packed, order),
        "shift": _scatter(shift_packed, order),
    }
    decisive = np.zeros((rows, cols), dtype=np.int64)
    for rule in ("shift", "two_in_three", "trend", "outside_limits"):  # lowest first
        decisive = np.where(fired[rule] != 0, fired[rule], decisive)
    if direction == "neutral":
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    elif direction == "increase":
        high, low = "special_cause_improvement", "special_cause_concern"
    else:
        high, low = "special_cause_concern", "special_cause_improvement"
    point_type = np.select([decisive > 0, decisive < 0], [high, low], "common_cause")

    # Anhøj runs: points on the centre line and gaps removed.
    useful = present & (side != 0)
    u_side, _, n_useful = _compressed(side.astype(np.float64), useful)
    u_valid = _valid(n_useful, cols)
    u_labels = np.where(u_valid, np.nan_to_num(u_side), 9).astype(np.int64)
    longest = np.where(u_valid, _run_lengths(u_labels), 0).max(axis=1, initial=0)
    crossings = (u_valid[:, 1:] & (u_labels[:, 1:] != u_labels[:, :-1])).sum(axis=1)
    run_max = np.array([_anhoej_run_max(int(n)) for n in n_useful], dtype=np.float64)
    crossings_min = np.array([_anhoej_crossings_min(int(n)) for n in n_useful], dtype=np.float64)
    signal = (n_useful >= 10) & ((longest > run_max) | (crossings < crossings_min))

    in_series = _valid(lengths, cols)
    row, col = np.nonzero(in_series)
    points = pd.DataFrame(
        {
            key: keys[row],
            "index": col + 1,
            "value": x[row, col] * scale,
            "cl": cl[row, col] * scale,
            "lcl": (lcl[row, col] if chart != "run" else np.nan) * scale,
            "ucl": (ucl[row, col] if chart != "run" else np.nan) * scale,
            **{rule: flags[row, col] != 0 for rule, flags in fired.items()},
            "point_type": point_type[row, col],
        }
    )
    runs = pd.DataFrame(
        {
            key: keys,
            "n_obs": present.sum(axis=1),
            "n_useful": n_useful,
            "longest_run": longest,
            "longest_run_max": run_max,
            "n_crossings": crossings,
            "n_crossings_min": crossings_min,
            "runs_signal": signal,
        }
    )
    return points, runs


_CRITICAL: dict[int, tuple[int, int]] = {}


def _critical(n: int) -> tuple[int, int]:
    """Anhøj critical values for n useful points, cached (the binomial sum is exact, not free)."""
    if n not in _CRITICAL:
        _CRITICAL[n] = (longest_run_max(n), n_crossings_min(n))
    return _CRITICAL[n]


def _anhoej_run_max(n: int) -> float:
    return float(_critical(n)[0]) if n > 0 else math.nan


def _anhoej_crossings_min(n: int) -> float:
    return float(_critical(n)[1]) if n > 0 else math.nan
