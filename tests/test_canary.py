"""The care-recipient data canary: NHS numbers and dates of birth in free text are warned about on
submit, and `flask scan-personal-data` finds them in stored records.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from improve import canary
from improve.extensions import db
from improve.models import AuditAction, AuditEvent, Comment, DataPoint, Measure, Team
from tests.comments.records import make_aim
from tests.conftest import text_of

TODAY = date(2026, 12, 2)
NHS = "943 476 5919"  # the NHS Data Dictionary's own example of a valid number
WARNING = "Records must not identify people who draw on care"
CONFIRM = "This is not about a person who draws on care"


def box_ticked(response, field: str) -> bool:
    box = re.search(rf'<input[^>]*name="{field}-not-care-recipient"[^>]*>', response.text)
    assert box, f"no box under {field}"
    return " checked" in box.group()


def found(text: str) -> list[tuple[str, str]]:
    return [(item.kind, item.text) for item in canary.findings(text, TODAY)]


# The detector ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("9434765918", False),  # last digit is not the check digit
        ("4010232137", True),
        ("8288360750", True),  # remainder 0: check 11 counts as 0
        ("8288360751", False),
        *((f"704999622{last}", False) for last in "0123456789"),  # check 10: never valid
        ("0000000000", False),  # passes the sum, but a placeholder
        ("943476591", False),
        ("94347659190", False),
    ],
)
def test_nhs_number_check_digit(digits: str, valid: bool) -> None:
    assert canary.valid_nhs_number(digits) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NHS no 9434765919.", ["9434765919"]),
        ("NHS 943 476 5919 seen", [NHS]),
        ("943-476-5919", ["943-476-5919"]),
        ("(943 476 5919)", [NHS]),
        ("943 476-5919", []),  # separators must match
        ("943  476 5919", []),
        ("94 34 76 59 19", []),
        ("19434765919", []),  # part of a longer number
        ("94347659190", []),
        ("0.9434765919", []),  # a decimal
        ("9434765919.5", []),
        ("943 476 5918", []),  # wrong check digit
        ("phone 01632 960 001", []),
        ("ref AB9434765919", []),  # part of a code or a hash
        ("9434765919ff", []),
    ],
)
def test_nhs_numbers_in_text(text: str, expected: list[str]) -> None:
    assert [text for kind, text in found(text) if kind == canary.NHS_NUMBER] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Old enough to be an adult's birth date: found with or without a word about birth.
        ("seen 12/03/1948 at home", ["12/03/1948"]),
        ("12-03-1948", ["12-03-1948"]),
        ("12.03.1948", ["12.03.1948"]),
        ("1948-03-12", ["1948-03-12"]),
        ("12 March 1948", ["12 March 1948"]),
        ("12th of Mar. 1948", ["12th of Mar. 1948"]),
        ("March 12, 1948", ["March 12, 1948"]),
        ("2/1/1900", ["2/1/1900"]),
        ("2 December 2008", ["2 December 2008"]),  # 18 years before TODAY's year
        # Recent dates are the dates of the work: left alone unless a birth word comes first.
        ("we met on 12/03/2026", []),
        ("week of 2024-01-01", []),
        ("1 April 2015 policy", []),
        ("2 December 2009", []),
        ("DOB: 12/03/2015", ["12/03/2015"]),
        ("D.O.B. 1/1/2020", ["1/1/2020"]),
        ("date of birth is 3 May 2019", ["3 May 2019"]),
        ("born on the 3rd of May 2019", ["3rd of May 2019"]),
        ("DOB 12/03/48", ["12/03/48"]),  # a two-digit year only next to a birth word
        ("on 12/03/48", []),
        # Not a full, real date.
        ("31/02/1948", []),
        ("12/13/1948", []),
        ("March 1948", []),
        ("12/03", []),
        ("12/03/19485", []),
        ("12/03-1948", []),
        ("31/12/1899", []),
        ("stubborn 12/03/2015", []),
    ],
)
def test_dates_of_birth_in_text(text: str, expected: list[str]) -> None:
    assert [text for kind, text in found(text) if kind == canary.DATE_OF_BIRTH] == expected


def check_digit(first_nine: str) -> int:
    """Written out again here, from the NHS Data Dictionary, so the test does not trust the code."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    return {0: 0, 1: 10}.get(remainder, 11 - remainder)


