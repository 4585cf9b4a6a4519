"""Hostile input on every form of a community of practice: whatever is posted in any one field,
the answer is never a 5xx, and a refusal writes nothing. (tests/security fuzzes every route with
hypothesis once it has a sample; this is the communities' own table, run on every change.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from improve.extensions import db
from improve.models import StakeholderGroup
from tests.communities.conftest import add_action, add_meeting, parts
from tests.conftest import version_of

TODAY = date.today()
HOSTILE: list[Any] = [
    "",
    " ",
    "\x00",
    "a\x1bb",
    "x" * 6000,
    "9" * 5000,
    "NaN",
    "-1",
    "1e309",
    "\u202eevil",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    ["open", "done"],
    ["99", "99", "99999"],
    ["-1", "0", "0"],
]


def _snapshot() -> dict[str, list[tuple]]:
    db.session.expire_all()
    wanted = (
        "community",
        "community_member",
        "community_meeting",
        "meeting_attendance",
        "community_action",
        "community_resource",
    )
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
        if table.name in wanted
    }


def _guests() -> dict[str, str]:
    return {f"guests_{group.value}": "0" for group in StakeholderGroup}


# (name, builder(cop) -> (url, valid data)); fresh records for each case.
Builder = Callable[[Any], tuple[str, dict[str, Any]]]


def _meeting(cop):
    return add_meeting(cop.c, TODAY - timedelta(days=3))


ROUTES: dict[str, Builder] = {
    "new": lambda cop: (
        "/communities/new",
        {
            "name": "New one",
            "theme": "A theme",
            "started_on": parts(TODAY),
            "collaborative_id": "",
            "your_group": "carer",
        },
    ),
    "edit": lambda cop: (
        f"/communities/{cop.c.id}/edit",
        {
            "name": "Complex needs",
            "theme": "A theme",
            "description": "",
            "started_on": parts(cop.c.started_on),
            "collaborative_id": str(cop.x.id),
            **version_of(cop.c),
        },
    ),
    "add_member": lambda cop: (
        f"/communities/{cop.c.id}/members",
        {
            "email": "",
            "name": "Pat",
            "organisation": "",
            "stakeholder_group": "carer",
            "role": "member",
            "joined_on": parts(TODAY),
        },
    ),
    "edit_member": lambda cop: (
        f"/community-members/{cop.sam.id}/edit",
        {
            "name": "Sam",
            "organisation": "",
            "stakeholder_group": "carer",
            "role": "member",
            "joined_on": parts(cop.sam.joined_on),
            "left_on": ["", "", ""],
            **version_of(cop.sam),
        },
    ),
    "remove_member": lambda cop: (f"/community-members/{cop.sam.id}/remove", version_of(cop.sam)),
    "new_meeting": lambda cop: (
        f"/communities/{cop.c.id}/meetings/new",
        {"held_on": parts(TODAY), "title": "Meeting", "agenda": ""},
    ),
    "edit_meeting": lambda cop: (
        lambda meeting: (
            f"/community-meetings/{meeting.id}/edit",
            {
                "held_on": parts(meeting.held_on),
                "title": "Meeting",
                "agenda": "",
                "notes": "Notes",
                **version_of(meeting),
            },
        )
    )(_meeting(cop)),
    "attendance": lambda cop: (
        lambda meeting: (
            f"/community-meetings/{meeting.id}/attendance",
            {"present": [str(cop.meg_member.id)], **_guests(), **version_of(meeting)},
        )
    )(_meeting(cop)),
    "add_action": lambda cop: (
        f"/community-meetings/{_meeting(cop).id}/actions",
        {"description": "Do it", "owner": "Sam", "due_on": ["", "", ""], "status": "open"},
    ),
    "edit_action": lambda cop: (
        lambda action: (
            f"/community-actions/{action.id}/edit",
            {
                "description": "Do it",
                "owner": "Sam",
                "due_on": ["", "", ""],
                "status": "done",
                "progress_note": "",
                **version_of(action),
            },
        )
    )(add_action(_meeting(cop))),
    "delete_action": lambda cop: (
        lambda action: (f"/community-actions/{action.id}/delete", version_of(action))
    )(add_action(_meeting(cop))),
    "add_resource": lambda cop: (
        f"/communities/{cop.c.id}/resources",
        {"title": "Guide", "url": "https://example.org", "note": "", "evidence_kind": "none"},
    ),
}


def _cases() -> list[tuple[str, str]]:
    fields = {
        "new": ["name", "theme", "started_on", "collaborative_id", "your_group"],
        "edit": ["name", "started_on", "collaborative_id", "version"],
        "add_member": ["email", "name", "stakeholder_group", "role", "joined_on"],
        "edit_member": ["name", "stakeholder_group", "role", "joined_on", "left_on", "version"],
        "remove_member": ["version"],
        "new_meeting": ["held_on", "title", "agenda"],
        "edit_meeting": ["held_on", "notes", "version"],
        "attendance": ["present", "guests_carer", "version"],
        "add_action": ["description", "owner", "due_on", "status"],
        "edit_action": ["due_on", "status", "progress_note", "version"],
        "delete_action": ["version"],
        "add_resource": ["title", "url", "note", "evidence_kind"],
    }
    return [(route, field) for route, names in fields.items() for field in names]


@pytest.mark.parametrize(("route", "field"), _cases())
def test_hostile_input_never_fails_and_a_refusal_writes_nothing(cop, client_for, route, field):
    client = client_for(cop.admin)
    for value in HOSTILE:
        url, data = ROUTES[route](cop)
        data[field] = value
        before = _snapshot()
        response = client.post(url, data=data)
        assert response.status_code < 500, (value, response.get_data(as_text=True)[:1000])
        if response.status_code >= 400:
            assert _snapshot() == before, value
