"""The actions the strategic panel agrees at a review: added one at a time with an owner and a
due date, updated as they go (status, progress, owner, date), deleted after asking, carried to
later reviews while open, and listed at the top of the panel summary, overdue ones first.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import ActionStatus, AuditAction, AuditEvent, PanelAction, PanelReview
from tests.conftest import HTMX, text_of, version_of
from tests.teams.test_team_page import counting_queries

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
NEXT_MONTH = TODAY + timedelta(days=30)


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def add_review(world, day: date, collaborative=None, **fields) -> PanelReview:
    review = PanelReview(
        collaborative_id=(collaborative or world.x).id, reviewed_on=day, decisions="Go", **fields
    )
    db.session.add(review)
    db.session.commit()
    return review


def add_action(
    review: PanelReview,
    description: str = "Share the night-time checklist",
    due_on: date = NEXT_MONTH,
    status: ActionStatus = ActionStatus.OPEN,
    owner: str = "Sam Patel",
) -> PanelAction:
    action = PanelAction(
        collaborative_id=review.collaborative_id,
        review_id=review.id,
        description=description,
        owner=owner,
        due_on=due_on,
        status=status,
    )
    db.session.add(action)
    db.session.commit()
    return action


def review_url(review: PanelReview, page: str = "") -> str:
    return f"/collaboratives/{review.collaborative_id}/panel/reviews/{review.id}{page}"


def action_url(action: PanelAction, page: str = "/edit") -> str:
    return f"/collaboratives/{action.collaborative_id}/panel/actions/{action.id}{page}"


def action_form(**fields) -> dict:
    values = {
        "description": "Share the night-time checklist with every home",
        "owner": "Sam Patel, care director",
        "due_on": parts(NEXT_MONTH),
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def edit_form(action: PanelAction, **fields) -> dict:
    values = {
        "description": action.description,
        "owner": action.owner,
        "due_on": parts(action.due_on),
        "status": action.status.value,
        "progress_note": action.progress_note,
        **version_of(action),
    }
    values.update(fields)
    return values


def actions() -> list[PanelAction]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PanelAction).order_by(PanelAction.id)))


def action_rows() -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "PanelAction")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


# Adding ------------------------------------------------------------------------------------------


def test_an_action_is_added_not_started_and_audited(world, client_for):
    review = add_review(world, date(2026, 3, 3))
    client = client_for(world.panel_x)
    response = client.post(review_url(review, "/actions"), data=action_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(review_url(review) + "#review-actions")
    [action] = actions()
    assert (action.description, action.owner, action.due_on) == (
        "Share the night-time checklist with every home",
        "Sam Patel, care director",
        NEXT_MONTH,
    )
    assert (action.status, action.review_id, action.collaborative_id) == (
        ActionStatus.OPEN,
        review.id,
        world.x.id,
    )
    assert action.recorded_by_id == world.panel_x.id
    [event] = action_rows()
    assert event.action == AuditAction.CREATE
    assert (event.actor_id, event.collaborative_id, event.team_id) == (
        world.panel_x.id,
        world.x.id,
        None,
    )
    assert event.after["owner"] == "Sam Patel, care director"
    page = text_of(client.get(response.headers["Location"]))
    assert "Action added: Share the night-time checklist with every home" in page
    assert "Owner Sam Patel, care director" in page
    assert f"Due {NEXT_MONTH.day} {NEXT_MONTH:%B %Y}" in page
    assert "Status Not started" in page


def test_actions_are_added_one_at_a_time_and_listed_in_order(world, client_for):
    review = add_review(world, YESTERDAY)
    client = client_for(world.coordinator_x)
    for description in ("First thing", "Second thing"):
        client.post(review_url(review, "/actions"), data=action_form(description=description))
    text = text_of(client.get(review_url(review)))
    assert text.index("First thing") < text.index("Second thing")
    assert len(actions()) == 2


def test_htmx_gets_the_actions_section_back_with_the_new_action(world, client_for):
    review = add_review(world, YESTERDAY)
    response = client_for(world.panel_x).post(
        review_url(review, "/actions"), data=action_form(), headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="review-actions"') and "<html" not in html
    assert "Action added" in text_of(response)
    assert "Share the night-time checklist with every home" in text_of(response)
    assert 'name="description"' in html  # the form, empty, ready for the next one
    assert "Share the night-time checklist with every home</textarea>" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": " "}, "Enter what the action is"),
        ({"owner": None}, "Enter who owns the action"),
        ({"due_on": ["", "", ""]}, "Enter the date the action is due"),
        ({"due_on": None}, "Enter the date the action is due"),
        ({"due_on": ["31", "2", "2026"]}, "Enter a real due date, like 27 3 2026"),
        ({"due_on": ["1", "13", "2026"]}, "Enter a real due date"),
        ({"due_on": ["1", "1", "26"]}, "Enter the due date with a 4-digit year, like 2026"),
        ({"due_on": ["x", "y", "z"]}, "Enter a real due date"),
        ({"due_on": ["2", "3", "2026"]}, "cannot be before the meeting that agreed the action"),
        ({"owner": "x" * 201}, "The owner must be 200 characters or fewer"),
        ({"description": "x" * 5001}, "The action must be 5,000 characters or fewer"),
        ({"description": "bad\x00text"}, "contains characters that cannot be saved"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, client_for, fields, message):
    review = add_review(world, date(2026, 3, 3))
    response = client_for(world.panel_x).post(
        review_url(review, "/actions"), data=action_form(**fields)
    )
    assert response.status_code == 422
    assert "There is a problem" in text_of(response)
    assert message in text_of(response)
    assert "?" not in error_messages(response)  # no label's question glued to a message
    assert actions() == [] and action_rows() == []


def error_messages(response) -> str:
    """The words of the error summary's list."""
    html = response.get_data(as_text=True)
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert found is not None
    return text_of_html(found.group(1))