@settings(max_examples=150, deadline=None)
@given(
    first_nine=st.text(alphabet="0123456789", min_size=9, max_size=9),
    separator=st.sampled_from(["", " ", "-"]),
    before=st.text(alphabet="abc XYZ:(", max_size=8),
    after=st.text(alphabet="abc XYZ.,)", max_size=8),
)
def test_any_valid_nhs_number_is_found_in_any_form(first_nine, separator, before, after) -> None:
    check = check_digit(first_nine)
    assume(check != 10 and len(set(first_nine + str(check))) > 1)
    number = f"{first_nine[:3]}{separator}{first_nine[3:6]}{separator}{first_nine[6:]}{check}"
    # Letters touching the digits make a code, not a number standing alone.
    assume(not before[-1:].isalnum() and not after[:1].isalnum())
    text = f"{before}{number}{after}"
    assert found(text) == [(canary.NHS_NUMBER, number)]
    wrong = number[:-1] + str((check + 1) % 10)
    assert canary.NHS_NUMBER not in dict(found(f"{before}{wrong}{after}"))


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_findings_never_fail_and_point_at_what_they_quote(text: str) -> None:
    for item in canary.findings(text, TODAY):
        assert text[item.start : item.end] == item.text
        assert sum(char.isdigit() for char in item.masked) == 3
        assert len(item.masked) == len(item.text)


def test_findings_come_in_order_and_are_masked() -> None:
    items = canary.findings(f"Born 12 March 1948, NHS {NHS}", TODAY)
    assert [item.masked for item in items] == ["** ***** *948", "*** *** *919"]
    assert [item.describe() for item in items] == [
        "a date of birth (12 March 1948)",
        "an NHS number ending 919",
    ]
    assert canary.findings("", TODAY) == [] and canary.findings(None, TODAY) == []


# The warning on submit ---------------------------------------------------------------------------


def comments() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment.body)))


@pytest.fixture
def aim(world):
    return make_aim(world.team_a)


def test_warning_then_confirm_saves(world, client_for, aim) -> None:
    client = client_for(world.member_a)
    assert CONFIRM not in text_of(client.get(f"/aims/{aim.id}/comments"))
    text = f"Mrs P, NHS {NHS}, fell twice"

    warned = client.post(f"/aims/{aim.id}/comments", data={"comment-body": text})
    assert warned.status_code == 422
    page = html.unescape(text_of(warned))
    assert "This looks like an NHS number ending 919" in page and WARNING in page
    assert CONFIRM in page and text in page  # what they typed is kept for them to change
    assert 'name="comment-body-not-care-recipient"' in warned.get_data(as_text=True)
    assert comments() == []

    data = {"comment-body": text, "comment-body-not-care-recipient": "y"}
    saved = client.post(f"/aims/{aim.id}/comments", data=data)
    assert saved.status_code == 303
    assert comments() == [text]


def test_removing_it_saves_without_the_box(world, client_for, aim) -> None:
    client = client_for(world.member_a)
    data = {"comment-body": "Mrs P, born 12/03/1948, fell"}
    warned = client.post(f"/aims/{aim.id}/comments", data=data)
    assert "This looks like a date of birth (12/03/1948)" in html.unescape(text_of(warned))

    data = {"comment-body": "Mrs P fell. We met on 12/03/2026 and again on 2026-03-19"}
    assert client.post(f"/aims/{aim.id}/comments", data=data).status_code == 303
    assert comments() == [data["comment-body"]]


