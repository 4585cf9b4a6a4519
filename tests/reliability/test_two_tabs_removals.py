"""Every removal carries the version of the record its question showed (issue 16, point 5).

Two tabs: one asks "remove this?", the other then changes the record. Saying yes in the first tab
answers 409 (422 for htmx, with the fragment) showing the record as it is now, removes nothing,
and keeps the other tab's change; yes again, from the page now shown, removes it. A yes without a
good version is refused (400) with a message and removes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, CollaborativePhase, CycleQuestion, CycleTask
from tests.conftest import HTMX
from tests.conftest import text_of as _text_of
from tests.reliability.workload import form_fields
from tests.security import route_samples as make

CHANGED = "while you were deciding"
RELOAD = "This form is out of date or incomplete. Reload the page and make your change again"


def text_of(response: Any) -> str:
    return html.unescape(_text_of(response))


@dataclass
class Removal:
    """One removal: who makes it, its record, the question's address, and an edit from a second
    tab. `gone` says whether the record is removed (comments stay, marked deleted)."""

    who: str
    make: Callable[[Any], Any]
    question: Callable[[Any, Any], str]
    edit: Callable[[Any, Any, Any], str]  # makes the change, returns the text it wrote
    fragment: str | None  # the element htmx swaps, for removals asked in place
    htmx_status: int = 200  # a removal's answer to htmx: the changed block, or a redirect


def _edit_form(client: Any, page: str, field: str, value: str, action: str | None = None) -> str:
    """Open an edit page, change one field, save: the second tab's change."""
    fields = form_fields(client.get(page).get_data(as_text=True), action or page)
    fields[field] = value
    response = client.post(action or page, data=fields)
    assert response.status_code == 303, text_of(response)
    return value


def _rename_question(client: Any, w: Any, question: CycleQuestion) -> str:
    """Tab two rewrites the question in the cycle's Plan form."""
    action = f"/cycles/{question.cycle_id}/plan"
    page = client.get(f"/cycles/{question.cycle_id}").get_data(as_text=True)
    fields = form_fields(page, action)
    [name] = [key for key, value in fields.items() if value == question.question]
    fields[name] = "Does the huddle take under ten minutes?"
    assert client.post(action, data=fields).status_code == 303
    return fields[name]


def _tick(client: Any, w: Any, task: CycleTask) -> str:
    url = f"/cycles/{task.cycle_id}/tasks/{task.id}/done"
    assert client.post(url, data={"done": "yes"}).status_code == 303
    return "done"


def _phase(w: Any) -> CollaborativePhase:
    return make.phase(w.x)


def _question(w: Any) -> CycleQuestion:
    return make.cycle(w.team_a, questions=2).questions[-1]


REMOVALS = {
    "calendar phase": Removal(
        who="coordinator_x",
        make=_phase,
        question=lambda w, r: f"/collaboratives/{w.x.id}/calendar/phases/{r.id}/remove",
        edit=lambda c, w, r: _edit_form(
            c, f"/collaboratives/{w.x.id}/calendar/phases/{r.id}/edit", "title", "Moved online"
        ),
        fragment=None,
        htmx_status=303,
    ),
    "driver": Removal(
        who="member_a",
        make=lambda w: make.driver(make.aim(w.team_a)),
        question=lambda w, r: f"/drivers/{r.id}/remove",
        edit=lambda c, w, r: _edit_form(c, f"/drivers/{r.id}/edit", "edit-title", "Staff rested"),
        fragment="drivers-diagram",
    ),
    "change idea": Removal(
        who="member_a",
        make=lambda w: make.idea(make.aim(w.team_a)),
        question=lambda w, r: f"/ideas/{r.id}/remove",
        edit=lambda c, w, r: _edit_form(c, f"/ideas/{r.id}/edit", "edit-title", "Night lights"),
        fragment="drivers-diagram",
    ),
    "cycle task": Removal(
        who="member_a",
        make=lambda w: make.task(make.cycle(w.team_a)),
        question=lambda w, r: f"/cycles/{r.cycle_id}/tasks/{r.id}/remove",
        edit=lambda c, w, r: _tick(c, w, r),
        fragment=None,
    ),
    "cycle question": Removal(
        who="member_a",
        make=_question,
        question=lambda w, r: f"/cycles/{r.cycle_id}/questions/{r.id}/remove",
        edit=lambda c, w, r: _rename_question(c, w, r),
        fragment=None,
    ),
    "comment": Removal(
        who="member_a",
        make=lambda w: make.comment(make.aim(w.team_a), w.member_a),
        question=lambda w, r: f"/comments/{r.id}/delete",
        edit=lambda c, w, r: _edit_form(
            c, f"/comments/{r.id}/edit", "comment-edit-body", "Better words."
        ),
        fragment="comments",
    ),
}
NAMES = sorted(REMOVALS)


