"""Add many data points at once: paste rows or upload a CSV/XLSX file, check them on a preview
page, then save every row in one transaction (all or nothing).

The preview only reads (`reads_only`), and ends its transaction before reading the file, so a
large upload never holds a lock that other people's saves wait for. The confirmation it signs
is bound to the person, the measure and team, the state of that team's existing points and the
time: a stale, expired, replayed or borrowed confirmation saves nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from improve import canary
from improve.errors import is_transient
from improve.extensions import db, reads_only, stop_writing
from improve.htmx import render, see_other
from improve.imports.parsing import (
    ImportPreview,
    ImportRow,
    TableError,
    parse_pasted,
    parse_table,
    validate_event_rows,
    validate_rows,
)
from improve.measures import bp, operations, queries
from improve.measures.import_forms import CARE_DATA_CHECKED, ConfirmImportForm, ImportForm
from improve.measures.views import data_team, measure_or_404
from improve.models import Measure, Team, UsedSubmission, ValueKind, utcnow
from improve.permissions import Permission, team_or_404

SALT = "measure-import-confirmation"
# How long a preview can be confirmed: long enough to read it, short enough that nobody saves
# what they checked yesterday.
PREVIEW_MAX_AGE = 30 * 60
# The used-submission row that marks a preview saved (its token is the preview's one-time value).
IMPORT_SAVED = "import-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


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


def data_state(measure: Measure, team: Team) -> dict[str, str]:
    """The team's saved points of this measure, as period -> a digest of everything about the
    point: any point added, edited, left out, brought back or deleted changes it."""
    state = {}
    for period, point in queries.points_by_period(measure, team).items():
        facts = (
            point.id,
            point.version,
            point.value,
            point.denominator,
            point.note,
            point.excluded,
            point.exclusion_reason,
            point.starts_new_phase,
            point.phase_reason,
        )
        state[period.isoformat()] = hashlib.sha256(repr(facts).encode()).hexdigest()[:16]
    return state


def _care_data(rows: list[ImportRow]) -> dict[int, list[str]]:
    """Row number -> what the care-data canary found in that row's note (the forms' check)."""
    found = {}
    for row in rows:
        described = list(dict.fromkeys(f.describe() for f in canary.findings(row.note)))
        if described:
            found[row.row_number] = described
    return found


def _preview_page(
    measure: Measure,
    team: Team,
    args: dict[str, Any],
    preview: ImportPreview,
    care_data: dict[int, list[str]],
    payload: str,
    status: int,
    **context: Any,
):
    return render(
        "measures/import_preview.html",
        status=status,
        measure=measure,
        team=team,
        args=args,
        preview=preview,
        care_data=care_data,
        confirm=ConfirmImportForm(formdata=None, payload=payload),
        care_data_checked_name=CARE_DATA_CHECKED,
        **context,
    )


@bp.route("/measures/<id:measure_id>/import", methods=["GET", "POST"])
@reads_only
def import_data(measure_id: int):
    """Paste or upload many rows; a POST shows the preview (422 listing every bad row)."""
    measure, team, args = _measure_and_team(measure_id)
    form = ImportForm()
    if form.is_submitted():
        db.session.commit()  # reading a large file is slow: hold no transaction meanwhile
        table, problem = _read(form)
        if table is not None:
            existing = data_state(measure, team)
            saved = {date.fromisoformat(p) for p in existing}
            if measure.value_kind == ValueKind.EVENTS:
                preview = validate_event_rows(table, existing_days=saved, today=date.today())
            else:
                preview = validate_rows(
                    table,
                    value_kind=measure.value_kind.value,
                    frequency=measure.frequency.value,
                    existing_periods=saved,
                    today=date.today(),
                )
            care_data = _care_data(preview.rows)
            payload = {
                "measure": measure.id,
                "team": team.id,
                "user": current_user.id,
                "definition": measure.version,
                # Saving it once uses it up: a replay must not put back what someone removed.
                "once": secrets.token_urlsafe(24),
                "data": existing,
                "care_data": sorted(care_data),
                "rows": [
                    [r.row_number, r.period_start.isoformat(), r.value, r.denominator, r.note]
                    for r in preview.rows
                ],
            }
            status = 200 if preview.ok else 422
            signed = _serializer().dumps(payload)
            return _preview_page(measure, team, args, preview, care_data, signed, status)
        form.pasted.errors = [problem]
    return render(
        "measures/import.html",
        status=422 if form.is_submitted() else 200,
        measure=measure,
        team=team,
        args=args,
        form=form,
    )


def _not_saved(measure: Measure, team: Team, args: dict[str, Any], status: int, **context: Any):
    context.setdefault("changes", None)
    return render(
        "measures/import_not_saved.html",
        status=status,
        measure=measure,
        team=team,
        args=args,
        **context,
    )


def _changes(before: dict[str, str], now: dict[str, str]) -> list[tuple[date, str]]:
    """Each period whose saved point was added, changed or removed between two states."""
    changes = []
    for period in sorted(before.keys() | now.keys()):
        if period not in before:
            changes.append((date.fromisoformat(period), "added"))
        elif period not in now:
            changes.append((date.fromisoformat(period), "removed"))
        elif before[period] != now[period]:
            changes.append((date.fromisoformat(period), "changed"))
    return changes


def _signed_payload(measure: Measure, team: Team) -> dict[str, Any]:
    """The preview's signed payload, if it is for this measure and team (else 400)."""
    try:
        payload = _serializer().loads(
            ConfirmImportForm().payload.data or "", max_age=PREVIEW_MAX_AGE
        )
    except SignatureExpired:
        raise
    except BadSignature:
        abort(400)
    if not isinstance(payload, dict) or (payload.get("measure"), payload.get("team")) != (
        measure.id,
        team.id,
    ):
        abort(400)
    return payload


