"""Panel reviews: the list with what has happened since each, recording a dated review (held
or still going on), its own page, marking it held, changing it (with its history) and deleting
it. The actions agreed at a review are tested in test_actions.py.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditAction,
    AuditEvent,
    DataPoint,
    Decision,
    Measure,
    PanelReview,
    Stage,
    Team,
)
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE, text_of, version_of
from tests.cycles.factories import make_aim, make_cycle, make_idea
from tests.teams.test_team_page import counting_queries

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)

GET_STATUSES = {
    "admin": 200,
    "coordinator_x": 200,
    "coordinator_y": 404,
    "panel_x": 200,
    "lead_a": 403,
    "member_a": 403,
    "expert_a": 403,
    "member_b": 403,
    "member_c": 404,
    "nobody": 404,
}
POST_STATUSES = {who: 303 if status == 200 else status for who, status in GET_STATUSES.items()}


def url(collaborative) -> str:
    return f"/collaboratives/{collaborative.id}/panel/reviews"


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def review_form(day: date = YESTERDAY, **fields) -> dict:
    values = {
        "reviewed_on": parts(day),
        "is_held": "yes",
        "decisions": "Spread the night-time checklist to every home",
        "organisational_changes": "Fund a second night worker",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def reviews() -> list[PanelReview]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PanelReview).order_by(PanelReview.id)))


def add_review(world, day: date, decisions: str = "Keep going", who=None, **fields) -> PanelReview:
    review = PanelReview(
        collaborative_id=world.x.id,
        reviewed_on=day,
        decisions=decisions,
        recorded_by_id=(who or world.panel_x).id,
        **fields,
    )
    db.session.add(review)
    db.session.commit()
    return review


# Who may read and record -------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_read_the_reviews(world, client_for, who):
    add_review(world, YESTERDAY, "Spread the huddle")
    response = client_for(getattr(world, who)).get(url(world.x))
    assert response.status_code == GET_STATUSES[who]
    if response.status_code == 200:
        assert "Spread the huddle" in text_of(response)


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_record_a_review(world, client_for, who):
    response = client_for(getattr(world, who)).post(url(world.x), data=review_form())
    assert response.status_code == POST_STATUSES[who]
    saved = reviews()
    if response.status_code == 303:
        [review] = saved
        # On to the new review's page, where its actions are added.
        assert response.headers["Location"].endswith(f"{url(world.x)}/{review.id}")
        assert review.collaborative_id == world.x.id
        assert review.recorded_by_id == getattr(world, who).id
    else:
        assert saved == []


def test_only_the_panel_and_the_coordinator_see_the_form(world, client_for):
    assert "Record a panel review" in text_of(client_for(world.panel_x).get(url(world.x)))
    assert "Record a panel review" in text_of(client_for(world.coordinator_x).get(url(world.x)))


# Recording ---------------------------------------------------------------------------------------


def test_a_review_is_saved_with_its_date_texts_and_an_audit_row(world, client_for):
    client = client_for(world.panel_x)
    response = client.post(url(world.x), data=review_form(date(2026, 3, 10)))
    assert response.status_code == 303
    [review] = reviews()
    assert review.reviewed_on == date(2026, 3, 10)
    assert review.decisions == "Spread the night-time checklist to every home"
    assert review.organisational_changes == "Fund a second night worker"
    assert review.is_held is True
    assert review.actions == ""  # the free-text question is gone: actions are rows now
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "PanelReview")
    ).all()
    assert event.action == AuditAction.CREATE
    assert (event.entity_id, event.actor_id) == (review.id, world.panel_x.id)
    assert event.collaborative_id == world.x.id
    assert event.after["reviewed_on"] == "2026-03-10"
    assert event.after["is_held"] is True
    page = text_of(client.get(response.headers["Location"]))
    assert "Review of 10 March 2026 saved. Add the actions the panel agreed below." in page
    assert "Recorded by Panel X" in page
    assert "Meeting held" in page


def test_todays_date_is_accepted(world, client_for):
    response = client_for(world.panel_x).post(url(world.x), data=review_form(TODAY))
    assert response.status_code == 303
    assert [r.reviewed_on for r in reviews()] == [TODAY]


def test_one_text_is_enough(world, client_for):
    form = review_form(decisions="", organisational_changes="Train night staff")
    assert client_for(world.panel_x).post(url(world.x), data=form).status_code == 303
    assert reviews()[0].organisational_changes == "Train night staff"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reviewed_on": None}, "Enter the date of the panel meeting"),
        ({"reviewed_on": ["", "", ""]}, "Enter the date of the panel meeting"),
        ({"reviewed_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"reviewed_on": ["1", "1", "26"]}, "must have a 4-digit year"),
        ({"reviewed_on": ["x", "y", "z"]}, "must be a real date"),
        ({"reviewed_on": parts(TODAY + timedelta(days=1))}, "cannot be in the future"),
        (
            {"decisions": " ", "organisational_changes": None},
            "A meeting that has finished needs at least one decision, action or change",
        ),
        ({"decisions": "x" * 5001}, "The panel’s decisions must be 5,000 characters or fewer"),
        (
            {"organisational_changes": "x" * 5001},
            "The organisational changes must be 5,000 characters or fewer",
        ),
        ({"organisational_changes": "bad\x00text"}, "contains characters that cannot be saved"),
        ({"is_held": None}, "Say whether the meeting has finished"),
        ({"is_held": "maybe"}, "Choose yes or no"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, client_for, fields, message):
    response = client_for(world.coordinator_x).post(url(world.x), data=review_form(**fields))
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    assert reviews() == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "PanelReview")
        )
        == 0
    )


def test_a_review_of_another_collaborative_cannot_be_recorded(world, client_for):
    response = client_for(world.panel_x).post(url(world.y), data=review_form())
    assert response.status_code == 404
    assert reviews() == []


# The list ----------------------------------------------------------------------------------------


def test_reviews_are_listed_newest_first(world, client_for):
    add_review(world, date(2026, 2, 1), "February decisions")
    add_review(world, date(2026, 6, 1), "June decisions")
    add_review(world, date(2026, 4, 1), "April decisions")
    text = text_of(client_for(world.panel_x).get(url(world.x)))
    assert text.index("June decisions") < text.index("April decisions")
    assert text.index("April decisions") < text.index("February decisions")
    assert "Review of 1 June 2026 (the latest)" in text


def test_another_collaboratives_reviews_are_not_listed(world, client_for):
    db.session.add(PanelReview(collaborative_id=world.y.id, reviewed_on=YESTERDAY, decisions="Y"))
    db.session.commit()
    text = text_of(client_for(world.panel_x).get(url(world.x)))
    assert "The panel has not recorded a review yet." in text


def shared_measure(world) -> Measure:
    measure = Measure(
        collaborative_id=world.x.id,
        team_id=None,
        name="Falls a month",
        measure_type="outcome",
        value_kind="continuous",
        direction="decrease",
        frequency="monthly",
        chart_type="i",
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def add_signals(measure: Measure, team: Team) -> None:
    """Six months at 5 then seven at 1 on a chart where lower is better: every point is beyond
    a limit, the six 5s for the worse (Jan-Jun 2025), the seven 1s for the better (Jul 2025 to
    Jan 2026)."""
    for index, value in enumerate([5] * 6 + [1] * 7):
        db.session.add(
            DataPoint(
                measure_id=measure.id, team_id=team.id, period_start=month(index), value=value
            )
        )
    db.session.commit()


def decide(world, team: Team, decision: Decision, day: date, title: str = "Huddle") -> None:
    idea = make_idea(make_aim(team, title=f"Aim {title}"), f"Idea {title}")
    make_cycle(
        idea,
        title=title,
        stage=Stage.CLOSED,
        decision=decision,
        starts_on=day - timedelta(days=10),
        ends_on=day - timedelta(days=3),
        closed_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
    )


def since_text(response, review: PanelReview) -> str:
    html = response.get_data(as_text=True)
    start = html.index(f'data-since="{review.id}">') + len(f'data-since="{review.id}">')
    return " ".join(html[start : html.index("</dd>", start)].split())


def test_each_review_says_what_has_happened_since(world, client_for):
    add_signals(shared_measure(world), world.team_a)
    decide(world, world.team_a, Decision.ADOPT, date(2025, 8, 20), "First")
    decide(world, world.team_b, Decision.ABANDON, date(2025, 3, 5), "Second")
    decide(world, world.team_b, Decision.ADOPT, date(2025, 7, 1), "Third")
    # Another collaborative's cycle never counts.
    decide(world, world.team_c, Decision.ADOPT, date(2025, 9, 1), "Elsewhere")
    early = add_review(world, date(2025, 1, 1))
    middle = add_review(world, date(2025, 7, 1))
    late = add_review(world, date(2026, 2, 1))
    response = client_for(world.panel_x).get(url(world.x))
    assert since_text(response, early) == (
        # One signal is one episode (a run of points), not one per point.
        "2 signals on the shared measures (1 real improvement, 1 change for the worse). "
        "3 tests of change decided (2 adopted, 1 abandoned)."
    )
    assert since_text(response, middle) == (
        "1 signal on the shared measures (1 real improvement). "
        "2 tests of change decided (2 adopted)."
    )
    assert since_text(response, late) == (
        "No signals on the shared measures. No tests of change decided."
    )


def test_a_teams_own_measure_is_not_counted_as_a_shared_signal(world, client_for):
    measure = shared_measure(world)
    measure.team_id = world.team_a.id
    db.session.commit()
    add_signals(measure, world.team_a)
    review = add_review(world, date(2025, 1, 1))
    response = client_for(world.panel_x).get(url(world.x))
    assert since_text(response, review).startswith("No signals on the shared measures.")


def test_the_page_makes_the_same_number_of_queries_for_2_or_6_teams(world, client_for, make_team):
    measure = shared_measure(world)
    client = client_for(world.coordinator_x)
    page = url(world.x)  # outside the counts: the test's own objects expire as it adds teams
    for team in (world.team_a, world.team_b):
        add_signals(measure, team)
        decide(world, team, Decision.ADAPT, date(2025, 8, 1), team.name)
    add_review(world, date(2025, 1, 1))
    add_review(world, date(2025, 7, 1))
    client.get(page)  # warm up: the first request loads more than the page needs
    with counting_queries() as two_teams:
        assert client.get(page).status_code == 200
    for number in range(4):
        team = make_team(world.x, name=f"Extra {number}")
        add_signals(measure, team)
        decide(world, team, Decision.ADOPT, date(2025, 9, 1), team.name)
    add_review(world, date(2025, 10, 1))
    with counting_queries() as six_teams:
        response = client.get(page)
    assert "6 tests of change decided" in text_of(response)
    assert len(six_teams) == len(two_teams)


# htmx --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_htmx_asks_for_the_reviews_section_alone(world, client_for, headers, fragment):
    response = client_for(world.panel_x).get(url(world.x), headers=headers)
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith('<section id="panel-reviews"') is fragment
    assert ("<html" in html) is not fragment


def test_recording_with_htmx_returns_the_section_with_the_new_review(world, client_for):
    client = client_for(world.panel_x)
    response = client.post(url(world.x), data=review_form(), headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="panel-reviews"') and "<html" not in html
    assert "Spread the night-time checklist to every home" in text_of(response)
    assert "saved." in text_of(response)
    assert len(reviews()) == 1


def test_a_mistake_with_htmx_returns_the_section_with_the_message(world, client_for):
    response = client_for(world.panel_x).post(
        url(world.x), data=review_form(reviewed_on=["31", "2", "2026"]), headers=HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True).strip()
    assert html.startswith('<section id="panel-reviews"')
    assert "must be a real date" in text_of(response)
    assert reviews() == []


# Held or not yet ---------------------------------------------------------------------------------


def review_url(review: PanelReview, page: str = "") -> str:
    return f"/collaboratives/{review.collaborative_id}/panel/reviews/{review.id}{page}"


def panel_says(client, world) -> str:
    text = text_of(client.get(f"/collaboratives/{world.x.id}/panel"))
    return text.split("The panel ", 1)[1].split(".", 1)[0]


def panel_rows() -> list[AuditEvent]:
    """The audit rows of reviews and actions (signing in writes rows too)."""
    db.session.expire_all()
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type.in_(("PanelReview", "PanelAction")))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def fresh(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def test_a_meeting_still_going_on_may_be_saved_with_nothing_written(world, client_for):
    form = review_form(TODAY, is_held="no", decisions="", organisational_changes="")
    response = client_for(world.panel_x).post(url(world.x), data=form)
    assert response.status_code == 303
    [review] = reviews()
    assert (review.is_held, review.decisions) == (False, "")


def test_the_since_date_moves_only_when_the_meeting_is_marked_held(world, client_for):
    client = client_for(world.coordinator_x)
    add_review(world, date(2026, 1, 15), "January")
    assert panel_says(client, world) == "last met on 15 January 2026"

    # Recorded as the meeting starts: the panel page still counts from January.
    form = review_form(TODAY, is_held="no", decisions="", organisational_changes="")
    client.post(url(world.x), data=form)
    [_, started] = reviews()
    assert panel_says(client, world) == "last met on 15 January 2026"
    listing = client.get(url(world.x))
    assert since_text(listing, started) == "The meeting has not been marked as held yet."
    assert "Not marked as held yet" in text_of(listing)
    page = text_of(client.get(review_url(started)))
    assert "keep counting from the meeting of 15 January 2026" in page
    assert "Mark the meeting as held" in page

    response = client.post(review_url(started, "/held"), data=version_of(started))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(review_url(started))
    assert fresh(started).is_held is True
    page = text_of(client.get(review_url(started)))
    assert "is marked as held. The panel summary now counts what has happened since it." in page
    assert "Mark the meeting as held" not in page
    assert panel_says(client, world) == f"last met on {TODAY.day} {TODAY:%B %Y}"
    assert since_text(client.get(url(world.x)), started).startswith("No signals")


def test_marking_held_is_audited(world, client_for):
    review = add_review(world, YESTERDAY, is_held=False)
    client_for(world.panel_x).post(review_url(review, "/held"), data=version_of(review))
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "PanelReview")
    ).all()
    assert event.action == AuditAction.UPDATE
    assert (event.before, event.after) == ({"is_held": False}, {"is_held": True})
    assert (event.actor_id, event.collaborative_id) == (world.panel_x.id, world.x.id)


def test_marking_held_from_a_page_someone_changed_since_is_refused(world, client_for):
    review = add_review(world, YESTERDAY, is_held=False)
    shown = version_of(review)
    review.decisions = "Changed by someone else"
    db.session.commit()
    response = client_for(world.panel_x).post(review_url(review, "/held"), data=shown)
    assert response.status_code == 409
    assert "Someone else changed this review while you were reading it" in text_of(response)
    assert "Changed by someone else" in text_of(response)
    assert fresh(review).is_held is False


def test_marking_held_without_the_version_is_refused(world, client_for):
    review = add_review(world, YESTERDAY, is_held=False)
    response = client_for(world.panel_x).post(review_url(review, "/held"), data={})
    assert response.status_code == 400
    assert fresh(review).is_held is False


def test_marking_a_held_meeting_held_again_changes_nothing(world, client_for):
    review = add_review(world, YESTERDAY)
    response = client_for(world.panel_x).post(review_url(review, "/held"), data=version_of(review))
    assert response.status_code == 303
    assert panel_rows() == []


# A review's page ---------------------------------------------------------------------------------


def test_a_reviews_page_shows_its_texts_and_links(world, client_for):
    review = add_review(world, date(2026, 3, 3), "Spread huddles", organisational_changes="Fund")
    page = text_of(client_for(world.panel_x).get(review_url(review)))
    assert "Panel review of 3 March 2026" in page
    assert "Spread huddles" in page and "Fund" in page
    assert "Change this review" in page and "Delete this review" in page
    assert "History of this review" in page
    assert "written before actions had owners" not in page  # no old free text to show
    assert "No actions have been recorded for this review yet." in page


def test_old_free_text_actions_stay_readable(world, client_for):
    review = add_review(world, date(2025, 5, 1), actions="Sam to share the checklist")
    client = client_for(world.panel_x)
    for page in (review_url(review), url(world.x), review_url(review, "/edit")):
        text = text_of(client.get(page))
        assert "Actions (written before actions had owners) Sam to share the checklist" in text


@pytest.mark.parametrize("page", ["", "/edit", "/delete", "/history"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("panel_x", 200), ("coordinator_x", 200), ("lead_a", 403), ("member_a", 403), ("nobody", 404)],
)
def test_who_may_open_a_reviews_pages(world, client_for, page, who, status):
    review = add_review(world, YESTERDAY)
    assert client_for(getattr(world, who)).get(review_url(review, page)).status_code == status


@pytest.mark.parametrize("page", ["", "/edit", "/delete", "/history"])
def test_another_collaboratives_review_is_not_found(world, client_for, page):
    theirs = PanelReview(collaborative_id=world.y.id, reviewed_on=YESTERDAY, decisions="Y")
    db.session.add(theirs)
    db.session.commit()
    client = client_for(world.panel_x)
    # Through X's address (X's panel member) and through Y's own (not theirs to see).
    assert client.get(f"{url(world.x)}/{theirs.id}{page}").status_code == 404
    assert client.get(f"{url(world.y)}/{theirs.id}{page}").status_code == 404
    assert client.get(f"{url(world.x)}/not-a-number{page}").status_code == 404


def test_another_collaboratives_review_cannot_be_changed(world, client_for):
    theirs = PanelReview(collaborative_id=world.y.id, reviewed_on=YESTERDAY, is_held=False)
    db.session.add(theirs)
    db.session.commit()
    client = client_for(world.panel_x)
    base = f"{url(world.x)}/{theirs.id}"
    shown = version_of(theirs)
    assert client.post(f"{base}/held", data=shown).status_code == 404
    assert client.post(f"{base}/edit", data={**review_form(), **shown}).status_code == 404
    assert client.post(f"{base}/delete", data=shown).status_code == 404
    assert fresh(theirs).is_held is False


@pytest.mark.parametrize("who", ["lead_a", "member_a"])
def test_the_teams_cannot_change_a_review(world, client_for, who):
    review = add_review(world, YESTERDAY, is_held=False)
    client = client_for(getattr(world, who))
    shown = version_of(review)
    assert client.post(review_url(review, "/held"), data=shown).status_code == 403
    assert (
        client.post(review_url(review, "/edit"), data={**review_form(), **shown}).status_code == 403
    )
    assert client.post(review_url(review, "/delete"), data=shown).status_code == 403
    assert fresh(review) is not None and fresh(review).is_held is False


# Changing a review, and its history ---------------------------------------------------------------


def test_the_edit_form_is_filled_in_with_the_review(world, client_for):
    review = add_review(world, date(2026, 3, 3), "Spread huddles", is_held=False)
    html = client_for(world.panel_x).get(review_url(review, "/edit")).get_data(as_text=True)
    assert "Spread huddles</textarea>" in html
    assert re.findall(
        r'id="reviewed_on-\w+" name="reviewed_on" type="text" value="(\d+)"', html
    ) == [
        "03",
        "03",
        "2026",
    ]
    assert 'value="no" checked' in html
    assert f'name="version" type="hidden" value="{review.version}"' in html


def test_a_change_is_saved_audited_and_shown_in_the_history(world, client_for):
    review = add_review(world, date(2026, 3, 3), "Spread huddles", is_held=False)
    client = client_for(world.panel_x)
    form = review_form(date(2026, 3, 4), decisions="Spread huddles to all homes", is_held="yes")
    response = client.post(review_url(review, "/edit"), data={**form, **version_of(review)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(review_url(review))
    saved = fresh(review)
    assert (saved.reviewed_on, saved.decisions, saved.is_held) == (
        date(2026, 3, 4),
        "Spread huddles to all homes",
        True,
    )
    [event] = panel_rows()
    assert event.action == AuditAction.UPDATE
    assert event.before["decisions"] == "Spread huddles"
    history = text_of(client.get(review_url(review, "/history")))
    assert "Panel X changed this review" in history
    assert "Decisions Spread huddles Spread huddles to all homes" in history
    assert "Meeting held No Yes" in history
    assert "Date of review 3 March 2026 4 March 2026" in history


def test_a_review_saved_with_no_change_writes_no_history(world, client_for):
    review = add_review(world, YESTERDAY, "Keep going")
    form = review_form(YESTERDAY, decisions="Keep going", organisational_changes="")
    response = client_for(world.panel_x).post(
        review_url(review, "/edit"), data={**form, **version_of(review)}
    )
    assert response.status_code == 303
    assert panel_rows() == []


def test_a_stale_edit_is_refused_and_shows_the_newer_text(world, client_for):
    review = add_review(world, YESTERDAY, "First words")
    client = client_for(world.panel_x)
    shown = version_of(review)
    review.decisions = "Newer words from someone else"
    db.session.commit()
    form = review_form(YESTERDAY, decisions="My words")
    response = client.post(review_url(review, "/edit"), data={**form, **shown})
    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else changed this review while you were editing" in text
    assert "Their saved version" in text and "Newer words from someone else" in text
    assert "My words" in text  # still in the form, to save again on purpose
    assert fresh(review).decisions == "Newer words from someone else"
    assert panel_rows() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reviewed_on": ["30", "2", "2026"]}, "must be a real date"),
        ({"reviewed_on": parts(TODAY + timedelta(days=1))}, "cannot be in the future"),
        ({"is_held": "yes", "decisions": "", "organisational_changes": ""}, "needs at least one"),
    ],
)
def test_a_bad_edit_is_refused_with_a_message(world, client_for, fields, message):
    review = add_review(world, YESTERDAY, "Keep going")
    form = {**review_form(YESTERDAY, **fields), **version_of(review)}
    response = client_for(world.panel_x).post(review_url(review, "/edit"), data=form)
    assert response.status_code == 422
    assert message in text_of(response)
    assert fresh(review).decisions == "Keep going"


def test_a_held_review_with_actions_may_have_no_text(world, client_for):
    from improve.models import PanelAction

    review = add_review(world, YESTERDAY, "Keep going")
    db.session.add(
        PanelAction(
            collaborative_id=world.x.id,
            review_id=review.id,
            description="Share the checklist",
            owner="Sam",
            due_on=TODAY,
        )
    )
    db.session.commit()
    form = {**review_form(YESTERDAY, decisions="", organisational_changes=""), **version_of(review)}
    response = client_for(world.panel_x).post(review_url(review, "/edit"), data=form)
    assert response.status_code == 303
    assert fresh(review).decisions == ""


# Deleting a review --------------------------------------------------------------------------------


def test_deleting_asks_first_naming_the_actions_that_go_with_it(world, client_for):
    from improve.models import PanelAction

    review = add_review(world, date(2026, 3, 3), "Spread huddles")
    page_url = review_url(review)
    for description in ("Share the checklist", "Fund a night worker"):
        db.session.add(
            PanelAction(
                collaborative_id=world.x.id,
                review_id=review.id,
                description=description,
                owner="Sam",
                due_on=TODAY,
            )
        )
    db.session.commit()
    client = client_for(world.coordinator_x)
    page = text_of(client.get(review_url(review, "/delete")))
    assert "Delete the panel review of 3 March 2026?" in page
    assert "Its 2 actions will be deleted with it, 2 of them not done yet." in page
    assert "Share the checklist" in page and "Fund a night worker" in page
    assert reviews() != []

    response = client.post(review_url(review, "/delete"), data=version_of(review))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(world.x))
    assert reviews() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PanelAction)) == 0
    rows = panel_rows()
    assert [(row.action, row.entity_type) for row in rows] == [
        (AuditAction.DELETE, "PanelAction"),
        (AuditAction.DELETE, "PanelAction"),
        (AuditAction.DELETE, "PanelReview"),
    ]
    assert rows[-1].before["decisions"] == "Spread huddles"
    listing = text_of(client.get(url(world.x)))
    assert "The review of 3 March 2026 has been deleted, with its 2 actions." in listing
    assert client.get(page_url).status_code == 404


def test_deleting_a_review_someone_changed_since_is_refused(world, client_for):
    review = add_review(world, YESTERDAY, "First words")
    shown = version_of(review)
    review.decisions = "Newer words"
    db.session.commit()
    response = client_for(world.panel_x).post(review_url(review, "/delete"), data=shown)
    assert response.status_code == 409
    assert "Newer words" in text_of(response)
    assert len(reviews()) == 1


def test_deleting_without_the_version_is_refused(world, client_for):
    review = add_review(world, YESTERDAY)
    response = client_for(world.panel_x).post(review_url(review, "/delete"), data={})
    assert response.status_code == 400
    assert len(reviews()) == 1