def test_a_mistake_with_htmx_returns_the_section_with_the_message(world, client_for):
    review = add_review(world, YESTERDAY)
    response = client_for(world.panel_x).post(
        review_url(review, "/actions"), data=action_form(due_on=["31", "2", "2026"]), headers=HTMX
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).strip().startswith('<section id="review-actions"')
    assert "Enter a real due date" in text_of(response)


# Updating ----------------------------------------------------------------------------------------


def test_an_action_is_updated_audited_and_shown_in_the_reviews_history(world, client_for):
    review = add_review(world, YESTERDAY)
    action = add_action(review)
    client = client_for(world.panel_x)
    page = text_of(client.get(action_url(action)))
    assert "Update an action" in page and "Sam Patel" in page
    form = edit_form(
        action,
        status="in_progress",
        progress_note="Shared with 6 of 9 homes",
        owner="Jo Bloggs",
        due_on=parts(NEXT_MONTH + timedelta(days=7)),
    )
    response = client.post(action_url(action), data=form)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(review_url(review) + "#review-actions")
    [saved] = actions()
    assert (saved.status, saved.progress_note, saved.owner) == (
        ActionStatus.IN_PROGRESS,
        "Shared with 6 of 9 homes",
        "Jo Bloggs",
    )
    assert saved.due_on == NEXT_MONTH + timedelta(days=7)
    [event] = action_rows()
    assert event.action == AuditAction.UPDATE
    assert event.before == {
        "owner": "Sam Patel",
        "due_on": NEXT_MONTH.isoformat(),
        "status": "open",
        "progress_note": "",
    }
    history = text_of(client.get(review_url(review, "/history")))
    assert "Panel X changed the action “Share the night-time checklist”" in history
    assert "Status Not started In progress" in history
    assert "Owner Sam Patel Jo Bloggs" in history
    assert "Progress note (empty) Shared with 6 of 9 homes" in history