@bp.post("/measures/<id:measure_id>/import/confirm")
def confirm_import(measure_id: int):
    """Save every previewed row in one transaction, with an audit row each; 303 to the measure.
    Nothing is saved from a confirmation that is someone else's (403), expired (400), or made
    before the team's data changed (409, listing what changed), or while a care-data warning
    has not been ticked off (422, the preview again)."""
    measure, team, args = _measure_and_team(measure_id)
    try:
        payload = _signed_payload(measure, team)
    except SignatureExpired:
        return _not_saved(measure, team, args, 400, expired=True)
    if payload.get("user") != current_user.id:
        abort(403, "This preview was made by someone else. Paste or upload the rows yourself.")
    rows = [ImportRow(n, date.fromisoformat(p), v, d, note) for n, p, v, d, note in payload["rows"]]
    if payload.get("care_data") and CARE_DATA_CHECKED not in request.form:
        return _unchecked_care_data(measure, team, args, rows)
    once = payload.get("once")
    if not isinstance(once, str) or not once:
        abort(400)
    if payload.get("definition") != measure.version:
        return _not_saved(measure, team, args, 409, definition_changed=True)
    changes = _changes(payload.get("data") or {}, data_state(measure, team))
    if changes:
        return _not_saved(measure, team, args, 409, changes=changes)
    if _already_saved(once):  # e.g. replayed after someone removed what it saved
        return _not_saved(measure, team, args, 409, already_saved=True)
    try:
        db.session.add(
            UsedSubmission(
                user_id=current_user.id, token=once, form_digest=IMPORT_SAVED, created_at=utcnow()
            )
        )
        for row in rows:
            values = {"value": row.value, "denominator": row.denominator, "note": row.note}
            operations.record_data_point(current_user, measure, team, row.period_start, values)
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


def _already_saved(once: str) -> bool:
    """Whether this person already saved the preview whose one-time value is `once`."""
    query = sa.select(UsedSubmission.id).where(
        UsedSubmission.user_id == current_user.id, UsedSubmission.token == once
    )
    return db.session.scalar(query) is not None


def _unchecked_care_data(measure: Measure, team: Team, args: dict[str, Any], rows: list[ImportRow]):
    """The preview again, asking for the box about the notes the canary warned about."""
    existing = set(queries.points_by_period(measure, team))
    stop_writing()  # scanning many long notes is slow: hold no write lock meanwhile
    preview = ImportPreview(
        rows=rows, replacing=sorted(r.period_start for r in rows if r.period_start in existing)
    )
    payload = ConfirmImportForm().payload.data or ""
    return _preview_page(
        measure, team, args, preview, _care_data(rows), payload, 422, care_data_unchecked=True
    )
