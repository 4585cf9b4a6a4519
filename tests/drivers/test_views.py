"""The driver diagram: drivers, the primary drivers a secondary feeds, change ideas; drawn as
nested lists, edited in place with htmx and with plain forms.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditAction, ChangeIdea, Driver, DriverKind, Ramp
from improve.models.aim import driver_link
from tests.aims.conftest import (
    assert_fragment,
    assert_full_page,
    audit,
    body,
    count,
    duplicate_ids,
    input_value,
    record_audit_rows,
    visible,
)
from tests.conftest import HTMX, version_of

NOT_PERMITTED = {
    "coordinator_x": 403,
    "coordinator_y": 404,
    "panel_x": 403,
    "expert_a": 403,
    "member_b": 404,
    "member_c": 404,
    "nobody": 404,
}
DIAGRAM = "#drivers-diagram"


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def links() -> set[tuple[int, int]]:
    """(secondary id, primary id) for every link in the database."""
    rows = db.session.execute(sa.select(driver_link.c.secondary_id, driver_link.c.primary_id))
    return set(rows)


def titles_in_order(aim, kind: str) -> list[str]:
    db.session.expire_all()
    query = (
        sa.select(Driver.title)
        .where(Driver.aim_id == aim.id, Driver.kind == DriverKind(kind))
        .order_by(Driver.position, Driver.id)
    )
    return list(db.session.scalars(query))


def idea_titles_in_order(aim) -> list[str]:
    db.session.expire_all()
    query = (
        sa.select(ChangeIdea.title)
        .where(ChangeIdea.aim_id == aim.id)
        .order_by(ChangeIdea.position, ChangeIdea.id)
    )
    return list(db.session.scalars(query))


@pytest.fixture
def diagram(world, make_aim, make_driver, make_idea):
    """Team A's aim with three primary drivers, secondaries (one feeding two primaries, one
    feeding none) and ideas under a secondary, under a primary and under no driver."""
    aim = make_aim(world.team_a)
    d = type("Diagram", (), {})()
    d.aim = aim
    d.p1 = make_driver(aim, "Staff know who is at risk")
    d.p2 = make_driver(aim, "Bedrooms are safe at night")
    d.p3 = make_driver(aim, "People sleep well")
    d.s1 = make_driver(aim, "Risk checked on arrival", "secondary", [d.p1])
    d.s2 = make_driver(aim, "Night handover names who is at risk", "secondary", [d.p1, d.p3])
    d.s3 = make_driver(aim, "Lights on the way to the toilet", "secondary", [d.p2])
    d.s4 = make_driver(aim, "Not sure yet where this goes", "secondary")
    d.i1 = make_idea(aim, "Falls risk tool on arrival", d.s1)
    d.i2 = make_idea(aim, "Night lights in every bedroom", d.s3)
    d.i3 = make_idea(aim, "Motion sensor lights", d.s3)
    d.i4 = make_idea(aim, "Quiet hours after 10pm", d.p3)
    d.i5 = make_idea(aim, "Ask families what helps")
    return d


# Drawing the diagram -----------------------------------------------------------------------------


def test_the_diagram_reads_aim_to_primary_to_secondary_to_ideas(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/aims/{diagram.aim.id}")
    text = visible(response)
    assert (
        "Aim Fewer falls at night From 9 to 4 falls a month by 31 March 2027 "
        "Primary driver Staff know who is at risk" in text
    )
    assert (
        "Secondary driver Risk checked on arrival Change secondary driver ‘Risk checked on "
        "arrival’" in text
    )
    # Rows grouped by primary driver, in order; ideas under their drivers.
    order = [
        "Primary driver Staff know who is at risk",
        "Secondary driver Risk checked on arrival",
        "Change idea Falls risk tool on arrival",
        "Primary driver Bedrooms are safe at night",
        "Change idea Night lights in every bedroom",
        "Change idea Motion sensor lights",
        "Primary driver People sleep well",
        "Directly under this primary driver",
        "Change idea Quiet hours after 10pm",
        "Not linked to a primary driver yet",
        "Secondary driver Not sure yet where this goes",
        "Not under a driver yet",
        "Change idea Ask families what helps",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_a_secondary_feeding_two_primaries_is_drawn_under_both(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/aims/{diagram.aim.id}")
    text = visible(response)
    assert text.count("Secondary driver Night handover names who is at risk") == 2
    assert "Night handover names who is at risk Also feeds: People sleep well" in text
    assert "Night handover names who is at risk Also feeds: Staff know who is at risk" in text
    # Its controls and its anchor appear once, so every id on the page is unique.
    assert text.count("Change secondary driver ‘Night handover names who is at risk’") == 1
    assert body(response).count(f'id="driver-{diagram.s2.id}"') == 1
    assert duplicate_ids(response) == []


def test_the_diagram_is_nested_lists_for_screen_readers(world, sign_in, diagram):
    page = body(sign_in(world.expert_a).get(f"/aims/{diagram.aim.id}"))
    tree = page[page.index('<ul class="app-diagram__tree"') :]
    # aim > rows of primary drivers > branches of secondary drivers > change ideas
    nesting = [
        'class="app-diagram__tree" role="list"',
        'class="app-diagram__aim"',
        'class="app-diagram__rows" role="list"',
        'class="app-diagram__row"',
        'class="app-diagram__branches" role="list"',
        'class="app-diagram__branch"',
        'class="app-diagram__ideas" role="list"',
    ]
    positions = [tree.index(piece) for piece in nesting]
    assert positions == sorted(positions)
    assert 'aria-label="Driver diagram of the aim ‘Fewer falls at night’"' in page
    assert '<div class="app-diagram__headings" aria-hidden="true">' in page
    assert "css/drivers.css" in page


@pytest.mark.parametrize(
    ("primaries", "warning"),
    [
        (0, "This aim has no primary drivers yet. Most aims have between 2 and 5"),
        (1, "This aim has only 1 primary driver. Most aims have between 2 and 5"),
        (2, None),
        (5, None),
        (6, "This aim has 6 primary drivers. Most aims have between 2 and 5."),
    ],
)
def test_a_warning_outside_two_to_five_primary_drivers(
    world, sign_in, make_aim, make_driver, primaries, warning
):
    aim = make_aim(world.team_a)
    for number in range(primaries):
        make_driver(aim, f"Primary {number}")
    text = visible(sign_in(world.lead_a).get(f"/aims/{aim.id}"))
    if warning:
        assert f"Warning{warning}" in text.replace("Warning ", "Warning")
    else:
        assert "Most aims have between 2 and 5" not in text


def test_the_page_asks_the_database_the_same_number_of_times_however_big_the_diagram(
    world, sign_in, make_aim, make_driver, make_idea, app
):
    aim = make_aim(world.team_a)
    make_idea(aim, "First idea", make_driver(aim, "First primary"))
    client = sign_in(world.lead_a)
    statements = []

    def counter(*args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        client.get(f"/aims/{aim.id}")
        small = len(statements)
        primaries = [make_driver(aim, f"Primary {n}") for n in range(4)]
        for n in range(6):
            secondary = make_driver(aim, f"Secondary {n}", "secondary", primaries[: n % 3 + 1])
            make_idea(aim, f"Idea {n}", secondary)
        statements.clear()
        client.get(f"/aims/{aim.id}")
        assert len(statements) == small
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)


# Adding drivers ----------------------------------------------------------------------------------


def test_adding_a_primary_driver_without_javascript(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    response = client.post(
        f"/aims/{diagram.aim.id}/drivers/primary", data={"primary-title": " Families are heard "}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{diagram.aim.id}{DIAGRAM}"
    assert titles_in_order(diagram.aim, "primary")[-1] == "Families are heard"
    driver = db.session.scalar(sa.select(Driver).where(Driver.title == "Families are heard"))
    [event] = audit("Driver", AuditAction.CREATE)
    assert (event.entity_id, event.actor_id, event.team_id, event.collaborative_id) == (
        driver.id,
        world.lead_a.id,
        world.team_a.id,
        world.x.id,
    )
    assert event.after["kind"] == "primary" and event.after["title"] == "Families are heard"
    assert "Added the primary driver ‘Families are heard’." in visible(
        client.get(f"/aims/{diagram.aim.id}")
    )


def test_adding_a_secondary_driver_with_htmx_returns_the_diagram(world, sign_in, diagram):
    response = sign_in(world.member_a).post(
        f"/aims/{diagram.aim.id}/drivers/secondary",
        data={
            "secondary-title": "Sensor mats by the bed",
            "secondary-feeds": [str(diagram.p2.id), str(diagram.p3.id)],
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    text = visible(response)
    assert "Added the secondary driver ‘Sensor mats by the bed’." in text
    assert text.count("Secondary driver Sensor mats by the bed") == 2  # under both primaries
    driver = db.session.scalar(sa.select(Driver).where(Driver.title == "Sensor mats by the bed"))
    assert driver.kind == DriverKind.SECONDARY
    assert {(driver.id, diagram.p2.id), (driver.id, diagram.p3.id)} <= links()
    [event] = audit("Driver", AuditAction.CREATE)
    assert event.after["feeds"] == ["Bedrooms are safe at night", "People sleep well"]
    # The form stays open, empty and focused, ready for the next one.
    assert '<details class="govuk-details" id="add-secondary" open>' in body(response)
    assert not input_value(response, "secondary-title")
    assert re.search(r'id="secondary-title"[^>]*autofocus', body(response))


def test_a_secondary_driver_may_feed_no_primary_yet(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    client = sign_in(world.lead_a)
    page = visible(client.get(f"/aims/{aim.id}"))
    assert "There are no primary drivers yet. You can add this now" in page
    response = client.post(f"/aims/{aim.id}/drivers/secondary", data={"secondary-title": "Alone"})
    assert response.status_code == 303
    assert links() == set()
    assert "Not linked to a primary driver yet Secondary driver Alone" in visible(
        client.get(f"/aims/{aim.id}")
    )


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("kind", "title", "message"),
    [
        ("primary", "", "Enter the primary driver"),
        ("primary", "   ", "Enter the primary driver"),
        ("secondary", "", "Enter the secondary driver"),
        ("primary", "x" * 201, "Primary driver must be 200 characters or fewer"),
        ("secondary", "Bad\x00title", "Secondary driver contains characters that cannot be saved"),
    ],
    ids=["empty", "spaces", "empty-secondary", "long", "nul"],
)
def test_an_invalid_driver_is_refused(world, sign_in, diagram, kind, title, message, htmx):
    before = count(Driver)
    response = sign_in(world.lead_a).post(
        f"/aims/{diagram.aim.id}/drivers/{kind}",
        data={f"{kind}-title": title},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_fragment(response, "drivers-diagram")
    else:
        assert_full_page(response)
    assert f'<details class="govuk-details" id="add-{kind}" open>' in body(response)
    assert count(Driver) == before
    assert record_audit_rows() == []


def test_an_unknown_kind_of_driver_is_not_found(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/aims/{diagram.aim.id}/drivers/tertiary", data={"tertiary-title": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("other", ["other-aim", "other-team", "secondary", "unknown", "garbage"])
def test_linking_to_anything_but_a_primary_driver_of_this_aim_is_not_found(
    world, sign_in, diagram, make_aim, make_driver, other
):
    foreign = {
        "other-aim": lambda: make_driver(make_aim(world.team_a, title="Other aim"), "P").id,
        "other-team": lambda: make_driver(make_aim(world.team_b), "P").id,
        "secondary": lambda: diagram.s1.id,
        "unknown": lambda: 99999,
        "garbage": lambda: "abc",
    }[other]()
    before = (count(Driver), links())
    client = sign_in(world.lead_a)
    response = client.post(
        f"/aims/{diagram.aim.id}/drivers/secondary",
        data={"secondary-title": "Sneaky", "secondary-feeds": [str(diagram.p1.id), str(foreign)]},
    )
    assert response.status_code == 404
    assert (count(Driver), links()) == before
    response = client.post(
        f"/drivers/{diagram.s1.id}/edit",
        data={
            "edit-title": "Renamed",
            "edit-feeds": [str(foreign)],
            "edit-version": str(diagram.s1.version),
        },
    )
    assert response.status_code == 404
    assert reload(diagram.s1).title == "Risk checked on arrival"
    assert links() == before[1]


# Changing drivers --------------------------------------------------------------------------------


def test_change_opens_a_form_in_place_with_htmx(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/drivers/{diagram.s2.id}/edit", headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    page = body(response)
    assert input_value(response, "edit-title") == "Night handover names who is at risk"
    assert re.search(r'id="edit-title"[^>]*autofocus', page)
    assert input_value(response, "edit-version") == str(diagram.s2.version)
    checked = re.findall(r'name="edit-feeds" type="checkbox" value="(\d+)" checked', page)
    assert sorted(map(int, checked)) == sorted([diagram.p1.id, diagram.p3.id])
    assert f'hx-get="/aims/{diagram.aim.id}?focus=driver-{diagram.s2.id}"' in page  # Cancel
    assert duplicate_ids(response) == []


def test_change_is_a_page_of_its_own_without_javascript(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/drivers/{diagram.p1.id}/edit")
    assert response.status_code == 200
    assert_full_page(response)
    assert "Change the primary driver" in visible(response)
    assert input_value(response, "edit-title") == "Staff know who is at risk"
    assert 'name="edit-feeds"' not in body(response)  # a primary feeds the aim itself


def test_renaming_a_driver_without_javascript(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.p1.id}/edit",
        data={"edit-title": "Staff know who might fall", "edit-version": "1"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/aims/{diagram.aim.id}?focus=driver-{diagram.p1.id}{DIAGRAM}"
    )
    assert reload(diagram.p1).title == "Staff know who might fall"
    [event] = audit("Driver", AuditAction.UPDATE)
    assert (event.before, event.after) == (
        {"title": "Staff know who is at risk"},
        {"title": "Staff know who might fall"},
    )
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)


def test_relinking_a_secondary_with_htmx(world, sign_in, diagram):
    response = sign_in(world.member_a).post(
        f"/drivers/{diagram.s2.id}/edit",
        data={
            "edit-title": diagram.s2.title,
            "edit-feeds": [str(diagram.p2.id)],
            "edit-version": str(diagram.s2.version),
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    assert "Saved ‘Night handover names who is at risk’." in visible(response)
    secondary_links = {link for link in links() if link[0] == diagram.s2.id}
    assert secondary_links == {(diagram.s2.id, diagram.p2.id)}
    [event] = audit("Driver", AuditAction.UPDATE)
    assert event.before == {"feeds": ["Staff know who is at risk", "People sleep well"]}
    assert event.after == {"feeds": ["Bedrooms are safe at night"]}


def test_unticking_every_primary_unlinks_the_secondary(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.s1.id}/edit",
        data={"edit-title": diagram.s1.title, "edit-version": "1"},
    )
    assert response.status_code == 303
    assert all(link[0] != diagram.s1.id for link in links())


def test_saving_a_driver_unchanged_writes_no_audit_row(world, sign_in, diagram):
    data = {
        "edit-title": diagram.s2.title,
        "edit-feeds": [str(diagram.p3.id), str(diagram.p1.id)],
        "edit-version": "1",
    }
    assert (
        sign_in(world.lead_a).post(f"/drivers/{diagram.s2.id}/edit", data=data).status_code == 303
    )
    assert record_audit_rows() == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_an_invalid_rename_is_refused(world, sign_in, diagram, htmx):
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.p1.id}/edit",
        data={"edit-title": "", "edit-version": "1"},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert "Enter the primary driver" in visible(response)
    if htmx:
        assert_fragment(response, "drivers-diagram")
        assert 'id="edit-title"' in body(response)  # the form stays in place
    else:
        assert_full_page(response)
        assert "Change the primary driver" in visible(response)
    assert reload(diagram.p1).title == "Staff know who is at risk"
    assert record_audit_rows() == []


@pytest.mark.parametrize(("headers", "status"), [({}, 409), (HTMX, 422)], ids=["no-js", "htmx"])
def test_a_rename_over_someone_elses_is_refused_and_both_are_shown(
    world, sign_in, diagram, headers, status
):
    loaded = diagram.p1.version
    diagram.p1.title = "Their new name"
    db.session.commit()
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.p1.id}/edit",
        data={"edit-title": "My new name", "edit-version": str(loaded)},
        headers=headers,
    )
    assert response.status_code == status
    text = visible(response)
    assert "Someone else saved this while you were editing" in text
    assert "Their new name" in text
    assert input_value(response, "edit-title") == "My new name"
    current = reload(diagram.p1)
    assert current.title == "Their new name"
    assert input_value(response, "edit-version") == str(current.version)
    assert record_audit_rows() == []


# Moving ------------------------------------------------------------------------------------------


def test_moving_a_primary_driver_up_without_javascript(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.p2.id}/move", data={"direction": "up"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/aims/{diagram.aim.id}?focus=driver-{diagram.p2.id}-up{DIAGRAM}"
    )
    assert titles_in_order(diagram.aim, "primary") == [
        "Bedrooms are safe at night",
        "Staff know who is at risk",
        "People sleep well",
    ]
    events = audit("Driver", AuditAction.UPDATE)
    assert {event.entity_id for event in events} >= {diagram.p1.id, diagram.p2.id}
    assert all(set(event.after) == {"position"} for event in events)
    assert all(event.team_id == world.team_a.id for event in events)


def test_moving_with_htmx_keeps_the_focus_on_the_button(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.p2.id}/move", data={"direction": "down"}, headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    assert titles_in_order(diagram.aim, "primary")[-1] == "Bedrooms are safe at night"
    # Now last: no "down" any more, so the focus goes to its "up" button, and no banner takes it.
    assert re.search(rf'id="move-driver-{diagram.p2.id}-up" autofocus', body(response))
    assert f'id="move-driver-{diagram.p2.id}-down"' not in body(response)
    assert "govuk-notification-banner" not in body(response)


def test_a_secondary_moves_within_the_primary_driver_it_is_drawn_under(world, sign_in, diagram):
    # Under "Staff know who is at risk": s1 then s2. s3 and s4 are elsewhere.
    response = sign_in(world.lead_a).post(
        f"/drivers/{diagram.s2.id}/move", data={"direction": "up"}
    )
    assert response.status_code == 303
    assert titles_in_order(diagram.aim, "secondary")[:2] == [
        "Night handover names who is at risk",
        "Risk checked on arrival",
    ]


def test_an_idea_moves_among_the_ideas_of_its_driver(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    response = client.post(f"/ideas/{diagram.i3.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    order = idea_titles_in_order(diagram.aim)
    assert order.index("Motion sensor lights") < order.index("Night lights in every bedroom")
    assert order.index("Falls risk tool on arrival") == 0  # other drivers' ideas stay put
    [*_, event] = audit("ChangeIdea", AuditAction.UPDATE)
    assert set(event.after) == {"position"}


@pytest.mark.parametrize(
    ("record", "direction"),
    [("p1", "up"), ("p3", "down"), ("s1", "up"), ("i1", "down"), ("i5", "up")],
    ids=["first-up", "last-down", "first-secondary-up", "only-idea-down", "only-loose-idea"],
)
def test_moving_past_either_end_changes_nothing(world, sign_in, diagram, record, direction):
    target = getattr(diagram, record)
    kind = "ideas" if record.startswith("i") else "drivers"
    before = (titles_in_order(diagram.aim, "primary"), idea_titles_in_order(diagram.aim))
    client = sign_in(world.lead_a)
    response = client.post(f"/{kind}/{target.id}/move", data={"direction": direction})
    assert response.status_code == 303
    assert (titles_in_order(diagram.aim, "primary"), idea_titles_in_order(diagram.aim)) == before
    assert record_audit_rows() == []
    assert "Moved" not in visible(client.get(f"/aims/{diagram.aim.id}"))


@pytest.mark.parametrize("direction", ["sideways", "", None])
def test_moving_needs_up_or_down(world, sign_in, diagram, direction):
    data = {} if direction is None else {"direction": direction}
    response = sign_in(world.lead_a).post(f"/drivers/{diagram.p2.id}/move", data=data)
    assert response.status_code == 400
    assert "Choose whether to move it up or down." in visible(response)
    assert record_audit_rows() == []


def test_tied_positions_are_renumbered_along_the_column(world, sign_in, make_aim):
    aim = make_aim(world.team_a)
    for title in ("A", "B", "C"):
        db.session.add(Driver(aim=aim, kind=DriverKind.PRIMARY, title=title, position=0))
    db.session.commit()
    c = db.session.scalar(sa.select(Driver).where(Driver.title == "C"))
    response = sign_in(world.lead_a).post(f"/drivers/{c.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    assert titles_in_order(aim, "primary") == ["A", "C", "B"]
    positions = db.session.scalars(sa.select(Driver.position).where(Driver.aim_id == aim.id))
    assert sorted(positions) == [0, 1, 2]


# Removing drivers --------------------------------------------------------------------------------


def test_removing_a_primary_asks_first_and_says_what_stays(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/drivers/{diagram.p3.id}/remove")
    assert response.status_code == 200
    assert_full_page(response)
    text = visible(response)
    assert "Remove the primary driver ‘People sleep well’?" in text
    assert "The secondary drivers and change ideas under it are kept." in text
    assert "1 secondary driver will no longer be linked to it" in text
    assert "1 change idea directly under it will show as not under a driver yet" in text
    assert count(Driver) == 7


def test_the_question_appears_in_place_with_htmx(world, sign_in, diagram):
    response = sign_in(world.lead_a).get(f"/drivers/{diagram.s3.id}/remove", headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    text = visible(response)
    assert "Remove the secondary driver ‘Lights on the way to the toilet’?" in text
    assert "2 change ideas under it will show as not under a driver yet" in text
    assert re.search(r'hx-post="/drivers/\d+/remove"[^>]*>', body(response))
    assert "Yes, remove it" in text and "No, keep it" in text


def test_removing_a_primary_keeps_its_secondaries_and_ideas(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    removed_id = diagram.p3.id
    response = client.post(f"/drivers/{removed_id}/remove", data=version_of(diagram.p3))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{diagram.aim.id}?focus=diagram{DIAGRAM}"
    db.session.expire_all()
    assert db.session.get(Driver, removed_id) is None
    assert db.session.get(Driver, diagram.s2.id) is not None  # kept, still feeds p1
    assert {link for link in links() if link[0] == diagram.s2.id} == {
        (diagram.s2.id, diagram.p1.id)
    }
    assert reload(diagram.i4).driver_id is None  # the idea stays, under no driver
    [deleted] = audit("Driver", AuditAction.DELETE)
    assert deleted.before["title"] == "People sleep well"
    assert deleted.before["fed_by"] == ["Night handover names who is at risk"]
    assert (deleted.team_id, deleted.collaborative_id) == (world.team_a.id, world.x.id)
    [relinked] = audit("Driver", AuditAction.UPDATE)
    assert (relinked.entity_id, relinked.after) == (
        diagram.s2.id,
        {"feeds": ["Staff know who is at risk"]},
    )
    [moved_idea] = audit("ChangeIdea", AuditAction.UPDATE)
    assert moved_idea.before["driver"] == "People sleep well" and moved_idea.after["driver"] == ""
    page = visible(client.get(f"/aims/{diagram.aim.id}"))
    assert "Removed ‘People sleep well’. What was under it is still in the diagram." in page
    assert "Not under a driver yet Change idea Quiet hours after 10pm" in page


def test_removing_a_secondary_with_htmx(world, sign_in, diagram):
    removed_id = diagram.s3.id
    response = sign_in(world.lead_a).post(
        f"/drivers/{removed_id}/remove", data=version_of(diagram.s3), headers=HTMX
    )
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    assert "Removed ‘Lights on the way to the toilet’." in visible(response)
    assert reload(diagram.i2).driver_id is None and reload(diagram.i3).driver_id is None
    assert all(removed_id not in link for link in links())
    [deleted] = audit("Driver", AuditAction.DELETE)
    assert deleted.before["feeds"] == ["Bedrooms are safe at night"]
    assert len(audit("ChangeIdea", AuditAction.UPDATE)) == 2


# Change ideas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("under", ["s2", "p1", None], ids=["secondary", "primary", "none"])
def test_adding_a_change_idea(world, sign_in, diagram, under):
    driver = getattr(diagram, under) if under else None
    response = sign_in(world.member_a).post(
        f"/aims/{diagram.aim.id}/ideas",
        data={
            "idea-title": "Red dot on the handover sheet",
            "idea-description": "Tried in another home",
            "idea-driver_id": str(driver.id) if driver else "",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{diagram.aim.id}{DIAGRAM}"
    idea = db.session.scalar(
        sa.select(ChangeIdea).where(ChangeIdea.title == "Red dot on the handover sheet")
    )
    assert (idea.driver_id, idea.description) == (
        driver.id if driver else None,
        "Tried in another home",
    )
    assert idea_titles_in_order(diagram.aim)[-1] == "Red dot on the handover sheet"
    [event] = audit("ChangeIdea", AuditAction.CREATE)
    assert event.after["driver"] == (driver.title if driver else "")
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)


def test_adding_a_change_idea_with_htmx(world, sign_in, diagram):
    response = sign_in(world.lead_a).post(
        f"/aims/{diagram.aim.id}/ideas",
        data={"idea-title": "Hourly checks", "idea-driver_id": str(diagram.s1.id)},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    text = visible(response)
    assert "Added the change idea ‘Hourly checks’." in text
    assert text.index("Change idea Hourly checks") < text.index("Primary driver Bedrooms")
    idea = db.session.scalar(sa.select(ChangeIdea).where(ChangeIdea.title == "Hourly checks"))
    assert f'href="/aims/{diagram.aim.id}/cycles/new?idea={idea.id}"' in body(response)
    assert f'href="/history/ChangeIdea/{idea.id}"' in body(response)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"idea-title": ""}, "Enter the change idea"),
        ({"idea-title": "x" * 201}, "Change idea must be 200 characters or fewer"),
        ({"idea-description": "x" * 5001}, "must be 5000 characters or fewer"),
        ({"idea-description": "\x00"}, "contains characters that cannot be saved"),
    ],
    ids=["empty", "long-title", "long-description", "nul"],
)
def test_an_invalid_change_idea_is_refused(world, sign_in, diagram, fields, message, htmx):
    data = {"idea-title": "Fine", "idea-driver_id": "", **fields}
    response = sign_in(world.lead_a).post(
        f"/aims/{diagram.aim.id}/ideas", data=data, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    (assert_fragment(response, "drivers-diagram") if htmx else assert_full_page(response))
    assert count(ChangeIdea) == 5
    assert record_audit_rows() == []


@pytest.mark.parametrize("other", ["other-aim", "other-team", "unknown", "garbage"])
def test_an_idea_under_a_driver_of_another_aim_is_not_found(
    world, sign_in, diagram, make_aim, make_driver, other
):
    foreign = {
        "other-aim": lambda: make_driver(make_aim(world.team_a, title="Other"), "P").id,
        "other-team": lambda: make_driver(make_aim(world.team_c), "P").id,
        "unknown": lambda: 99999,
        "garbage": lambda: "1; drop table",
    }[other]()
    client = sign_in(world.lead_a)
    response = client.post(
        f"/aims/{diagram.aim.id}/ideas",
        data={"idea-title": "Sneaky", "idea-driver_id": str(foreign)},
    )
    assert response.status_code == 404
    response = client.post(
        f"/ideas/{diagram.i1.id}/edit",
        data={"edit-title": "Sneaky", "edit-driver_id": str(foreign), "edit-version": "1"},
    )
    assert response.status_code == 404
    assert count(ChangeIdea) == 5
    assert reload(diagram.i1).title == "Falls risk tool on arrival"


def test_changing_an_idea_and_its_driver(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    inline = client.get(f"/ideas/{diagram.i5.id}/edit", headers=HTMX)
    assert_fragment(inline, "drivers-diagram")
    assert input_value(inline, "edit-title") == "Ask families what helps"
    response = client.post(
        f"/ideas/{diagram.i5.id}/edit",
        data={
            "edit-title": "Ask families what helps at night",
            "edit-description": "At the residents' meeting",
            "edit-driver_id": str(diagram.p3.id),
            "edit-version": str(diagram.i5.version),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/aims/{diagram.aim.id}?focus=idea-{diagram.i5.id}{DIAGRAM}"
    )
    idea = reload(diagram.i5)
    assert (idea.title, idea.driver_id) == ("Ask families what helps at night", diagram.p3.id)
    [event] = audit("ChangeIdea", AuditAction.UPDATE)
    assert event.before == {
        "title": "Ask families what helps",
        "description": "",
        "driver_id": None,
        "driver": "",
    }
    assert event.after["driver"] == "People sleep well"


def test_the_idea_page_without_javascript_and_its_conflict(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    page = client.get(f"/ideas/{diagram.i2.id}/edit")
    assert_full_page(page)
    assert "Change the change idea" in visible(page)
    loaded = diagram.i2.version
    diagram.i2.description = "Their note"
    db.session.commit()
    response = client.post(
        f"/ideas/{diagram.i2.id}/edit",
        data={
            "edit-title": "My title",
            "edit-driver_id": str(diagram.s3.id),
            "edit-version": str(loaded),
        },
    )
    assert response.status_code == 409
    text = visible(response)
    assert "Someone else saved this while you were editing" in text
    assert "Their note" in text and input_value(response, "edit-title") == "My title"
    assert reload(diagram.i2).title == "Night lights in every bedroom"


def test_removing_an_untested_idea(world, sign_in, diagram):
    client = sign_in(world.lead_a)
    question = client.get(f"/ideas/{diagram.i5.id}/remove")
    assert "Remove the change idea ‘Ask families what helps’?" in visible(question)
    assert "No cycle has tested it yet." in visible(question)
    removed_id = diagram.i5.id
    response = client.post(f"/ideas/{removed_id}/remove", data=version_of(diagram.i5), headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "drivers-diagram")
    assert "Removed the change idea ‘Ask families what helps’." in visible(response)
    db.session.expire_all()
    assert db.session.get(ChangeIdea, removed_id) is None
    [event] = audit("ChangeIdea", AuditAction.DELETE)
    assert event.before["title"] == "Ask families what helps"
    assert event.team_id == world.team_a.id


def test_an_idea_tested_in_cycles_is_not_removed(world, sign_in, diagram):
    db.session.add(Ramp(change_idea_id=diagram.i2.id, title="Night lights"))
    db.session.commit()
    client = sign_in(world.lead_a)
    question = client.get(f"/ideas/{diagram.i2.id}/remove")
    assert question.status_code == 200
    assert "This change idea cannot be removed" in visible(question)
    assert "Yes, remove it" not in visible(question)
    inline = client.get(f"/ideas/{diagram.i2.id}/remove", headers=HTMX)
    assert "Yes, remove it" not in visible(inline) and "Go back" in visible(inline)
    response = client.post(f"/ideas/{diagram.i2.id}/remove", data=version_of(diagram.i2))
    assert response.status_code == 409
    assert "its cycles would be lost" in visible(response)
    assert db.session.get(ChangeIdea, diagram.i2.id) is not None
    assert count(Ramp) == 1
    assert record_audit_rows() == []


# Who may do what ---------------------------------------------------------------------------------


def _routes(d):
    """(method, path, form) for every route that changes the diagram; a removal's form is read
    when it is posted, as the question shows the version current then."""
    return [
        ("post", f"/aims/{d.aim.id}/drivers/primary", {"primary-title": "New"}),
        ("post", f"/aims/{d.aim.id}/drivers/secondary", {"secondary-title": "New"}),
        ("get", f"/drivers/{d.p1.id}/edit", None),
        ("post", f"/drivers/{d.p1.id}/edit", {"edit-title": "Renamed", "edit-version": "1"}),
        ("post", f"/drivers/{d.p2.id}/move", {"direction": "up"}),
        ("get", f"/drivers/{d.p3.id}/remove", None),
        ("post", f"/drivers/{d.s4.id}/remove", lambda: version_of(d.s4)),
        ("post", f"/aims/{d.aim.id}/ideas", {"idea-title": "New", "idea-driver_id": ""}),
        ("get", f"/ideas/{d.i1.id}/edit", None),
        ("post", f"/ideas/{d.i1.id}/edit", {"edit-title": "Renamed", "edit-version": "1"}),
        ("post", f"/ideas/{d.i3.id}/move", {"direction": "up"}),
        ("get", f"/ideas/{d.i5.id}/remove", None),
        ("post", f"/ideas/{d.i5.id}/remove", lambda: version_of(d.i5)),
    ]


@pytest.mark.parametrize("role", sorted(NOT_PERMITTED))
def test_only_the_team_changes_its_diagram(world, client_for, diagram, role):
    client = client_for(getattr(world, role))
    statuses = {
        path: getattr(client, method)(path, data=form() if callable(form) else form).status_code
        for method, path, form in _routes(diagram)
    }
    assert set(statuses.values()) == {NOT_PERMITTED[role]}, statuses
    assert record_audit_rows() == []
    assert (count(Driver), count(ChangeIdea)) == (7, 5)


@pytest.mark.parametrize("role", ["lead_a", "member_a", "admin"])
def test_the_team_and_admins_may_change_the_diagram(world, client_for, diagram, role):
    client = client_for(getattr(world, role))
    statuses = [
        getattr(client, method)(path, data=form() if callable(form) else form).status_code
        for method, path, form in _routes(diagram)
    ]
    assert all(status in (200, 303) for status in statuses), statuses
    assert (count(Driver), count(ChangeIdea)) == (7 + 2 - 1, 5 + 1 - 1)


@pytest.mark.parametrize("team", ["team_b", "team_c"], ids=["same-collaborative", "other"])
def test_another_teams_drivers_and_ideas_are_not_found(
    world, sign_in, make_aim, make_driver, make_idea, team
):
    aim = make_aim(getattr(world, team))
    driver = make_driver(aim, "Theirs")
    idea = make_idea(aim, "Their idea", driver)
    client = sign_in(world.lead_a)
    paths = [
        f"/drivers/{driver.id}/edit",
        f"/drivers/{driver.id}/move",
        f"/drivers/{driver.id}/remove",
        f"/ideas/{idea.id}/edit",
        f"/ideas/{idea.id}/move",
        f"/ideas/{idea.id}/remove",
        f"/aims/{aim.id}/drivers/primary",
        f"/aims/{aim.id}/ideas",
    ]
    form = {"edit-title": "Mine", "direction": "up", "primary-title": "x", "idea-title": "x"}
    for path in paths:
        assert client.post(path, data=form).status_code == 404, path
        if not path.startswith("/aims/") and not path.endswith("/move"):
            assert client.get(path).status_code == 404, path
    assert reload(driver).title == "Theirs" and reload(idea).title == "Their idea"
    assert record_audit_rows() == []


@pytest.mark.parametrize(
    "path", ["/drivers/99999/edit", "/ideas/99999/remove", "/drivers/0/move", "/ideas/abc/edit"]
)
def test_unknown_records_are_not_found(world, sign_in, path):
    client = sign_in(world.admin)
    assert client.post(path, data={"direction": "up"}).status_code == 404
