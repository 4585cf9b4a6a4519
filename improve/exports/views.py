"""Routes for downloads: a collaborative's measures (every point, with what its chart says) and
its cycles, as CSV or XLSX, limited to the teams the person may see."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
from flask import Response, abort, current_app, request
from flask_login import current_user

from improve.exports import bp, jobs, queries, writers
from improve.exports.writers import Rows, csv_response, csv_stream_response, xlsx_response
from improve.htmx import render
from improve.models import Collaborative, Team, User
from improve.permissions import collaborative_or_404

FORMATS = ("csv", "xlsx")
Export = Callable[[Collaborative, User], queries.Exported]


def about_sheet(
    collaborative: Collaborative,
    teams: list[Team],
    what: str,
    columns: dict[str, str],
    notes: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """The XLSX file's first sheet: what the file holds (with any notes, such as the small
    numbers it hides and why), then every column in plain words."""
    today = date.today()
    rows = [
        (
            "About this file",
            f"{what} in {collaborative.name}, downloaded on {today.day} {today:%B %Y}.",
        ),
        ("Teams included", ", ".join(team.name for team in teams) or "None"),
        *notes,
        ("", ""),
        *columns.items(),
    ]
    return pd.DataFrame(rows, columns=["Column", "What it means"])


def download(
    collaborative_id: int, fmt: str, export: Export, name: str, what: str, columns: dict[str, str]
) -> Response:
    """The export as a CSV file, or as an XLSX file whose first sheet explains it."""
    if fmt not in FORMATS:
        abort(404)
    collaborative = collaborative_or_404(collaborative_id)
    if fmt == "xlsx" and "made" in request.args:
        return _made_yet(request.args["made"])
    frame, teams, notes = export(collaborative, current_user)
    stem = f"{collaborative.name}-{name}"
    if fmt == "csv" and isinstance(frame, Rows):
        return csv_stream_response(frame, stem)
    if fmt == "csv":
        return csv_response(frame, stem)
    about = about_sheet(collaborative, teams, what, columns, notes)
    sheets = {"About this file": about, name.capitalize(): frame}
    if isinstance(frame, Rows) and frame.count > writers.XLSX_MAX_ROWS:
        return render("exports/preparing.html", status=413, too_many=frame.count)
    if isinstance(frame, Rows) and frame.count > writers.XLSX_ROWS_IN_REQUEST:
        return _made_beside(sheets, stem)
    return xlsx_response(sheets, stem)


def _made_beside(sheets: dict[str, pd.DataFrame | Rows], stem: str) -> Response:
    """A large XLSX file: the file once made; until then a page saying it is being made. 202
    Accepted: the request was taken, the file is to come."""
    made = writers.xlsx_job_response(sheets, stem, jobs.folder(current_app.instance_path))
    if isinstance(made, Response):
        return made
    status = 500 if made.failed else 202
    return render("exports/preparing.html", status=status, waiting=made, ready=False)


def _made_yet(tag: str) -> Response:
    """The "being made" page's check, by the file's tag: whether it is made, without building
    the export again (a tag names one person's file of one version of the data)."""
    if not re.fullmatch(r"[0-9a-f]{32}", tag):
        abort(400, "That is not the name of a file being made.")
    ready = jobs.ready_file(jobs.folder(current_app.instance_path), tag) is not None
    return render("exports/preparing.html", fragment="file_status", ready=ready, tag=tag)


@bp.get("/collaboratives/<id:collaborative_id>/exports/measures.<fmt>")
def measures(collaborative_id: int, fmt: str):
    """Every data point of every measure the person may see, with its chart's analysis."""
    what = "Every data point of every measure you may see, with what its chart shows,"
    export, columns = queries.measures_export, queries.MEASURE_COLUMNS
    return download(collaborative_id, fmt, export, "measures", what, columns)


@bp.get("/collaboratives/<id:collaborative_id>/exports/cycles.<fmt>")
def cycles(collaborative_id: int, fmt: str):
    """Every test of change (PDSA cycle) the person may see, with its plan, results and decision."""
    what = "Every test of change (PDSA cycle) you may see"
    export, columns = queries.cycles_export, queries.CYCLE_COLUMNS
    return download(collaborative_id, fmt, export, "cycles", what, columns)
