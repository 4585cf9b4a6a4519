"""Add many data points at once: paste rows or upload a CSV/XLSX file, check them on a preview
page, then save every row in one transaction (all or nothing)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from improve.errors import is_transient
from improve.extensions import db
from improve.htmx import render, see_other
from improve.imports.parsing import (
    ImportPreview,
    TableError,
    parse_pasted,
    parse_table,
    validate_rows,
)
from improve.measures import bp, operations, queries
from improve.measures.import_forms import ConfirmImportForm, ImportForm
from improve.measures.views import data_team, measure_or_404
from improve.models import Measure, Team
from improve.permissions import Permission, team_or_404

SALT = "measure-import"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _measure_and_team(measure_id: int) -> tuple[Measure, Team, dict[str, Any]]:
    """The measure and the team whose data is imported, if the person may enter it."""
    measure = measure_or_404(measure_id)
    team, _ = data_team(measure)
    if team is None:
        abort(404)
    team_or_404(team.id, Permission.EDIT_TEAM_RECORDS)
    return measure, team, ({"team": team.id} if measure.team_id is None else {})


def _read(form: ImportForm) -> tuple[Any, str]:
    """The raw table from the file, else the paste; or an error message for the form."""
    upload = form.upload.data
    pasted = (form.pasted.data or "").strip("\r\n")
    try:
        if upload is not None and getattr(upload, "filename", ""):
            return parse_table(upload.read(), upload.filename), ""
        if pasted.strip():
            return parse_pasted(pasted), ""
    except TableError as exc:
        return None, str(exc)
    return None, "Paste some rows or choose a file to upload"


def _preview(measure: Measure, team: Team, table: Any) -> ImportPreview:
    return validate_rows(
        table,
        value_kind=measure.value_kind.value,
        frequency=measure.frequency.value,
        existing_periods=set(queries.points_by_period(measure, team)),
        today=date.today(),
    )


@bp.route("/measures/<id:measure_id>/import", methods=["GET", "POST"])
def import_data(measure_id: int):
    """Paste or upload many rows; a POST shows the preview (422 listing every bad row)."""
    measure, team, args = _measure_and_team(measure_id)
    form = ImportForm()
    if form.is_submitted():
        table, problem = _read(form)
        if table is not None:
            preview = _preview(measure, team, table)
            payload = {
                "measure": measure.id,
                "team": team.id,
                "rows": [
                    [r.period_start.isoformat(), r.value, r.denominator, r.note]
                    for r in preview.rows
                ],
            }
            return render(
                "measures/import_preview.html",
                status=200 if preview.ok else 422,
                measure=measure,
                team=team,
                args=args,
                preview=preview,
                confirm=ConfirmImportForm(payload=_serializer().dumps(payload)),
            )
        form.pasted.errors = [problem]
    return render(
        "measures/import.html",
        status=422 if form.is_submitted() else 200,
        measure=measure,
        team=team,
        args=args,
        form=form,
    )


@bp.post("/measures/<id:measure_id>/import/confirm")
def confirm_import(measure_id: int):
    """Save every previewed row in one transaction, with an audit row each; 303 to the measure."""
    measure, team, args = _measure_and_team(measure_id)
    try:
        payload = _serializer().loads(ConfirmImportForm().payload.data or "")
    except BadSignature:
        abort(400)
    if not isinstance(payload, dict) or (payload.get("measure"), payload.get("team")) != (
        measure.id,
        team.id,
    ):
        abort(400)
    rows = payload.get("rows") or []
    try:
        for period, value, denominator, note in rows:
            values = {"value": value, "denominator": denominator, "note": note}
            operations.record_data_point(
                current_user, measure, team, date.fromisoformat(period), values
            )
        db.session.commit()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        if isinstance(error, sa.exc.DBAPIError) and is_transient(error):
            raise  # busy or out of reach: the "service is busy, try again" page (503)
        # Another save of the same periods won the race (the natural key refused a duplicate):
        # a conflict the person can retry, not a fault of the service.
        conflict = isinstance(error, sa.exc.IntegrityError)
        return render(
            "measures/import.html",
            status=409 if conflict else 500,
            measure=db.session.get_one(Measure, measure_id),
            team=db.session.get_one(Team, team.id),
            args=args,
            form=ImportForm(formdata=None),
            save_failed=True,
        )
    flash(f"{len(rows)} value{'' if len(rows) == 1 else 's'} saved", "success")
    return see_other(url_for(".detail", measure_id=measure.id, **args))
