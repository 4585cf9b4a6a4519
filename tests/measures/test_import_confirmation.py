"""Issue 16: an import's confirmation cannot block, break or silently undo anyone's work.

The preview holds no write lock while it reads the file; the signed confirmation is bound to the
person, the team's saved data at preview time and 30 minutes; notes the care-data canary warns
about need the same explicit tick as the forms.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner
from werkzeug.test import encode_multipart

from improve.extensions import db
from improve.measures import import_views
from improve.models import DataPoint
from tests.conftest import text_of
from tests.measures.test_import import PASTE, payload_of, points

CONFIRMED = "notes-not-care-recipient"


@pytest.fixture
def measure(world, make_aim, make_measure):
    return make_measure(make_aim(world.team_a))


def preview(client, measure, pasted: str = PASTE):
    response = client.post(f"/measures/{measure.id}/import", data={"pasted": pasted})
    assert response.status_code == 200, text_of(response)[:300]
    return response


def confirm(client, measure, page, **extra):
    data = {"payload": payload_of(page), **extra}
    return client.post(f"/measures/{measure.id}/import/confirm", data=data)


def saved() -> list[tuple[date, float, str]]:
    return [(p.period_start, p.value, p.note) for p in points()]


# ---------------------------------------------------------------- bound to the person and time


def issued_earlier(page, seconds: int, monkeypatch) -> str:
    """The page's confirmation as if the preview had been made `seconds` ago."""
    serializer = import_views._serializer()
    payload = serializer.loads(payload_of(page))
    issued = int(time.time()) - seconds
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        return serializer.dumps(payload)


def test_a_confirmation_from_another_person_saves_nothing(world, client_for, measure):
    page = preview(client_for(world.lead_a), measure)
    response = confirm(client_for(world.member_a), measure, page)
    assert response.status_code == 403
    assert "This preview was made by someone else" in text_of(response)
    assert saved() == []


def test_an_expired_preview_saves_nothing_and_says_so(world, client_for, measure, monkeypatch):
    client = client_for(world.member_a)
    page = preview(client, measure)
    payload = issued_earlier(page, import_views.PREVIEW_MAX_AGE + 60, monkeypatch)
    response = client.post(f"/measures/{measure.id}/import/confirm", data={"payload": payload})
    assert response.status_code == 400
    assert "The preview has expired, so nothing was saved" in text_of(response)
    assert "Check the rows again" in text_of(response)
    assert saved() == []


def test_a_preview_confirmed_in_time_saves(world, client_for, measure, monkeypatch):
    client = client_for(world.member_a)
    page = preview(client, measure)
    payload = issued_earlier(page, import_views.PREVIEW_MAX_AGE - 60, monkeypatch)
    response = client.post(f"/measures/{measure.id}/import/confirm", data={"payload": payload})
    assert response.status_code == 303
    assert len(saved()) == 3


# ---------------------------------------------------------------- stale and replayed


def test_a_colleagues_edit_after_the_preview_makes_it_stale(world, client_for, measure, add_point):
    point = add_point(measure, world.team_a, date(2026, 2, 1), 9.0, note="from the log")
    client = client_for(world.member_a)
    page = preview(client, measure)
    point.value = 8.0  # a colleague corrects February
    db.session.commit()
    add_point(measure, world.team_a, date(2025, 12, 1), 2.0)  # and adds December

    response = confirm(client, measure, page)
    assert response.status_code == 409
    text = text_of(response)
    assert "The values changed since your preview, so nothing was saved" in text
    assert "February 2026 The value or its note was changed" in text
    assert "December 2025 A value was added" in text
    assert "January 2026" not in text  # unchanged periods are not listed
    assert saved() == [(date(2025, 12, 1), 2.0, ""), (date(2026, 2, 1), 8.0, "from the log")]


@pytest.mark.parametrize("change", ["remove", "leave out", "note"])
def test_every_kind_of_change_makes_a_preview_stale(world, client_for, measure, add_point, change):
    point = add_point(measure, world.team_a, date(2026, 2, 1), 9.0)
    client = client_for(world.member_a)
    page = preview(client, measure)
    if change == "remove":
        db.session.delete(point)
    elif change == "leave out":
        point.excluded, point.exclusion_reason = True, "Counted twice"
    else:
        point.note = "checked against the incident log"
    db.session.commit()
    response = confirm(client, measure, page)
    assert response.status_code == 409
    expected = (
        "The value was removed" if change == "remove" else "The value or its note was changed"
    )
    assert f"February 2026 {expected}" in text_of(response)
    assert date(2026, 1, 1) not in [p for p, _, _ in saved()]


def test_a_replayed_confirmation_cannot_undo_a_later_correction(world, client_for, measure):
    """The probe: re-posting a used confirmation reverted a colleague's correction."""
    client = client_for(world.member_a)
    page = preview(client, measure)
    assert confirm(client, measure, page).status_code == 303
    march = db.session.scalar(
        sa.select(DataPoint).where(DataPoint.period_start == date(2026, 3, 1))
    )
    march.value = 6.0  # the colleague's correction
    db.session.commit()

    replay = confirm(client, measure, page)
    assert replay.status_code == 409
    # Relative to the preview every period was added since: all three are listed.
    assert "March 2026 A value was added" in text_of(replay)
    assert (date(2026, 3, 1), 6.0, "new rota") in saved()


