"""The strategic panel's read-only summary: on screen (with htmx filters), laid out for printing
on A4, and as CSV and XLSX downloads. Only GET routes: the panel changes nothing here."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
from flask import Response, abort, render_template, request, url_for

from improve.analysis import disclosure, summary
from improve.exports.writers import csv_response, xlsx_response
from improve.htmx import render
from improve.ideas.evidence_export import adopted_frame
from improve.measures.analysis import definition_of
from improve.models import Collaborative, Measure
from improve.panel import bp, queries, review_queries
from improve.panel.across_teams import measure_views
from improve.panel.forms import PanelFilterForm
from improve.panel.stories import story_context
from improve.permissions import Permission, collaborative_or_404

FORMATS = ("csv", "xlsx")


def _filtered(
    collaborative: Collaborative, every_team: bool = False
) -> tuple[PanelFilterForm, queries.PanelSummary | None]:
    """The filters from the query string, and the summary they choose (None if they are bad).
    On screen the teams' small charts come a page at a time (`teams_page`); `every_team` shows
    them all, for print."""
    teams = queries.list_teams(collaborative.id)
    measures = queries.list_shared_measures(collaborative.id)
    form = PanelFilterForm(request.args)
    form.set_choices(collaborative, queries.list_phases(collaborative.id), measures, teams)
    if not form.validate():
        return form, None
    page = None if every_team else _teams_page()
    return form, queries.panel_summary(collaborative, form.choice(), teams, measures, page)


def _teams_page() -> int:
    """The page of team charts asked for: 1 unless the address names another."""
    wanted = request.args.get("teams_page", "1")
    if not wanted.isdecimal() or not 1 <= int(wanted) <= 100_000:
        abort(400, "The page of team charts must be a whole number, 1 or more.")
    return int(wanted)


def _first_error(form: PanelFilterForm) -> str:
    return next(iter(message for messages in form.errors.values() for message in messages))


@bp.get("/collaboratives/<id:collaborative_id>/panel")
def dashboard(collaborative_id: int):
    """Totals, narrative, per-measure progress, cycles, scores and sparklines across the teams;
    htmx gets the results block alone. Bad filters answer 400 with their message."""
    collaborative = collaborative_or_404(collaborative_id, Permission.VIEW_PANEL)
    form, result = _filtered(collaborative)
    return render(
        "panel/dashboard.html",
        "panel_results",
        200 if result else 400,
        collaborative=collaborative,
        form=form,
        result=result,
        args=form.query_args(),
        printing=False,
        open_actions=review_queries.open_actions(collaborative.id),
        **_words_context(),
        **story_context(result),
    )


@bp.get("/collaboratives/<id:collaborative_id>/panel/print")
def print_view(collaborative_id: int):
    """The same summary laid out for A4 paper: no navigation, charts included."""
    collaborative = collaborative_or_404(collaborative_id, Permission.VIEW_PANEL)
    form, result = _filtered(collaborative, every_team=True)
    if result is None:
        abort(400, _first_error(form))
    # Every shared measure gets its teams' charts on one scale and its funnel plot; they take
    # the place of the screen's small charts of the first measure only.
    across = measure_views(
        collaborative, result.measures, result.choice, result.teams, None, tables=False
    )
    result = replace(result, spark_measure=None, sparks=[])
    body = render_template(
        "panel/print.html",
        collaborative=collaborative,
        form=form,
        result=result,
        across=across,
        args=form.query_args(),
        printing=True,
        open_actions=review_queries.open_actions(collaborative.id),
        today=date.today(),
        **_words_context(),
        **story_context(result),
    )
    return Response(body)


@bp.get("/collaboratives/<id:collaborative_id>/panel/summary.<fmt>")
def summary_export(collaborative_id: int, fmt: str):
    """The panel summary as a CSV or XLSX download, with the page's filters and the same team
    figures hidden (small numbers of people); its first row, and the XLSX file's About sheet,
    say what was hidden and why."""
    if fmt not in FORMATS:
        abort(404)
    collaborative = collaborative_or_404(collaborative_id, Permission.VIEW_PANEL)
    form, result = _filtered(collaborative)
    if result is None:
        abort(400, _first_error(form))
    stem = f"{collaborative.name} panel summary"
    table = summary_frame(result)
    if fmt == "csv":
        return csv_response(table, stem)
    return xlsx_response(
        {
            "Summary": table,
            "Progress scores": progress_frame(result),
            "Adopted changes": adopted_frame(result.evidence, result.team_names),
            "About": about_frame(result),
        },
        stem,
    )


# Presentation helpers shared by the page, the print layout and the exports ----------------------


@bp.app_template_filter("panel_value")
def panel_value(value: Any, chart_type: str = "") -> str:
    """A value as people read it: a proportion as a percentage, else up to 1 decimal place."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if chart_type == "p":
        return f"{value * 100:.0f}%"
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