def test_the_history_keeps_a_deleted_actions_changes(world, client_for):
    review = add_review(world, YESTERDAY)
    client = client_for(world.panel_x)
    client.post(review_url(review, "/actions"), data=action_form(description="Soon gone"))
    [action] = actions()
    client.post(action_url(action, "/delete"), data=version_of(action))
    # Another review's action is not this review's history.
    other = add_review(world, TODAY)
    client.post(review_url(other, "/actions"), data=action_form(description="Elsewhere"))
    client.get(review_url(other))  # shows (and so clears) the "Action added" message
    history = text_of(client.get(review_url(review, "/history")))
    assert "Panel X deleted the action “Soon gone”" in history
    assert "Panel X added the action “Soon gone”" in history
    assert "Elsewhere" not in history


def test_a_stale_update_is_refused_and_shows_the_saved_values(world, client_for):
    action = add_action(add_review(world, YESTERDAY))
    shown = edit_form(action, status="done", progress_note="All shared")
    action.progress_note = "Half shared, says Jo"
    db.session.commit()
    response = client_for(world.panel_x).post(action_url(action), data=shown)
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else changed this action while you were editing" in text
    assert "Half shared, says Jo" in text and "All shared" in text
    [saved] = actions()
    assert (saved.status, saved.progress_note) == (ActionStatus.OPEN, "Half shared, says Jo")
    assert action_rows() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "finished"}, "Choose one of the statuses shown"),
        ({"status": None}, "Choose how far the action has got"),
        ({"due_on": ["30", "2", "2026"]}, "Enter a real due date"),
        ({"progress_note": "x" * 5001}, "What has happened so far must be 5,000 characters"),
        ({"due_on": parts(YESTERDAY - timedelta(days=5))}, "cannot be before the meeting"),
        ({"owner": ""}, "Enter who owns the action"),
    ],
)
def test_a_bad_update_is_refused_with_a_message(world, client_for, fields, message):
    action = add_action(add_review(world, YESTERDAY))
    form = {k: v for k, v in edit_form(action, **fields).items() if v is not None}
    response = client_for(world.panel_x).post(action_url(action), data=form)
    assert response.status_code == 422
    assert message in text_of(response)
    assert actions()[0].status == ActionStatus.OPEN and action_rows() == []


def test_a_back_address_of_another_collaborative_is_ignored(world, client_for):
    review = add_review(world, YESTERDAY)
    action = add_action(review)
    theirs = add_review(world, YESTERDAY, collaborative=world.y)
    response = client_for(world.panel_x).post(
        action_url(action) + f"?back={theirs.id}", data=edit_form(action, status="done")
    )
    assert response.headers["Location"].endswith(review_url(review) + "#review-actions")


# Deleting ----------------------------------------------------------------------------------------


def test_deleting_an_action_asks_first_then_deletes_it(world, client_for):
    review = add_review(world, YESTERDAY)
    action = add_action(review, "Share the checklist")
    client = client_for(world.panel_x)
    page = text_of(client.get(action_url(action, "/delete")))
    assert "Delete this action?" in page and "Share the checklist" in page
    assert "mark it ‘Dropped’ instead" in page
    assert len(actions()) == 1
    response = client.post(action_url(action, "/delete"), data=version_of(action))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(review_url(review) + "#review-actions")
    assert actions() == []
    [event] = action_rows()
    assert event.action == AuditAction.DELETE
    assert event.before["description"] == "Share the checklist"
    assert "The action ‘Share the checklist’ has been deleted." in text_of(
        client.get(review_url(review))
    )


def test_deleting_an_action_someone_changed_since_is_refused(world, client_for):
    action = add_action(add_review(world, YESTERDAY))
    shown = version_of(action)
    action.status = ActionStatus.DONE
    db.session.commit()
    response = client_for(world.panel_x).post(action_url(action, "/delete"), data=shown)
    assert response.status_code == 409
    assert len(actions()) == 1


