"""Adding many values at once: paste or upload, preview, then save all or nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.measures import operations
from improve.models import AuditAction, AuditEvent, DataPoint
from tests.conftest import text_of

PASTE = "date\tvalue\tnote\n01/01/2026\t5\tquiet month\n01/02/2026\t3\t\n01/03/2026\t4\tnew rota\n"


def points() -> list[DataPoint]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DataPoint).order_by(DataPoint.period_start)))


def point_audits() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "DataPoint")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def payload_of(response) -> str:
    match = re.search(r'name="payload"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    if match is None:
        match = re.search(r'value="([^"]+)"[^>]*name="payload"', response.get_data(as_text=True))
    assert match, "no signed payload on the preview page"
    return match[1]


@pytest.fixture
def aim(world, make_aim):
    return make_aim(world.team_a)


@pytest.fixture
def measure(aim, make_measure):
    return make_measure(aim)


def test_import_page_offers_paste_and_upload(world, client_for, measure):
    response = client_for(world.member_a).get(f"/measures/{measure.id}/import")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="pasted"' in html and 'name="upload"' in html
    assert "Paste rows from a spreadsheet" in text_of(response)


def test_measure_page_links_to_import_only_for_people_who_enter_data(world, client_for, measure):
    link = "Add many values at once (paste or upload)"
    assert link in text_of(client_for(world.member_a).get(f"/measures/{measure.id}"))
    assert link not in text_of(client_for(world.expert_a).get(f"/measures/{measure.id}"))


def test_paste_preview_then_confirm_saves_all_with_audit_rows(world, client_for, measure):
    client = client_for(world.member_a)
    preview = client.post(f"/measures/{measure.id}/import", data={"pasted": PASTE})
    assert preview.status_code == 200
    text = text_of(preview)
    assert "January 2026" in text and "March 2026" in text and "new rota" in text
    assert "3 values will be saved" in text
    assert points() == []  # nothing saved by the preview

    response = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/measures/{measure.id}")
    saved = points()
    assert [(p.period_start, p.value, p.note) for p in saved] == [
        (date(2026, 1, 1), 5.0, "quiet month"),
        (date(2026, 2, 1), 3.0, ""),
        (date(2026, 3, 1), 4.0, "new rota"),
    ]
    audits = point_audits()
    assert len(audits) == 3 and {a.action for a in audits} == {AuditAction.CREATE}
    assert "3 values saved" in text_of(client.get(response.headers["Location"]))


def test_csv_upload_preview(world, client_for, measure):
    data = b"date,value,note\n2026-01-01,2,\n2026-02-01,7,busy\n"
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/import",
        data={"upload": (io.BytesIO(data), "falls.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "2 values will be saved" in text_of(response)
    assert "busy" in text_of(response)


def test_xlsx_upload_preview_and_save(world, client_for, measure):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Month", "Count", "Notes"])
    sheet.append([date(2026, 1, 1), 6, "from the log"])
    sheet.append([date(2026, 2, 1), 1, None])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(world.member_a)
    preview = client.post(
        f"/measures/{measure.id}/import",
        data={"upload": (io.BytesIO(buffer.getvalue()), "falls.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert "from the log" in text_of(preview)
    response = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert response.status_code == 303
    assert [(p.period_start, p.value) for p in points()] == [
        (date(2026, 1, 1), 6.0),
        (date(2026, 2, 1), 1.0),
    ]


def test_bad_rows_are_listed_by_number_and_nothing_can_be_saved(world, client_for, measure):
    pasted = "date\tvalue\n01/01/2026\tlots\n01/02/2026\t3\n31/02/2026\t1\n"
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/import", data={"pasted": pasted}
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "Row 2:" in text and "is not a number" in text
    assert "Row 4:" in text and "not a real date" in text
    assert "Row 3:" not in text
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert 'name="payload"' not in response.get_data(as_text=True)
    assert points() == [] and point_audits() == []


def test_nothing_to_read_is_refused(world, client_for, measure):
    response = client_for(world.member_a).post(f"/measures/{measure.id}/import", data={})
    assert response.status_code == 422
    assert "Paste some rows or choose a file to upload" in text_of(response)


def test_wrong_file_type_is_refused(world, client_for, measure):
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/import",
        data={"upload": (io.BytesIO(b"x"), "falls.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Upload a CSV or an Excel .xlsx file." in text_of(response)


def test_tampered_payload_is_refused_and_nothing_written(world, client_for, measure):
    client = client_for(world.member_a)
    preview = client.post(f"/measures/{measure.id}/import", data={"pasted": PASTE})
    payload = payload_of(preview)
    head, _, signature = payload.rpartition(".")
    tampered = head[:-2] + ("AA" if head[-2:] != "AA" else "BB") + "." + signature
    for bad in (tampered, "not-signed", ""):
        response = client.post(f"/measures/{measure.id}/import/confirm", data={"payload": bad})
        assert response.status_code == 400
    assert points() == [] and point_audits() == []


def test_payload_for_another_measure_is_refused(world, client_for, aim, make_measure, measure):
    other = make_measure(aim, name="Falls at night")
    client = client_for(world.member_a)
    preview = client.post(f"/measures/{other.id}/import", data={"pasted": PASTE})
    response = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert response.status_code == 400
    assert points() == []


def test_existing_values_are_shown_as_replaced_and_replaced(world, client_for, measure, add_point):
    add_point(measure, world.team_a, date(2026, 2, 1), 9.0, note="old")
    client = client_for(world.member_a)
    preview = client.post(f"/measures/{measure.id}/import", data={"pasted": PASTE})
    assert preview.status_code == 200
    text = text_of(preview)
    assert "1 of them replaces a value already saved" in text
    assert text.count("Replaces the saved value") == 1
    response = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert response.status_code == 303
    saved = points()
    assert len(saved) == 3
    assert [(p.value, p.note) for p in saved if p.period_start == date(2026, 2, 1)] == [(3.0, "")]
    actions = sorted(a.action.value for a in point_audits())
    assert actions == sorted(
        [AuditAction.CREATE.value, AuditAction.CREATE.value, AuditAction.UPDATE.value]
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("expert_a", 403), ("panel_x", 403), ("coordinator_x", 403), ("member_b", 404),
     ("member_c", 404), ("lead_a", 200), ("admin", 200)],
)  # fmt: skip
def test_who_may_import(world, client_for, measure, role, status):
    client = client_for(getattr(world, role))
    assert client.get(f"/measures/{measure.id}/import").status_code == status
    response = client.post(f"/measures/{measure.id}/import", data={"pasted": PASTE})
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [("expert_a", 403), ("member_b", 404)])
def test_confirm_rechecks_permission(world, client_for, measure, role, status):
    preview = client_for(world.member_a).post(
        f"/measures/{measure.id}/import", data={"pasted": PASTE}
    )
    response = client_for(getattr(world, role)).post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert response.status_code == status
    assert points() == []


def test_unknown_measure_is_404(world, client_for):
    assert client_for(world.member_a).get("/measures/999999/import").status_code == 404


def test_failure_mid_save_writes_nothing(world, client_for, measure, monkeypatch):
    client = client_for(world.member_a)
    preview = client.post(f"/measures/{measure.id}/import", data={"pasted": PASTE})
    real = operations.record_data_point
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))
        return real(*args, **kwargs)

    monkeypatch.setattr(operations, "record_data_point", failing)
    response = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert len(calls) == 3
    assert response.status_code == 500
    assert "nothing was saved" in text_of(response)
    assert points() == [] and point_audits() == []


def test_too_large_upload_gets_a_clear_page(world, client_for, measure, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/import",
        data={"upload": (io.BytesIO(b"date,value\n" + b"2026-01-01,1\n" * 200), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "That file is too big" in text_of(response)
    assert points() == []
