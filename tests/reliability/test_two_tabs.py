"""Every edit form carries the version it was loaded from (issue 16, point 5).

Two tabs: the same form is loaded twice, one tab saves, then the other. The second save answers
409 with the conflict page (their saved values beside the person's own), nothing of it is saved,
and the first tab's change is kept. A form that lost its version, or carries a garbled one, is
refused with a message (422), never a 500 and never a save.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from improve.extensions import db
from improve.models import (
    Assessor,
    CollaborativePhase,
    Membership,
    PhaseKind,
    ProgressScore,
    Role,
    Team,
    User,
)
from tests.conftest import text_of as _text_of
from tests.reliability.workload import form_fields
from tests.reports.conftest import PREVIOUS, TODAY
from tests.reports.test_reports import submitted

CONFLICT_WORDS = "while you were editing"
THEIR_VERSION = "Their saved version"
RELOAD = "This form is out of date or incomplete. Reload the page and make your change again"


@dataclass
class EditForm:
    """One edit form: who uses it, where, two different changes, and how to read both back."""

    who: str
    page: Callable[[Any], str]  # the page showing the form
    action: Callable[[Any], str]  # where it posts
    first: dict[str, Any]  # the first tab's change...
    first_saved: Any  # ...as read()[0] gives it once saved
    second: dict[str, Any]  # the other tab's change...
    second_saved: Any  # ...as read()[1] gives it once saved on purpose
    read: Callable[[Any], tuple[Any, Any]]  # the fields the two changes touch, as saved


def _phase(world: Any) -> CollaborativePhase:
    phase = db.session.query(CollaborativePhase).filter_by(collaborative_id=world.x.id).first()
    if phase is None:
        phase = CollaborativePhase(
            collaborative_id=world.x.id,
            kind=PhaseKind.LEARNING_SESSION,
            title="Learning session 1",
            starts_on=TODAY + timedelta(days=10),
        )
        db.session.add(phase)
        db.session.commit()
    return phase


def _phase_url(world: Any) -> str:
    return f"/collaboratives/{world.x.id}/calendar/phases/{_phase(world).id}/edit"


def _report(world: Any) -> Any:
    for collaborative in (world.x, world.y):
        collaborative.starts_on = PREVIOUS.replace(year=PREVIOUS.year - 1)
        collaborative.ends_on = TODAY + timedelta(days=400)
    db.session.commit()
    return submitted(world)


def _coordinator_score(world: Any) -> ProgressScore | None:
    return db.session.query(ProgressScore).filter_by(assessor=Assessor.COORDINATOR).one_or_none()


def text_of(response: Any) -> str:
    """The page's visible text, with HTML's escapes (coordinator&#39;s) read back as characters."""
    return html.unescape(_text_of(response))


def _reload(model: type, record_id: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, record_id)


FORMS = {
    "team details": EditForm(
        who="lead_a",
        page=lambda w: f"/teams/{w.team_a.id}/edit",
        action=lambda w: f"/teams/{w.team_a.id}/edit",
        first={"name": "Riverside day team"},
        second={"organisation": "Someone Else Council"},
        read=lambda w: (
            _reload(Team, w.team_a.id).name,
            _reload(Team, w.team_a.id).organisation,
        ),
        first_saved="Riverside day team",
        second_saved="Someone Else Council",
    ),
    "collaborative settings": EditForm(
        who="coordinator_x",
        page=lambda w: f"/collaboratives/{w.x.id}/edit",
        action=lambda w: f"/collaboratives/{w.x.id}/edit",
        first={"topic": "Fewer falls in care homes"},
        second={"shift_length": "9"},
        read=lambda w: (_reload(type(w.x), w.x.id).topic, _reload(type(w.x), w.x.id).shift_length),
        first_saved="Fewer falls in care homes",
        second_saved=9,
    ),
    "calendar phase": EditForm(
        who="coordinator_x",
        page=_phase_url,
        action=_phase_url,
        first={"title": "Learning session 1 (online)"},
        second={"notes": "At the town hall"},
        read=lambda w: (
            _reload(CollaborativePhase, _phase(w).id).title,
            _reload(CollaborativePhase, _phase(w).id).notes,
        ),
        first_saved="Learning session 1 (online)",
        second_saved="At the town hall",
    ),
    "admin account": EditForm(
        who="admin",
        page=lambda w: f"/admin/users/{w.member_a.id}",
        action=lambda w: f"/admin/users/{w.member_a.id}",
        first={"display_name": "Mia Moved"},
        second={"email": "someone.else@example.org"},
        read=lambda w: (
            _reload(User, w.member_a.id).display_name,
            _reload(User, w.member_a.id).email,
        ),
        first_saved="Mia Moved",
        second_saved="someone.else@example.org",
    ),
    "coordinator's score": EditForm(
        who="coordinator_x",
        page=lambda w: f"/teams/{w.team_a.id}/reports/{PREVIOUS.isoformat()}",
        action=lambda w: f"/reports/{_report_id(w)}/score",
        first={"score": "3.0", "justification": "A start"},
        second={"score": "1.0", "justification": "Nothing has changed yet"},
        read=lambda w: (_coordinator_score(w).score, _coordinator_score(w).justification),
        first_saved=3.0,
        second_saved="Nothing has changed yet",
    ),
}


def _report_id(world: Any) -> int:
    return world.report.id


@pytest.fixture
def setting(world: Any) -> Any:
    """The world, with a calendar phase and a submitted report of the previous month."""
    world.report = _report(world)
    _phase(world)
    return world


def _open(client: Any, world: Any, form: EditForm) -> dict[str, Any]:
    """Load the page and read its form as the browser would send it."""
    response = client.get(form.page(world))
    assert response.status_code == 200
    return form_fields(response.get_data(as_text=True), form.action(world))


@pytest.mark.parametrize("name", FORMS)
def test_the_form_carries_its_version(setting, client_for, name):
    form = FORMS[name]
    fields = _open(client_for(getattr(setting, form.who)), setting, form)
    assert "version" in fields


@pytest.mark.parametrize("name", FORMS)
def test_the_second_tab_is_refused_and_the_first_tabs_change_kept(setting, client_for, name):
    form = FORMS[name]
    client = client_for(getattr(setting, form.who))
    if name == "coordinator's score":  # a first score, so that both tabs change a saved one
        first_score = {"score": "2.0", "justification": "A start"}
        assert client.post(form.action(setting), data=first_score).status_code == 303
    tab_one, tab_two = _open(client, setting, form), _open(client, setting, form)
    untouched = form.read(setting)[1]

    saved = client.post(form.action(setting), data={**tab_one, **form.first})
    assert saved.status_code == 303
    kept = (form.first_saved, untouched)
    assert form.read(setting) == kept

    refused = client.post(form.action(setting), data={**tab_two, **form.second})
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else changed" in text and CONFLICT_WORDS in text
    assert THEIR_VERSION in text or "Coordinator's score" in text
    assert "Start again from their version" in text
    assert form.read(setting) == kept  # nothing of the second tab was saved
    assert str(form.first_saved) in text  # their saved value is shown...
    mine = form_fields(refused.get_data(as_text=True), form.action(setting))
    for key, value in form.second.items():  # ...and the person's own stay in the form
        assert mine[key] == value

    # The form now carries the saved version: saving again, on purpose, keeps the second change.
    assert client.post(form.action(setting), data=mine).status_code == 303
    assert form.read(setting)[1] == form.second_saved


@pytest.mark.parametrize("name", [name for name in FORMS if name != "coordinator's score"])
@pytest.mark.parametrize("version", ["missing", "garbage", "zero"])
def test_a_form_without_a_good_version_is_refused_with_a_message(
    setting, client_for, name, version
):
    form = FORMS[name]
    client = client_for(getattr(setting, form.who))
    fields = {**_open(client, setting, form), **form.first}
    if version == "missing":
        del fields["version"]
    else:
        fields["version"] = {"garbage": "x1", "zero": "0"}[version]
    before = form.read(setting)
    response = client.post(form.action(setting), data=fields)
    if version == "zero":  # a number, just not the saved one: someone else's change
        assert response.status_code == 409
    else:
        assert response.status_code == 422
        assert RELOAD in text_of(response)
    assert form.read(setting) == before


def test_a_first_score_over_someone_elses_first_score_is_refused(setting, client_for):
    """Two coordinators open the unscored report; the second to save is told, not overwriting."""
    form = FORMS["coordinator's score"]
    one, two = client_for(setting.coordinator_x), client_for(setting.admin)
    tab_one, tab_two = _open(one, setting, form), _open(two, setting, form)
    assert tab_one["version"] == tab_two["version"] == ""
    assert one.post(form.action(setting), data={**tab_one, **form.first}).status_code == 303
    refused = two.post(form.action(setting), data={**tab_two, **form.second})
    assert refused.status_code == 409
    assert "Someone else changed the coordinator's score" in text_of(refused)
    assert form.read(setting)[0] == form.first_saved


def test_htmx_gets_the_refusal_as_422_to_swap_in(setting, client_for):
    form = FORMS["coordinator's score"]
    client = client_for(setting.coordinator_x)
    stale = _open(client, setting, form)
    assert client.post(form.action(setting), data={**stale, **form.first}).status_code == 303
    htmx = {"HX-Request": "true", "HX-Target": "coordinator-score"}
    refused = client.post(form.action(setting), data={**stale, **form.second}, headers=htmx)
    assert refused.status_code == 422
    assert "Someone else changed the coordinator's score" in text_of(refused)
    assert form.read(setting)[0] == form.first_saved


# The admin's two tabs, as the probe found them ---------------------------------------------------


def test_a_stale_account_form_never_enables_a_disabled_account(setting, client_for):
    """One tab disables the account, the other saves a name change: the account stays disabled."""
    member = setting.member_a
    url = f"/admin/users/{member.id}"
    admin = client_for(setting.admin)
    pages = [admin.get(url).get_data(as_text=True) for _ in range(2)]
    disabling, renaming = (form_fields(page, url) for page in pages)
    assert renaming["is_enabled"] == "y"

    del disabling["is_enabled"]  # untick "Account can sign in"
    assert admin.post(url, data=disabling).status_code == 303
    assert _reload(User, member.id).is_enabled is False

    refused = admin.post(url, data={**renaming, "display_name": "Mia Renamed"})
    assert refused.status_code == 409
    account = _reload(User, member.id)
    assert (account.is_enabled, account.display_name) == (False, "Member A")
    text = text_of(refused)
    assert "Someone else changed this account while you were editing" in text
    assert "Account can sign in No" in text  # their saved version
    # The form shown again offers the access as saved: saving it again keeps the account disabled.
    again = form_fields(refused.get_data(as_text=True), url)
    assert "is_enabled" not in again and again["display_name"] == "Mia Renamed"
    assert admin.post(url, data=again).status_code == 303
    account = _reload(User, member.id)
    assert (account.is_enabled, account.display_name) == (False, "Mia Renamed")


def test_a_stale_account_form_never_changes_admin_rights(setting, client_for):
    member = setting.member_a
    url = f"/admin/users/{member.id}"
    admin = client_for(setting.admin)
    granting, stale = (form_fields(admin.get(url).get_data(as_text=True), url) for _ in range(2))
    assert admin.post(url, data={**granting, "is_admin": "y"}).status_code == 303
    assert admin.post(url, data={**stale, "display_name": "Someone"}).status_code == 409
    assert _reload(User, member.id).is_admin is True


def test_signing_in_does_not_make_an_admins_open_form_stale(setting, client_for):
    """The account's version counts changes to what the form shows, not sign-ins."""
    member = setting.member_a
    url = f"/admin/users/{member.id}"
    admin = client_for(setting.admin)
    fields = form_fields(admin.get(url).get_data(as_text=True), url)
    client_for(member)  # signs in, which records when
    assert _reload(User, member.id).last_signed_in_at is not None
    assert admin.post(url, data={**fields, "display_name": "Mia Moved"}).status_code == 303
    assert _reload(User, member.id).display_name == "Mia Moved"


def test_an_account_change_is_a_new_version(setting):
    member = _reload(User, setting.member_a.id)
    before = member.version
    member.last_signed_in_at = None
    db.session.commit()
    assert _reload(User, member.id).version == before
    member = _reload(User, member.id)
    member.display_name = "Changed"
    db.session.commit()
    assert _reload(User, member.id).version == before + 1


def test_dates_in_the_saved_version_read_as_words(setting, client_for):
    form = FORMS["calendar phase"]
    client = client_for(setting.coordinator_x)
    tab_one, tab_two = _open(client, setting, form), _open(client, setting, form)
    assert client.post(form.action(setting), data={**tab_one, **form.first}).status_code == 303
    refused = client.post(form.action(setting), data={**tab_two, **form.second})
    starts = _phase(setting).starts_on
    assert f"Start date {starts:%-d %B %Y}" in text_of(refused)
    assert "What kind of phase is it? Learning session" in text_of(refused)  # a choice's label


# Taking a role away ------------------------------------------------------------------------------


def _membership(world: Any) -> Membership:
    return db.session.query(Membership).filter_by(user_id=world.member_a.id).one()


def test_a_role_changed_after_the_question_is_not_taken_away_unseen(setting, client_for):
    url = f"/teams/{setting.team_a.id}/members/{_membership(setting).id}/remove"
    lead = client_for(setting.lead_a)
    question = form_fields(lead.get(url).get_data(as_text=True), url)
    assert question["version"] == "1"
    # Meanwhile a coordinator makes them the team's lead ("add a person" changes a role).
    promote = {"email": setting.member_a.email, "role": "team_lead"}
    assert (
        client_for(setting.coordinator_x)
        .post(f"/teams/{setting.team_a.id}/members", data=promote)
        .status_code
        == 303
    )

    refused = lead.post(url, data=question)
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else changed Member A's role while you were deciding" in text
    assert "They are team lead here." in text
    db.session.expire_all()
    assert _membership(setting).role == Role.TEAM_LEAD  # nothing was removed
    # Asked again, with the role now shown: yes removes them.
    again = form_fields(refused.get_data(as_text=True), url)
    assert lead.post(url, data=again).status_code == 303
    db.session.expire_all()
    assert db.session.query(Membership).filter_by(user_id=setting.member_a.id).count() == 0


@pytest.mark.parametrize("version", [None, "x1"])
def test_a_removal_without_a_good_version_is_refused_with_a_message(setting, client_for, version):
    url = f"/teams/{setting.team_a.id}/members/{_membership(setting).id}/remove"
    data = {} if version is None else {"version": version}
    response = client_for(setting.lead_a).post(url, data=data)
    assert response.status_code == 400
    assert RELOAD in text_of(response)
    db.session.expire_all()
    assert _membership(setting).role == Role.TEAM_MEMBER