# Who may ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 303),
        ("coordinator_x", 303),
        ("panel_x", 303),
        ("lead_a", 403),
        ("member_a", 403),
        ("expert_a", 403),
        ("coordinator_y", 404),
        ("member_c", 404),
        ("nobody", 404),
    ],
)
def test_who_may_add_update_and_delete_actions(world, client_for, who, status):
    review = add_review(world, YESTERDAY)
    action = add_action(review)
    client = client_for(getattr(world, who))
    assert client.post(review_url(review, "/actions"), data=action_form()).status_code == status
    updated = client.post(action_url(action), data=edit_form(action, status="done"))
    assert updated.status_code == status
    removed = client.post(action_url(action, "/delete"), data=version_of(action))
    assert removed.status_code == status
    if status != 303:
        assert [a.id for a in actions()] == [action.id]
        assert actions()[0].status == ActionStatus.OPEN
        assert client.get(action_url(action)).status_code == status


def test_another_collaboratives_action_is_not_found(world, client_for):
    theirs = add_action(add_review(world, YESTERDAY, collaborative=world.y))
    client = client_for(world.panel_x)
    for page in ("/edit", "/delete"):
        through_x = f"/collaboratives/{world.x.id}/panel/actions/{theirs.id}{page}"
        assert client.get(through_x).status_code == 404
        assert client.post(through_x, data=edit_form(theirs)).status_code == 404
        assert client.get(action_url(theirs, page)).status_code == 404
    assert client.get(f"/collaboratives/{world.x.id}/panel/actions/x1/edit").status_code == 404
    assert actions()[0].status == ActionStatus.OPEN


def test_actions_cannot_be_added_to_another_collaboratives_review(world, client_for):
    theirs = add_review(world, YESTERDAY, collaborative=world.y)
    client = client_for(world.panel_x)
    url = f"/collaboratives/{world.x.id}/panel/reviews/{theirs.id}/actions"
    assert client.post(url, data=action_form()).status_code == 404
    assert actions() == []


# Carried over ------------------------------------------------------------------------------------


def test_open_actions_of_earlier_reviews_are_carried_over(world, client_for):
    march = add_review(world, date(2026, 3, 3))
    add_action(march, "Still going", status=ActionStatus.IN_PROGRESS)
    add_action(march, "Not begun")
    add_action(march, "Finished", status=ActionStatus.DONE)
    add_action(march, "Given up", status=ActionStatus.DROPPED)
    june = add_review(world, date(2026, 6, 1))
    add_action(june, "A June action")
    client = client_for(world.panel_x)

    later = text_of(client.get(review_url(june)))
    carried = later.split("Actions carried over from earlier reviews", 1)[1]
    assert "Still going" in carried and "Not begun" in carried
    assert "Finished" not in carried and "Given up" not in carried
    assert carried.count("Carried over from the review of 3 March 2026") == 2
    assert "A June action" not in carried
    own = later.split("Actions agreed at this review", 1)[1].split("carried over", 1)[0]
    assert "A June action" in own and "Still going" not in own

    earlier = text_of(client.get(review_url(march)))
    assert "A June action" not in earlier
    assert "None: every action from earlier reviews is done or dropped" in earlier


def test_a_carried_over_actions_update_goes_back_to_the_later_review(world, client_for):
    march = add_review(world, date(2026, 3, 3))
    action = add_action(march)
    june = add_review(world, date(2026, 6, 1))
    client = client_for(world.panel_x)
    html = client.get(review_url(june)).get_data(as_text=True)
    link = f"/collaboratives/{world.x.id}/panel/actions/{action.id}/edit?back={june.id}"
    assert link in html
    response = client.post(link, data=edit_form(action, status="done"))
    assert response.headers["Location"].endswith(review_url(june) + "#carried-over")
    assert "None: every action from earlier reviews is done or dropped" in text_of(
        client.get(review_url(june))
    )


# At the top of the panel summary ------------------------------------------------------------------


def panel_text(client, world, page: str = "") -> str:
    response = client.get(f"/collaboratives/{world.x.id}/panel{page}")
    assert response.status_code == 200
    return text_of(response)