@bp.app_template_filter("value_scale")
def value_scale(measure: Measure) -> str:
    """ "p" when the measure's values are shares of 0 to 1 (shown as percentages, whatever the
    chart type: a run chart of a proportion plots the share too), else its chart type."""
    return "p" if definition_of(measure).fraction else measure.chart_type.value


@bp.app_template_filter("panel_period")
def panel_period(day: Any) -> str:
    return f"{day:%B %Y}" if isinstance(day, date) else ""


def _ratio(count: int, teams: int) -> str:
    return f"{count} of {teams} {'team' if teams == 1 else 'teams'}"


def _rounded(value: Any, digits: int = 3) -> Any:
    return None if value is None else round(float(value), digits)


def _shown(row: dict[str, Any], name: str, value: Any) -> Any:
    """A team's figure as the file holds it: the number (or words), or the words for a figure
    hidden because it rests on a small number. The column stays numeric for every shown one."""
    return disclosure.HIDDEN_WORDS if name in row["hidden_fields"] else value


def small_numbers_note(result: queries.PanelSummary) -> str:
    """The file's note on small numbers: the rule, and how many figures it hid in the file."""
    hidden = result.hidden_in_rows.words(result.threshold, "in this file")
    return " ".join(words for words in (disclosure.rule_words(result.threshold), hidden) if words)


def summary_frame(result: queries.PanelSummary) -> pd.DataFrame:
    """A first row saying which figures are hidden and why, one row per team and shared
    measure, then an "All teams" row per measure whose counts are teams."""
    names = result.team_names
    cycles = {row["team_id"]: row for row in result.cycles}
    progress = {row["team_id"]: row for row in result.progress}
    since = result.since_words
    # The note's other cells are empty text, not missing: a column of counts with a missing
    # cell would be written as decimals (2.0) by the CSV writer.
    note = dict.fromkeys(_summary_columns(since), "")
    rows: list[dict[str, Any]] = [
        note | {"Team": "About small numbers", "Measure": small_numbers_note(result)}
    ]
    for measure, totals in zip(result.measures, result.measure_totals, strict=True):
        for row in result.rows_for(measure):
            team_cycles, scores = cycles[row["team_id"]], progress[row["team_id"]]
            rows.append(
                {
                    "Team": names[row["team_id"]],
                    "Measure": measure.name,
                    "Baseline": _shown(row, "baseline", _rounded(row["baseline"])),
                    "Latest": _shown(row, "latest", _rounded(row["latest"])),
                    "Latest period": row["latest_period"],
                    "Target": _rounded(row["target"]),
                    "Percent of the way to the target": _shown(
                        row, "percent_of_way", _rounded(row["percent_of_way"], 0)
                    ),
                    "Target reached": _shown(row, "target_reached", _yes_no(row["target_reached"])),
                    "What the chart shows": _words(summary.VARIATION_WORDS, row["variation"]),
                    "Assurance": _words(summary.ASSURANCE_WORDS, row["assurance"]),
                    f"Real improvements {since}": row["improvements"],
                    f"Changes for the worse {since}": row["concerns"],
                    "Cycles adopted": team_cycles["adopt"],
                    "Cycles adapted": team_cycles["adapt"],
                    "Cycles abandoned": team_cycles["abandon"],
                    "Cycles not decided yet": team_cycles["undecided"],
                    "Latest progress score": scores["latest"],
                    "Progress trend": summary.trend_words(scores["first"], scores["latest"]),
                }
            )
        teams = totals.teams
        rows.append(
            {
                "Team": f"All teams ({teams})",
                "Measure": measure.name,
                "Target reached": _ratio(totals.reached, teams),
                f"Real improvements {since}": _ratio(totals.improving, teams),
                f"Changes for the worse {since}": _ratio(totals.worsening, teams),
                "Cycles adopted": result.cycle_totals["adopt"],
                "Cycles adapted": result.cycle_totals["adapt"],
                "Cycles abandoned": result.cycle_totals["abandon"],
                "Cycles not decided yet": result.cycle_totals["undecided"],
                "Latest progress score": f"{_ratio(result.progressing, teams)} at 3.0 or higher",
            }
        )
    return pd.DataFrame(rows, columns=_summary_columns(since))