def _key(record: Any) -> tuple[type, int]:
    return type(record), record.id


def _still_there(key: tuple[type, int]) -> bool:
    db.session.expire_all()
    saved = db.session.get(*key)
    return saved is not None and getattr(saved, "deleted_at", None) is None


def _deletions(key: tuple[type, int]) -> list[AuditEvent]:
    return (
        db.session.query(AuditEvent)
        .filter_by(entity_type=key[0].__name__, entity_id=key[1], action=AuditAction.DELETE)
        .all()
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_question_carries_the_version_it_shows(world, client_for, name):
    removal = REMOVALS[name]
    record = removal.make(world)
    url = removal.question(world, record)
    fields = form_fields(client_for(getattr(world, removal.who)).get(url).get_data(True), url)
    assert fields["version"] == str(record.version)


@pytest.mark.parametrize("name", NAMES)
def test_a_record_changed_in_another_tab_is_not_removed_unseen(world, client_for, name):
    removal = REMOVALS[name]
    record = removal.make(world)
    key = _key(record)
    url = removal.question(world, record)
    tab_one = client_for(getattr(world, removal.who))
    tab_two = client_for(getattr(world, removal.who))
    question = form_fields(tab_one.get(url).get_data(as_text=True), url)
    written = removal.edit(tab_two, world, record)

    refused = tab_one.post(url, data=question)

    assert refused.status_code == 409
    text = text_of(refused)
    assert CHANGED in text and "Nothing was" in text
    if written != "done":
        assert written in text  # the record as it is now
    assert _still_there(key) and _deletions(key) == []
    # Asked again about the record as it now is: yes removes it.
    again = form_fields(refused.get_data(as_text=True), url)
    assert again["version"] != question["version"]
    assert tab_one.post(url, data=again).status_code == 303
    assert not _still_there(key) and len(_deletions(key)) == 1


@pytest.mark.parametrize("name", [name for name in NAMES if REMOVALS[name].fragment])
def test_htmx_gets_the_question_again_as_422_with_its_fragment(world, client_for, name):
    removal = REMOVALS[name]
    record = removal.make(world)
    key = _key(record)
    url = removal.question(world, record)
    tab_one = client_for(getattr(world, removal.who))
    question = form_fields(tab_one.get(url, headers=HTMX).get_data(as_text=True), url)
    written = removal.edit(client_for(getattr(world, removal.who)), world, record)

    refused = tab_one.post(url, data=question, headers=HTMX)

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.lstrip().startswith("<") and f'id="{removal.fragment}"' in page
    assert "<html" not in page
    assert CHANGED in text_of(refused) and written in text_of(refused)
    assert _still_there(key)
    again = form_fields(page, url)
    assert tab_one.post(url, data=again, headers=HTMX).status_code == 200
    assert not _still_there(key)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("version", [None, "", "x1", "0", "-1", "1.0", "99999999999999999999"])
def test_a_yes_without_a_good_version_is_refused_with_a_message(world, client_for, name, version):
    removal = REMOVALS[name]
    record = removal.make(world)
    key = _key(record)
    data = {} if version is None else {"version": version}

    response = client_for(getattr(world, removal.who)).post(
        removal.question(world, record), data=data
    )

    assert response.status_code == 400
    assert RELOAD in text_of(response)
    assert _still_there(key) and _deletions(key) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_version_other_than_the_saved_one_removes_nothing(world, client_for, name):
    removal = REMOVALS[name]
    record = removal.make(world)
    key = _key(record)
    data = {"version": str(record.version + 1)}

    response = client_for(getattr(world, removal.who)).post(
        removal.question(world, record), data=data
    )

    assert response.status_code == 409
    assert _still_there(key)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["no-js", "htmx"])
@pytest.mark.parametrize("name", NAMES)
def test_yes_with_the_version_shown_removes_it(world, client_for, name, headers):
    removal = REMOVALS[name]
    record = removal.make(world)
    key = _key(record)
    url = removal.question(world, record)
    client = client_for(getattr(world, removal.who))
    fields = form_fields(client.get(url).get_data(as_text=True), url)

    response = client.post(url, data=fields, headers=headers)

    assert response.status_code == (removal.htmx_status if headers else 303)
    assert not _still_there(key) and len(_deletions(key)) == 1


def test_removal_versions_count_changes_to_tasks_and_questions(world, client_for):
    """Tasks and questions are versioned: a tick, or a rewrite in the Plan, is a new version."""
    task = make.task(make.cycle(world.team_a))
    question = _question(world)
    before = (task.version, question.version)
    client = client_for(world.member_a)
    _tick(client, world, task)
    _rename_question(client, world, question)
    db.session.expire_all()
    after = (
        db.session.get(CycleTask, task.id).version,
        db.session.get(CycleQuestion, question.id).version,
    )
    assert after == (before[0] + 1, before[1] + 1)
