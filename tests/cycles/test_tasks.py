"""A cycle's task list: add (never due before the cycle starts), tick off, reopen, remove.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from improve.extensions import db
from improve.models import AuditAction, CycleTask
from tests.conftest import HTMX, version_of
from tests.cycles.factories import (
    assert_fragment,
    audit_rows,
    count,
    fresh,
    make_aim,
    make_cycle,
    make_idea,
    visible,
)

PATHS = {"htmx": HTMX, "no-js": {}}


def task_form(**fields):
    values = {
        "description": "Print the huddle sheet",
        "owner_name": "Sam, shift lead",
        "due_on": ["4", "5", "2026"],  # the day the cycle starts
    }
    values.update(fields)
    return {f"task-{name}": value for name, value in values.items()}


def _add_task(cycle, description="Ring the families", due_on=date(2026, 5, 6)):
    task = CycleTask(cycle_id=cycle.id, description=description, due_on=due_on)
    db.session.add(task)
    db.session.commit()
    return task


def test_adding_a_task_without_javascript(world, sign_in, cycle):
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/tasks", data=task_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-tasks"
    [task] = fresh(cycle).tasks
    assert (task.description, task.owner_name, task.due_on, task.done_at) == (
        "Print the huddle sheet",
        "Sam, shift lead",
        date(2026, 5, 4),
        None,
    )
    [event] = audit_rows("CycleTask", AuditAction.CREATE)
    assert (event.entity_id, event.actor_id, event.team_id, event.collaborative_id) == (
        task.id,
        world.member_a.id,
        world.team_a.id,
        world.x.id,
    )
    assert event.after["due_on"] == "2026-05-04"


def test_adding_a_task_with_htmx_returns_the_task_list(world, sign_in, cycle):
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/tasks", data=task_form(), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "plan-tasks")
    text = visible(response)
    assert "Task ‘Print the huddle sheet’ added." in text
    assert "Print the huddle sheet Sam, shift lead 4 May 2026" in text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"due_on": ["3", "5", "2026"]},
            "A task cannot be due before the cycle starts on 4 May 2026",
        ),
        ({"due_on": ["", "", ""]}, "Enter when the task must be done by"),
        ({"due_on": ["30", "2", "2026"]}, "must be a real date"),
        ({"description": ""}, "Enter the task"),
        ({"description": "x" * 201}, "Task must be 200 characters or fewer"),
        ({"owner_name": "Sam\x00"}, "contains characters that cannot be saved"),
    ],
    ids=["before-start", "no-date", "unreal-date", "no-task", "long", "nul"],
)
def test_an_invalid_task_is_refused(world, sign_in, cycle, path, fields, message):
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/tasks", data=task_form(**fields), headers=PATHS[path]
    )
    assert response.status_code == 422
    assert message in visible(response)
    if path == "htmx":
        assert_fragment(response, "plan-tasks")
    assert (count(CycleTask), audit_rows("CycleTask")) == (0, [])


def test_a_task_without_date_parts_does_not_crash(world, sign_in, cycle):
    data = task_form()
    del data["task-due_on"]
    response = sign_in(world.member_a).post(f"/cycles/{cycle.id}/tasks", data=data)
    assert response.status_code == 422
    assert "Enter when the task must be done by" in visible(response)


@pytest.mark.parametrize("path", PATHS)
def test_ticking_a_task_off_and_reopening_it(world, sign_in, cycle, path):
    task = _add_task(cycle)
    client = sign_in(world.member_a)
    url = f"/cycles/{cycle.id}/tasks/{task.id}/done"

    response = client.post(url, data={"done": "yes"}, headers=PATHS[path])
    if path == "htmx":
        assert response.status_code == 200
        assert_fragment(response, "plan-tasks")
        assert "Task ‘Ring the families’ marked as done." in visible(response)
        assert "Mark as not done" in visible(response)
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-tasks"
    assert fresh(task).done_at is not None

    assert client.post(url, data={"done": "no"}, headers=PATHS[path]).status_code in (200, 303)
    assert fresh(task).done_at is None
    ticked, reopened = audit_rows("CycleTask", AuditAction.UPDATE)
    assert ticked.before == {"done_at": None} and ticked.after["done_at"]
    assert reopened.after == {"done_at": None}


def test_ticking_a_done_task_again_changes_nothing(world, sign_in, cycle):
    task = _add_task(cycle)
    client = sign_in(world.member_a)
    url = f"/cycles/{cycle.id}/tasks/{task.id}/done"
    client.post(url, data={"done": "yes"})
    client.post(url, data={"done": "yes"})
    assert len(audit_rows("CycleTask", AuditAction.UPDATE)) == 1


@pytest.mark.parametrize("value", ["", "maybe", "Yes"])
def test_a_tick_must_say_yes_or_no(world, sign_in, cycle, value):
    task = _add_task(cycle)
    response = sign_in(world.member_a).post(
        f"/cycles/{cycle.id}/tasks/{task.id}/done", data={"done": value}
    )
    assert response.status_code == 400
    assert "Say whether the task is done" in visible(response)
    assert fresh(task).done_at is None


def test_an_overdue_task_is_marked(world, sign_in, idea):
    cycle = make_cycle(idea, starts_on=date(2020, 1, 6), ends_on=date(2020, 1, 10))
    _add_task(cycle, "Order the board", date(2020, 1, 7))
    text = visible(sign_in(world.member_a).get(f"/cycles/{cycle.id}"))
    assert "Order the board Not given 7 January 2020 Overdue To do" in text


def test_removing_a_task_asks_first(world, sign_in, cycle):
    task = _add_task(cycle)
    client = sign_in(world.member_a)
    url = f"/cycles/{cycle.id}/tasks/{task.id}/remove"
    page = client.get(url)
    assert page.status_code == 200
    assert "Remove this task? Ring the families" in visible(page)
    assert count(CycleTask) == 1

    response = client.post(url, data=version_of(task))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cycles/{cycle.id}#plan-tasks"
    assert count(CycleTask) == 0
    [event] = audit_rows("CycleTask", AuditAction.DELETE)
    assert event.before["description"] == "Ring the families"
    assert "The task ‘Ring the families’ has been removed." in visible(
        client.get(f"/cycles/{cycle.id}")
    )


def test_a_task_of_another_cycle_is_not_found(world, sign_in, cycle):
    other = make_cycle(make_idea(make_aim(world.team_b)))
    foreign = _add_task(other, "Team B task")
    client = sign_in(world.member_a)
    for method, route, data in (
        ("post", "done", {"done": "yes"}),
        ("get", "remove", {}),
        ("post", "remove", {}),
    ):
        url = f"/cycles/{cycle.id}/tasks/{foreign.id}/{route}"
        assert getattr(client, method)(url, data=data).status_code == 404
    assert fresh(foreign).done_at is None and count(CycleTask) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("expert_a", 403), ("panel_x", 403), ("coordinator_x", 403), ("member_b", 404)],
)
def test_who_may_not_change_tasks(world, client_for, cycle, who, status):
    task = _add_task(cycle)
    client = client_for(getattr(world, who))
    base = f"/cycles/{cycle.id}/tasks"
    assert client.post(base, data=task_form()).status_code == status
    assert client.post(f"{base}/{task.id}/done", data={"done": "yes"}).status_code == status
    assert client.get(f"{base}/{task.id}/remove").status_code == status
    assert client.post(f"{base}/{task.id}/remove").status_code == status
    assert count(CycleTask) == 1 and fresh(task).done_at is None
