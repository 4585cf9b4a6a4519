"""Your account (issue 18): the person's own phone number and choice of reminder emails, with
their name and email shown (an admin changes those); the admin's account form shows the phone
too. Saved with an audit row; a form loaded before another change is refused, not applied."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from improve.auth.forms import PHONE_MESSAGE, REMINDER_HINT
from improve.extensions import db
from improve.forms import RELOAD
from improve.models import AuditAction, AuditEvent, User
from tests.conftest import text_of


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def settings(user: User, **changes: str | None) -> dict[str, str]:
    """The account form as a browser sends it: the box ticked as "y", unticked left out."""
    data = {
        "phone": user.phone,
        "wants_reminder_email": "y" if user.wants_reminder_email else None,
        "version": str(user.version),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def audit_rows() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def person(world):
    return world.member_a


@pytest.fixture
def browser(person, client_for):
    return client_for(person)


def test_the_page_shows_name_email_and_the_settings(browser, person):
    response = browser.get("/account")
    assert response.status_code == 200
    text = html.unescape(text_of(response))
    page = response.get_data(as_text=True)
    assert "Your account" in text
    assert f"Name {person.display_name} Email address {person.email}" in text
    assert "To change your name or email address, ask a site administrator" in text
    assert 'href="/account/password"' in page and "Change your password" in text
    # Name and email are not fields here.
    assert 'name="display_name"' not in page and 'name="email"' not in page
    assert "Phone number (optional)" in text
    assert 'name="phone"' in page and 'type="tel"' in page
    assert "Send me reminder emails" in text and REMINDER_HINT in text
    assert re.search(r'name="wants_reminder_email"[^>]*checked', page)  # on by default


def test_the_menu_links_to_the_account_page(browser):
    page = browser.get("/").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/account"[^>]*>Your account</a>', page)
    current = browser.get("/account/password").get_data(as_text=True)
    assert re.search(r'href="/account" aria-current="page"', current)


def test_saving_a_phone_and_turning_reminders_off(browser, person):
    version = person.version
    response = browser.post(
        "/account", data=settings(person, phone=" +44 7700 900 982 ", wants_reminder_email=None)
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    saved = reloaded(person)
    assert (saved.phone, saved.wants_reminder_email) == ("+44 7700 900 982", False)
    assert saved.version == version + 1
    [row] = audit_rows()
    assert (row.actor_id, row.entity_type, row.entity_id) == (person.id, "User", person.id)
    assert row.before == {"phone": "", "wants_reminder_email": True}
    assert row.after == {"phone": "+44 7700 900 982", "wants_reminder_email": False}
    page = browser.get("/account")
    assert "Your account is saved." in text_of(page)
    assert 'value="+44 7700 900 982"' in page.get_data(as_text=True)
    assert not re.search(r'name="wants_reminder_email"[^>]*checked', page.get_data(as_text=True))


def test_saving_nothing_new_writes_nothing(browser, person):
    response = browser.post("/account", data=settings(person))
    assert response.status_code == 303
    assert audit_rows() == []
    assert reloaded(person).version == person.version
    assert "Nothing was changed." in text_of(browser.get("/account"))


def test_a_phone_number_can_be_removed(browser, person):
    person.phone = "01632 960 001"
    db.session.commit()
    assert browser.post("/account", data=settings(person, phone="")).status_code == 303
    assert reloaded(person).phone == ""


@pytest.mark.parametrize(
    "phone",
    ["01632 960 001", "+44 7700 900 982", "(01632) 960-001", "0044-7700-900-982", "1234567"],
)
def test_phone_numbers_written_in_many_ways(browser, person, phone):
    assert browser.post("/account", data=settings(person, phone=phone)).status_code == 303
    assert reloaded(person).phone == phone


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("call me", PHONE_MESSAGE),
        ("123 456", PHONE_MESSAGE),  # 6 digits
        ("1" * 21, PHONE_MESSAGE),
        ("01632 960 001 ext. 5", PHONE_MESSAGE),
        ("01632\x00960001", PHONE_MESSAGE),
        ("０１６３２ ９６０ ００１", PHONE_MESSAGE),  # digits, but not ones a phone takes
        ("1 " * 20 + "1", "Phone number must be 40 characters or fewer"),
    ],
)
def test_a_wrong_phone_number_is_refused_with_a_message(browser, person, phone, message):
    response = browser.post("/account", data=settings(person, phone=phone))
    assert response.status_code == 422
    text = text_of(response)
    assert text.startswith("Error: ")
    assert "There is a problem" in text and message in text
    assert reloaded(person).phone == ""
    assert audit_rows() == []


def test_a_form_without_its_version_is_refused(browser, person):
    response = browser.post("/account", data=settings(person, phone="01632 960 001", version=None))
    assert response.status_code == 422
    assert RELOAD in text_of(response)
    assert reloaded(person).phone == ""


def test_a_stale_form_does_not_undo_a_change(browser, person, client_for, world):
    """The person opens the page; an admin then adds their phone number; the person saves the
    old form (only unticking reminders): refused, and the admin's phone number stays."""
    stale = settings(person)  # as loaded, before the admin's change
    admin = client_for(world.admin)
    form = {
        "display_name": person.display_name,
        "email": person.email,
        "is_enabled": "y",
        "phone": "01632 960 002",
        "version": str(person.version),
    }
    assert admin.post(f"/admin/users/{person.id}", data=form).status_code == 303
    response = browser.post("/account", data={**stale, "wants_reminder_email": ""})
    assert response.status_code == 409
    text = text_of(response)
    assert "Your account changed while you were editing" in text
    assert "Their saved version" in text and "01632 960 002" in text
    saved = reloaded(person)
    assert (saved.phone, saved.wants_reminder_email) == ("01632 960 002", True)
    # The form now carries the saved version: saving again on purpose works.
    version = re.search(
        r'name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )
    assert version is not None and int(version.group(1)) == saved.version


def test_two_windows_cannot_undo_each_other(person, client_for):
    first, second = client_for(person), client_for(person)
    loaded = settings(person)
    assert first.post("/account", data={**loaded, "phone": "01632 960 003"}).status_code == 303
    response = second.post("/account", data={**loaded, "wants_reminder_email": ""})
    assert response.status_code == 409
    assert reloaded(person).phone == "01632 960 003"
    assert reloaded(person).wants_reminder_email is True


def test_signed_out_people_are_sent_to_sign_in(client):
    for response in (client.get("/account"), client.post("/account", data={"phone": "1234567"})):
        assert response.status_code in (302, 303)
        assert "/sign-in" in response.headers["Location"]


# The admin's account form -------------------------------------------------------------------------


def test_an_admin_sees_and_changes_the_phone(world, client_for):
    person = world.lead_a
    person.phone = "01632 960 004"
    db.session.commit()
    admin = client_for(world.admin)
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert 'name="phone"' in page and 'value="01632 960 004"' in page
    form = {
        "display_name": person.display_name,
        "email": person.email,
        "is_enabled": "y",
        "phone": "not a number",
        "version": str(person.version),
    }
    refused = admin.post(f"/admin/users/{person.id}", data=form)
    assert refused.status_code == 422 and PHONE_MESSAGE in text_of(refused)
    assert reloaded(person).phone == "01632 960 004"
    response = admin.post(f"/admin/users/{person.id}", data={**form, "phone": "01632 960 005"})
    assert response.status_code == 303
    assert reloaded(person).phone == "01632 960 005"
    [row] = audit_rows()
    assert row.actor_id == world.admin.id
    assert row.before == {"phone": "01632 960 004"} and row.after == {"phone": "01632 960 005"}
