"""Adding a person by email tells a lead or coordinator nothing about other people's accounts
(issue 16, point 9): whether the address had an account, and whose name it carries, is not
theirs to learn. Whatever the address, the answer is the same words; the only difference is the
person's own row in the list of members, which shows their name now that they are one."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.members.views import ADDED
from improve.models import AuditEvent, Membership, Role, User
from tests.conftest import HTMX

EXISTING = "robin.private@example.org"
SECRET_NAME = "Robin Private"
NEW = "someone.new@example.org"

# Who adds people to what, and a role they may give.
PLACES = {
    "team": ("lead_a", lambda w: f"/teams/{w.team_a.id}", Role.TEAM_MEMBER),
    "collaborative": ("coordinator_x", lambda w: f"/collaboratives/{w.x.id}", Role.PANEL_MEMBER),
}


def normalised(text: str, email: str, name: str) -> str:
    """The answer with the person's email and name as PERSON (as a member they are listed, and
    the team's recent activity says they were added), their own row in the members table gone
    (its place follows their name), and what differs on every page blanked: the one-time form
    tokens, and CSRF tokens and times, to the second."""
    text = text.replace(email, "PERSON").replace(name, "PERSON")
    text = re.sub(
        r'<tr class="govuk-table__row">(?:(?!</tr>).)*PERSON(?:(?!</tr>).)*</tr>',
        "",
        text,
        flags=re.S,
    )
    text = re.sub(r'name="submission_token" value="[^"]+"', 'name="submission_token"', text)
    text = re.sub(r'(csrf_token" value=|"X-CSRFToken": )"[^"]+"', r"\1", text)
    return re.sub(r"<time [^>]*>[^<]*</time>", "<time>", text)


UNDONE = (AuditEvent, Membership, User)


def last_ids() -> dict[type, int]:
    return {model: db.session.scalar(sa.select(sa.func.max(model.id))) or 0 for model in UNDONE}


def undo_since(marks: dict[type, int]) -> None:
    """Delete what was added since `marks`, in an order the foreign keys allow."""
    db.session.remove()
    with db.engine.begin() as connection:  # as the fixtures empty tables: past the audit guard
        for model in UNDONE:
            table = model.__table__
            connection.execute(table.delete().where(table.c.id > marks[model]))


def visible(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def add(client, url: str, email: str, role: str, htmx: bool):
    """The person's answer to adding `email`: the fragment htmx swaps in, or the page the
    redirect leads to."""
    data = {"email": email, "display_name": "", "role": role}
    response = client.post(f"{url}/members", data=data, headers=HTMX if htmx else {})
    if htmx:
        return response.status_code, response.get_data(as_text=True)
    assert response.status_code == 303
    followed = client.get(response.headers["Location"])
    return (response.status_code, response.headers["Location"]), followed.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("place", sorted(PLACES))
def test_an_existing_and_an_unknown_address_get_the_same_answer(
    world, make_user, client_for, place, htmx
):
    make_user(email=EXISTING, display_name=SECRET_NAME)
    actor, url_of, role = PLACES[place]
    url = url_of(world)
    client = client_for(getattr(world, actor))

    marks = last_ids()
    status_existing, existing = add(client, url, EXISTING, role.value, htmx)
    undo_since(marks)  # so the second starts where the first did
    status_new, new = add(client, url, NEW, role.value, htmx)

    assert status_existing == status_new
    assert normalised(existing, EXISTING, SECRET_NAME) == normalised(new, NEW, NEW)
    assert ADDED.format(email=NEW, role=role.label) in visible(new)


def test_a_lead_adding_an_unknown_address_makes_an_account_without_showing_a_link(
    world, client_for
):
    client = client_for(world.lead_a)
    url = f"/teams/{world.team_a.id}"

    status, page = add(client, url, NEW, "team_member", htmx=False)

    person = db.session.scalar(sa.select(User).where(User.email == NEW))
    assert (person.display_name, person.password_hash) == (NEW, None)
    assert db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == person.id, Membership.team_id == world.team_a.id
        )
    )
    assert "/invitation/" not in page
    assert "Invited" not in visible(page)
    # The invitation was emailed to the address; the admin's list shows who has not used it yet.
    admin = client_for(world.admin)
    row = re.search(
        rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(NEW)}.*?</tr>",
        admin.get("/admin/users").get_data(as_text=True),
        re.S,
    )
    assert row is not None and "Invited" in row.group(0)


def test_an_existing_name_is_not_in_the_message(world, make_user, client_for):
    make_user(email=EXISTING, display_name=SECRET_NAME)
    client = client_for(world.lead_a)
    response = client.post(
        f"/teams/{world.team_a.id}/members",
        data={"email": EXISTING, "display_name": "", "role": "team_member"},
    )
    page = client.get(response.headers["Location"])
    banner = re.search(
        r'<div class="govuk-notification-banner.*?</div>\s*</div>',
        page.get_data(as_text=True),
        re.S,
    )
    assert banner is not None
    assert EXISTING in banner.group(0)
    assert SECRET_NAME not in banner.group(0)