def test_open_actions_are_at_the_top_of_the_panel_overdue_first(world, client_for):
    march = add_review(world, date(2026, 3, 3))
    add_action(march, "Due later", due_on=NEXT_MONTH)
    add_action(march, "Long overdue", due_on=YESTERDAY - timedelta(days=40))
    add_action(march, "Due today", due_on=TODAY, status=ActionStatus.IN_PROGRESS)
    add_action(march, "Just overdue", due_on=YESTERDAY)
    add_action(march, "Done late", due_on=YESTERDAY, status=ActionStatus.DONE)
    add_action(add_review(world, YESTERDAY, collaborative=world.y), "Another collaborative's")
    for who in (world.panel_x, world.coordinator_x):
        for page in ("", "/print"):
            text = panel_text(client_for(who), world, page)
            section = text.split("Open actions from panel reviews", 1)[1].split("At a glance", 1)[0]
            assert (
                "4 actions agreed at panel meetings are not done yet, 2 of them overdue" in section
            )
            order = [
                section.index(name)
                for name in ("Long overdue", "Just overdue", "Due today", "Due later")
            ]
            assert order == sorted(order)
            assert section.count("Overdue") == 2  # the tags of the two overdue
            assert "Done late" not in section and "Another collaborative" not in section
            assert "The review of 3 March 2026" in section
            # At the top: before the figures at a glance.
            assert text.index("Open actions from panel reviews") < text.index("At a glance")


def test_an_overdue_action_is_marked_on_its_reviews_page(world, client_for):
    review = add_review(world, date(2026, 3, 3))
    late = add_action(review, "Late one", due_on=YESTERDAY)
    on_time = add_action(review, "On time", due_on=TODAY)
    html = client_for(world.panel_x).get(review_url(review)).get_data(as_text=True)

    def status_of(action: PanelAction) -> str:
        start = html.index(f'data-action-status="{action.id}">')
        return " ".join(text_of_html(html[start : html.index("</dd>", start)]).split())

    assert status_of(late) == "Not started Overdue"
    assert status_of(on_time) == "Not started"


def text_of_html(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html.split(">", 1)[1])


def test_the_panel_says_what_to_do_when_no_action_is_open(world, client_for):
    text = panel_text(client_for(world.panel_x), world)
    assert "No open actions" in text
    assert "go to the panel reviews" in text
    printed = panel_text(client_for(world.panel_x), world, "/print")
    assert "No open actions" in printed and "go to the panel reviews" not in printed


def test_the_panel_page_makes_the_same_number_of_queries_for_1_or_20_actions(world, client_for):
    review = add_review(world, YESTERDAY)
    add_action(review)
    client = client_for(world.panel_x)
    page = f"/collaboratives/{world.x.id}/panel"
    client.get(page)
    with counting_queries() as one:
        assert client.get(page).status_code == 200
    for number in range(19):
        add_action(add_review(world, YESTERDAY) if number % 5 == 0 else review, f"Action {number}")
    with counting_queries() as twenty:
        assert "20 actions agreed" in text_of(client.get(page))
    assert len(twenty) == len(one)


def test_every_input_of_the_review_and_action_forms_has_a_hint(world, client_for):
    from tests.test_form_hints import inputs_without_hints

    review = add_review(world, YESTERDAY, is_held=False)
    action = add_action(review)
    client = client_for(world.panel_x)
    for page in (
        f"/collaboratives/{world.x.id}/panel/reviews",
        review_url(review),
        review_url(review, "/edit"),
        action_url(action),
    ):
        html = client.get(page).get_data(as_text=True)
        assert inputs_without_hints(html) == [], page


def test_a_reviews_page_makes_the_same_number_of_queries_for_1_or_12_actions(world, client_for):
    march = add_review(world, date(2026, 3, 3))
    june = add_review(world, date(2026, 6, 1), is_held=False)
    add_action(march)
    add_action(june)
    client = client_for(world.panel_x)
    page = review_url(june)  # outside the counts: the test's own objects expire as it adds
    client.get(page)
    with counting_queries() as few:
        assert client.get(page).status_code == 200
    for number in range(5):
        add_action(march, f"Earlier {number}")
        add_action(june, f"Now {number}")
    with counting_queries() as many:
        text = text_of(client.get(page))
    assert text.count("Carried over from the review of 3 March 2026") == 6
    assert len(many) == len(few)