def test_a_replay_with_nothing_changed_in_between_saves_nothing_again(world, client_for, measure):
    client = client_for(world.member_a)
    page = preview(client, measure)
    assert confirm(client, measure, page).status_code == 303
    audits = db.session.scalar(sa.text("SELECT count(*) FROM audit_event"))
    assert confirm(client, measure, page).status_code == 409
    assert db.session.scalar(sa.text("SELECT count(*) FROM audit_event")) == audits


# ---------------------------------------------------------------- care data in notes

CARE_DATA_PASTE = (
    "date\tvalue\tnote\n01/01/2026\t5\tMr B, DOB 12/03/1948, fell twice\n"
    "01/02/2026\t3\tNHS 943 476 5919 readmitted\n01/03/2026\t4\tnew rota\n"
)


def test_notes_with_care_data_are_warned_about_row_by_row(world, client_for, measure):
    page = preview(client_for(world.member_a), measure, CARE_DATA_PASTE)
    html = page.get_data(as_text=True)
    text = text_of(page)
    assert html.count('class="govuk-warning-text__text"') == 3  # the summary and two rows
    assert "This looks like a date of birth (12/03/1948)" in text
    assert "This looks like an NHS number ending 919" in text
    assert "2 notes look like they hold an NHS number or a date of birth" in text
    assert f'name="{CONFIRMED}"' in html


def test_notes_without_care_data_need_no_tick(world, client_for, measure):
    page = preview(client_for(world.member_a), measure)
    assert "govuk-warning-text" not in page.get_data(as_text=True)
    assert CONFIRMED not in page.get_data(as_text=True)


def test_care_data_notes_are_not_saved_without_the_tick(world, client_for, measure):
    client = client_for(world.member_a)
    page = preview(client, measure, CARE_DATA_PASTE)
    response = confirm(client, measure, page)
    assert response.status_code == 422
    text = text_of(response)
    assert "Tick the box to say you have checked the notes with a warning" in text
    assert "This looks like an NHS number ending 919" in text  # the preview, shown again
    assert 'class="govuk-error-summary"' in response.get_data(as_text=True)
    assert saved() == []
    # The re-shown preview carries the same confirmation: ticking the box then saves.
    ticked = confirm(client, measure, response, **{CONFIRMED: "y"})
    assert ticked.status_code == 303
    assert len(saved()) == 3


# ---------------------------------------------------------------- no lock while reading


def _write_lock_is_free(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_the_preview_holds_no_write_lock_while_it_reads_the_rows(
    world, client_for, measure, monkeypatch
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    path = db.engine.url.database
    seen = []
    real = import_views.parse_pasted

    def parse_and_look(text):
        seen.append(_write_lock_is_free(path))
        return real(text)

    monkeypatch.setattr(import_views, "parse_pasted", parse_and_look)
    preview(client_for(world.member_a), measure)
    assert seen == [True]


def test_the_care_data_question_holds_no_write_lock_while_it_scans_the_notes(
    world, client_for, measure, monkeypatch
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    client = client_for(world.member_a)
    page = preview(client, measure, CARE_DATA_PASTE)
    path = db.engine.url.database
    seen = []
    real = import_views._care_data

    def scan_and_look(rows):
        seen.append(_write_lock_is_free(path))
        return real(rows)

    monkeypatch.setattr(import_views, "_care_data", scan_and_look)
    assert confirm(client, measure, page).status_code == 422
    assert seen == [True]


# ---------------------------------------------------------------- used once, for one definition


def test_a_saved_preview_replayed_after_its_values_were_removed_saves_nothing(
    world, client_for, measure
):
    """Removing what an import saved makes the data look as it did at the preview: the
    confirmation's one-time value still refuses it, so the removal is not undone."""
    client = client_for(world.member_a)
    page = preview(client, measure)
    assert confirm(client, measure, page).status_code == 303
    for point in points():
        db.session.delete(point)
    db.session.commit()
    replay = confirm(client, measure, page)
    assert replay.status_code == 409
    assert "This preview was already saved, so it was not saved again" in text_of(replay)
    assert saved() == []


def test_a_preview_made_before_the_measure_changed_saves_nothing(world, client_for, measure):
    client = client_for(world.member_a)
    page = preview(client, measure)
    measure.name = measure.name + " (renamed)"
    db.session.commit()
    response = confirm(client, measure, page)
    assert response.status_code == 409
    assert "The measure changed since your preview, so nothing was saved" in text_of(response)
    assert saved() == []


def test_a_long_paste_sent_as_a_form_with_a_file_field_is_read(world, client_for, measure):
    """Browsers send the import form as multipart (it has a file field): a paste over Flask's
    default 500 kB limit for a field got the "file too big" page."""
    note = "a long note about the month " * 140  # about 4,000 characters
    rows = "".join(
        f"01/{month:02d}/{year}\t{month}\t{note}\n"
        for year in range(2010, 2026)
        for month in range(1, 13)
    )
    data = {"pasted": "date\tvalue\tnote\n" + rows}  # 192 rows, about 770 kB
    boundary, body = encode_multipart(data)  # in memory (the test client spools to a file)
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/import",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    assert response.status_code in (200, 422)
    assert "That file is too big" not in text_of(response)