def test_every_field_is_checked_and_stored_text_is_not_warned_again(world, client_for) -> None:
    """One-line fields too, several at once, each with its own box; text already saved as it is
    is left to the scan."""
    client = client_for(world.lead_a)
    url = f"/teams/{world.team_a.id}/edit"
    data = {
        "name": "Team A",
        "organisation": f"Ref {NHS}",
        "organisation_kind": "other",
        "service": "For Mr B, DOB 1.2.1950",
        "version": str(world.team_a.version),
    }
    warned = client.post(url, data=data)
    assert warned.status_code == 422
    body = warned.get_data(as_text=True)
    assert 'name="organisation-not-care-recipient"' in body
    assert 'name="service-not-care-recipient"' in body
    assert 'name="name-not-care-recipient"' not in body

    confirmed = dict(data, **{"organisation-not-care-recipient": "y"})
    still = client.post(url, data=confirmed)
    assert still.status_code == 422  # the date of birth is not confirmed yet
    assert "a date of birth (1.2.1950)" in html.unescape(text_of(still))
    # The box they ticked stays ticked while they deal with the other field.
    assert box_ticked(still, "organisation") and not box_ticked(still, "service")

    both = dict(confirmed, **{"service-not-care-recipient": "y"})
    assert client.post(url, data=both).status_code == 303
    db.session.expire_all()
    assert db.session.get(Team, world.team_a.id).service == data["service"]

    # Saving the team again with the same words needs no new confirmation.
    again = dict(data, name="Team A renamed", version=str(world.team_a.version))
    assert client.post(url, data=again).status_code == 303


def test_a_data_point_note_is_checked_too(world, client_for, aim) -> None:
    """The data grid draws its own inputs: the warning shows there as on any field."""
    measure = Measure(
        name="Falls a month",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        frequency="monthly",
        baseline_start=date(2026, 1, 1),
        collaborative_id=world.x.id,
        team_id=aim.team_id,
        aim_id=aim.id,
    )
    db.session.add(measure)
    db.session.commit()
    client = client_for(world.member_a)
    point = {"period": "2026-02-01", "value": "3", "version": "", "note": f"Fall: {NHS}"}
    warned = client.post(f"/measures/{measure.id}/points", data=point)
    assert warned.status_code == 422
    assert "an NHS number ending 919" in html.unescape(text_of(warned))
    # The box to keep it sits in the grid's row, tied to that row's form.
    assert 'name="note-not-care-recipient"' in warned.get_data(as_text=True)
    assert 'form="point-2026-02-01"' in warned.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataPoint)) == 0

    confirmed = dict(point, **{"note-not-care-recipient": "y"})
    assert client.post(f"/measures/{measure.id}/points", data=confirmed).status_code == 303
    assert db.session.scalar(sa.select(DataPoint.note)) == point["note"]


# The scan of stored records ----------------------------------------------------------------------


def test_scan_finds_nothing_in_clean_records(world, runner, aim) -> None:
    db.session.add(
        Comment(
            team_id=aim.team_id,
            aim_id=aim.id,
            author_id=world.member_a.id,
            body="We met on 12/03/2026; 14 falls out of 120 nights",
        )
    )
    db.session.commit()
    result = runner.invoke(args=["scan-personal-data"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Nothing found."


def test_scan_lists_each_finding_masked(world, runner, aim) -> None:
    comment = Comment(
        team_id=aim.team_id,
        aim_id=aim.id,
        author_id=world.member_a.id,
        body=f"NHS {NHS}, DOB 12 March 1948",
    )
    world.team_b.service = "Mr B 1948-03-12"
    db.session.add_all([comment, world.team_b])
    db.session.add(
        AuditEvent(
            action=AuditAction.UPDATE,
            entity_type="Team",
            summary="",
            after={"details": {"service": "DOB 01/02/1950"}},
        )
    )
    db.session.commit()

    result = runner.invoke(args=["scan-personal-data"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"Comment {comment.id}, body: NHS number *** *** *919",
        f"Comment {comment.id}, body: date of birth ** ***** *948",
        f"Team {world.team_b.id}, service: date of birth ****-*3-12",
    ]
    assert "3 possible items" in lines[3]
    assert "476" not in result.output and "March" not in result.output

    with_audit = runner.invoke(args=["scan-personal-data", "--include-audit"])
    assert with_audit.exit_code == 1
    assert "AuditEvent" in with_audit.output
    assert "after.details.service: date of birth **/**/*950" in with_audit.output
