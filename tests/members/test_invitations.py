"""A person added by an address with no account gets an invitation by email: from whoever added
them, to the team or collaborative, with a link to choose a password. The adder learns nothing
new from it (issue 16): the email goes only to the address itself."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.mail.delivery import deliver_due_messages
from improve.models import OutboxMessage
from tests.conftest import text_of

NEW = "someone.new@example.org"
LINK = re.compile(r"http://improve\.test(/invitation/[\w.-]+)")


@pytest.fixture
def mailbox(app) -> list:
    app.extensions["mailman"].outbox = []
    return app.extensions["mailman"].outbox


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage)))


def add(client, url: str, email: str, role: str, name: str = ""):
    data = {"email": email, "display_name": name, "role": role}
    return client.post(f"{url}/members", data=data)


def test_a_lead_adding_a_new_address_sends_it_an_invitation(app, world, client_for, mailbox):
    lead = client_for(world.lead_a)
    add(lead, f"/teams/{world.team_a.id}", NEW, "team_member")

    deliver_due_messages()
    [email] = mailbox
    assert email.to == [NEW]
    assert email.subject == "You are invited to improve"
    assert (
        "Lead A has invited you to improve, to join Team A (Collaborative X) "
        "with the role Team member." in " ".join(email.body.split())
    )
    [link] = LINK.findall(email.body)

    person = app.test_client()
    password = "my new long password"
    chosen = person.post(link, data={"new_password": password, "confirm_password": password})
    assert chosen.status_code == 303
    assert text_of(person.get(f"/teams/{world.team_a.id}")).count("Team A") >= 1


def test_a_coordinator_adding_a_new_address_names_the_collaborative(world, client_for):
    coordinator = client_for(world.coordinator_x)
    add(coordinator, f"/collaboratives/{world.x.id}", NEW, "panel_member")
    [message] = outbox()
    assert message.to_address == NEW
    assert "to join Collaborative X with the role Strategic panel member" in " ".join(
        message.text_body.split()
    )


def test_an_existing_account_gets_a_notice_not_an_invitation(world, client_for, make_user):
    known = make_user(email="known@example.org", display_name="Kim Known")
    add(client_for(world.lead_a), f"/teams/{world.team_a.id}", "known@example.org", "team_member")
    [message] = outbox()
    assert (message.kind, message.user_id) == ("added_to_team", known.id)
    assert (
        message.subject
        == "You have been added to Team A (Collaborative X) in improve as Team member"
    )
    text = " ".join(message.text_body.split())
    assert "Lead A has added you to Team A (Collaborative X) in improve as Team member." in text
    assert f"http://improve.test/teams/{world.team_a.id}" in text
    assert "/invitation/" not in text + message.html_body
    assert "Team A (Collaborative X)" in message.html_body


def test_both_cases_do_the_same_work(world, client_for, make_user):
    """Issue 16: whether the address had an account, the adder's request renders one email and
    writes it to the outbox, so neither the answer nor its time tells them."""
    make_user(email="known@example.org")
    lead = client_for(world.lead_a)
    for email in ("known@example.org", NEW):
        before = len(outbox())
        assert add(lead, f"/teams/{world.team_a.id}", email, "team_member").status_code == 303
        assert len(outbox()) == before + 1


def test_a_new_role_is_told_too(world, client_for):
    coordinator = client_for(world.coordinator_x)
    add(coordinator, f"/collaboratives/{world.x.id}", world.lead_a.email, "panel_member")
    add(coordinator, f"/collaboratives/{world.x.id}", world.lead_a.email, "coordinator")
    added, changed = outbox()
    assert "added you to Collaborative X in improve as Strategic panel member" in " ".join(
        added.text_body.split()
    )
    assert changed.subject == "Your role in Collaborative X in improve is now Coordinator"
    assert f"http://improve.test/collaboratives/{world.x.id}" in changed.text_body


def test_no_notice_to_someone_who_turned_reminder_email_off(world, client_for, make_user):
    make_user(email="quiet@example.org", wants_reminder_email=False)
    add(client_for(world.lead_a), f"/teams/{world.team_a.id}", "quiet@example.org", "team_member")
    assert outbox() == []


def test_an_admin_adding_a_new_address_is_told_it_was_emailed(world, client_for):
    admin = client_for(world.admin)
    response = add(admin, f"/teams/{world.team_a.id}", NEW, "team_member", name="Nia New")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"We have emailed an invitation to {NEW}." in page
    details = re.search(r'<details class="govuk-details">.*?</details>', page, re.S)
    assert details is not None and "If the email does not arrive" in details.group(0)
    [link] = LINK.findall(details.group(0))
    [message] = outbox()
    assert link in message.text_body


def test_the_lead_is_not_shown_the_link(world, client_for):
    lead = client_for(world.lead_a)
    response = add(lead, f"/teams/{world.team_a.id}", NEW, "team_member")
    page = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invitation/" not in page
    assert "we have emailed them a link to choose a password" in page