def _summary_columns(since: str) -> list[str]:
    return [
        "Team",
        "Measure",
        "Baseline",
        "Latest",
        "Latest period",
        "Target",
        "Percent of the way to the target",
        "Target reached",
        "What the chart shows",
        "Assurance",
        f"Real improvements {since}",
        f"Changes for the worse {since}",
        "Cycles adopted",
        "Cycles adapted",
        "Cycles abandoned",
        "Cycles not decided yet",
        "Latest progress score",
        "Progress trend",
    ]


def progress_frame(result: queries.PanelSummary) -> pd.DataFrame:
    names = result.team_names
    return pd.DataFrame(
        [
            {
                "Team": names[row["team_id"]],
                "Latest score": row["latest"],
                "Latest period": row["latest_period"],
                "Trend": summary.trend_words(row["first"], row["latest"]),
                "Scores in order": ", ".join(f"{score:.1f}" for score in row["history"] or []),
            }
            for row in result.progress
        ],
        columns=["Team", "Latest score", "Latest period", "Trend", "Scores in order"],
    )


def about_frame(result: queries.PanelSummary) -> pd.DataFrame:
    """What the download covers, which figures are hidden and why, and the narrative."""
    choice = result.choice
    facts = [
        ("Collaborative", result.collaborative.name),
        ("From", choice.start or "the start"),
        ("To", choice.end or "now"),
        ("Shared measure", choice.measure.name if choice.measure else "every shared measure"),
        ("Team", choice.team.name if choice.team else "every team"),
        ("Signals counted", result.since_words),
        ("Small numbers", disclosure.rule_words(result.threshold)),
        ("Hidden in this file", _hidden_in_file(result)),
        ("Made on", date.today()),
        ("Web address", url_for("panel.dashboard", collaborative_id=result.collaborative.id)),
    ]
    facts += [("Summary", sentence) for sentence in result.narrative]
    facts.append(("What the adopted changes rest on", result.evidence.sentence))
    return pd.DataFrame(facts, columns=["About", "Detail"])


def _hidden_in_file(result: queries.PanelSummary) -> str:
    if result.threshold <= 1:
        return "Nothing: the collaborative's threshold for small numbers is off."
    return result.hidden_in_rows.words(result.threshold, "in this file")


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _words(table: dict[str, tuple[str, str]], key: str | None) -> str | None:
    return table[key][0] if key in table else None


def _words_context() -> dict[str, Any]:
    return {
        "panel_variation_words": summary.VARIATION_WORDS,
        "panel_assurance_words": summary.ASSURANCE_WORDS,
        "panel_hidden_words": disclosure.HIDDEN_WORDS,
        "panel_trend_words": summary.trend_words,
    }
