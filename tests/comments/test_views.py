"""Comments on aims and cycles: adding, editing and deleting your own, each in the audit log.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
Aims and cycles are made directly with the models (tests/comments/records.py).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, Comment
from tests.comments.records import make_aim, make_cycle
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, PEOPLE, text_of, version_of

HINT = "Do not include names or personal details of people who draw on care."


@pytest.fixture
def records(world):
    """An aim and a cycle in each team."""
    aims = {key: make_aim(getattr(world, f"team_{key}")) for key in "abc"}
    cycles = {key: make_cycle(aim) for key, aim in aims.items()}
    return {"aim": aims, "cycle": cycles}


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def assert_thread_fragment(response) -> None:
    assert body(response).startswith('<section id="comments"'), body(response)[:200]
    assert body(response).endswith("</section>")
    assert "<html" not in body(response)


def comments() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def audit(action: AuditAction | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == "Comment")
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def add_url(kind: str, record) -> str:
    return f"/{kind}s/{record.id}/comments"


def page_url(kind: str, record) -> str:
    return f"/{kind}s/{record.id}#comments"


def write(author, record, text: str = "Night checks went well", **extra) -> Comment:
    """A comment written straight into the database, as if added earlier."""
    key = "aim_id" if type(record).__name__ == "Aim" else "cycle_id"
    fields = {"team_id": record.team_id, key: record.id, "author_id": author.id, "body": text}
    fields.update(extra)
    comment = Comment(**fields)
    db.session.add(comment)
    db.session.commit()
    return comment


def edit_form(comment: Comment, text: str, version: int | str | None = None) -> dict[str, str]:
    form = {"comment-edit-body": text}
    if version != "":
        form["comment-edit-version"] = str(comment.version if version is None else version)
    return form


# Adding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["aim", "cycle"])
def test_who_may_comment(world, records, client_for, kind):
    record = records[kind]["a"]
    statuses = {
        role: client_for(getattr(world, role))
        .post(add_url(kind, record), data={"comment-body": f"From {role}"})
        .status_code
        for role in PEOPLE
    }
    assert statuses == {
        "admin": 303,
        "coordinator_x": 303,
        "coordinator_y": 404,
        "panel_x": 403,
        "lead_a": 303,
        "member_a": 303,
        "expert_a": 303,
        "member_b": 404,
        "member_c": 404,
        "nobody": 404,
    }
    assert sorted(c.body for c in comments()) == [
        "From admin",
        "From coordinator_x",
        "From expert_a",
        "From lead_a",
        "From member_a",
    ]


@pytest.mark.parametrize("kind", ["aim", "cycle"])
def test_a_comment_without_javascript_goes_back_to_the_page(world, records, sign_in, kind):
    record = records[kind]["a"]
    response = sign_in(world.expert_a).post(
        add_url(kind, record), data={"comment-body": "  This mattered to me.  "}
    )

    assert response.status_code == 303
    # An expert by experience reads a cycle in plain words, and comes back there (issue 17).
    expected = page_url(kind, record)
    if kind == "cycle":
        expected = expected.replace("#comments", "/plain-words#comments")
    assert response.headers["Location"] == expected
    [comment] = comments()
    assert (comment.body, comment.author_id, comment.team_id) == (
        "This mattered to me.",
        world.expert_a.id,
        world.team_a.id,
    )
    assert (comment.aim_id, comment.cycle_id) == (
        (record.id, None) if kind == "aim" else (None, record.id)
    )
    [event] = audit()
    assert (event.action, event.entity_id, event.actor_id) == (
        AuditAction.CREATE,
        comment.id,
        world.expert_a.id,
    )
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert (event.before, event.after) == (None, {"body": "This mattered to me."})


def test_a_comment_with_htmx_returns_the_thread(world, records, sign_in):
    aim = records["aim"]["a"]
    write(world.lead_a, aim, "An older comment", created_at=datetime.now(UTC) - timedelta(hours=3))
    response = sign_in(world.member_a).post(
        add_url("aim", aim), data={"comment-body": "A newer comment"}, headers=HTMX
    )

    assert response.status_code == 200
    assert_thread_fragment(response)
    text = visible(response)
    assert "Your comment was added." in text
    # Newest first, each with its author and when.
    assert text.index("Member A · just now") < text.index("A newer comment")
    assert text.index("A newer comment") < text.index("Lead A · 3 hours ago")
    assert text.index("Lead A · 3 hours ago") < text.index("An older comment")
    assert len(comments()) == 2


@pytest.mark.parametrize("headers", [BOOSTED, HISTORY_RESTORE], ids=["boosted", "history"])
def test_a_boosted_comment_gets_a_full_redirect(world, records, sign_in, headers):
    aim = records["aim"]["a"]
    response = sign_in(world.member_a).post(
        add_url("aim", aim), data={"comment-body": "Boosted"}, headers=headers
    )
    assert response.status_code == 303
    assert response.headers["Location"] == page_url("aim", aim)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your comment"),
        ("   \n  ", "Enter your comment"),
        ("x" * 5001, "Add a comment must be 5000 characters or fewer"),
        ("Fine\x00", "Add a comment contains characters that cannot be saved"),
    ],
    ids=["empty", "spaces", "too-long", "nul"],
)
def test_an_invalid_comment_is_refused(world, records, sign_in, text, message, htmx):
    aim = records["aim"]["a"]
    response = sign_in(world.member_a).post(
        add_url("aim", aim), data={"comment-body": text}, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    assert "There is a problem" in visible(response)
    if htmx:
        assert_thread_fragment(response)
    else:
        assert "<html" in body(response) and "Add a comment" in visible(response)
    assert comments() == [] and audit() == []


def test_a_post_without_the_field_is_refused_not_crashed(world, records, sign_in):
    response = sign_in(world.member_a).post(add_url("cycle", records["cycle"]["a"]), data={})
    assert response.status_code == 422
    assert "Enter your comment" in visible(response)


def test_5000_characters_is_allowed(world, records, sign_in):
    response = sign_in(world.member_a).post(
        add_url("aim", records["aim"]["a"]), data={"comment-body": "x" * 5000}
    )
    assert response.status_code == 303
    assert len(comments()[0].body) == 5000


@pytest.mark.parametrize("path", ["/aims/99999/comments", "/cycles/99999/comments"])
def test_unknown_records_are_not_found(world, records, sign_in, path):
    assert sign_in(world.admin).post(path, data={"comment-body": "Hi"}).status_code == 404


@pytest.mark.parametrize("kind", ["aim", "cycle"])
@pytest.mark.parametrize("team", ["b", "c"], ids=["same-collaborative", "other-collaborative"])
def test_another_teams_records_are_not_found(world, records, sign_in, kind, team):
    record = records[kind][team]
    response = sign_in(world.lead_a).post(add_url(kind, record), data={"comment-body": "Hi"})
    assert response.status_code == 404
    assert comments() == []


def test_a_comment_is_escaped(world, records, sign_in):
    aim = records["aim"]["a"]
    response = sign_in(world.member_a).post(
        add_url("aim", aim), data={"comment-body": "<script>alert(1)</script>"}, headers=HTMX
    )
    assert "<script>" not in body(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(response)


# The thread as the aim and cycle pages show it ---------------------------------------------------


@pytest.fixture
def thread(app):
    """The thread partial as an aim or cycle page includes it, for the signed-in person."""
    from flask import render_template_string
    from flask_login import login_user

    from improve.comments.queries import thread_context

    def render(user, **target) -> str:
        with app.test_request_context("/"):
            login_user(user)
            page = render_template_string(
                '{% include "comments/_thread.html" %}', **thread_context(**target)
            )
        return html.unescape(" ".join(page.split()))

    return render


def test_the_thread_shows_newest_first_with_author_and_time(world, records, thread):
    aim = records["aim"]["a"]
    now = datetime.now(UTC)
    write(world.lead_a, aim, "First", created_at=now - timedelta(days=2))
    write(world.expert_a, aim, "Second", created_at=now - timedelta(minutes=5))
    page = thread(world.member_a, aim=aim)

    assert page.index("Second") < page.index("First")
    assert "Expert A</strong> · 5 minutes ago" in page
    assert "Lead A</strong> · 2 days ago" in page
    exact = (now - timedelta(days=2)).astimezone(UTC)
    assert f'<time datetime="{exact.isoformat(timespec="seconds")}">' in page
    assert f"{exact.strftime('%-d %B %Y at %H:%M')} UTC</time>" in page


def test_a_thread_with_no_comments_says_so(world, records, thread):
    assert "No comments yet." in thread(world.member_a, cycle=records["cycle"]["a"])


def test_deleted_and_edited_comments_are_marked(world, records, thread):
    cycle = records["cycle"]["a"]
    now = datetime.now(UTC)
    write(world.lead_a, cycle, "Gone now", deleted_at=now)
    edited = write(world.lead_a, cycle, "Second thoughts", edited_at=now)
    page = thread(world.member_a, cycle=cycle)

    assert "Comment deleted" in page and "Gone now" not in page
    assert "Second thoughts" in page
    assert f'href="/history/Comment/{edited.id}">edited' in page


@pytest.mark.parametrize("role", ["lead_a", "member_a", "expert_a", "coordinator_x", "admin"])
def test_those_who_may_comment_see_the_form_with_its_hint(world, records, thread, role):
    aim = records["aim"]["a"]
    page = thread(getattr(world, role), aim=aim)
    assert f'action="/aims/{aim.id}/comments"' in page
    assert HINT in page


def test_a_panel_member_reads_but_has_no_form(world, records, thread):
    aim = records["aim"]["a"]
    write(world.lead_a, aim, "Visible to the panel")
    page = thread(world.panel_x, aim=aim)
    assert "Visible to the panel" in page
    assert "<form" not in page and "Edit" not in page


def test_only_your_own_comments_have_edit_and_delete(world, records, thread):
    aim = records["aim"]["a"]
    mine = write(world.member_a, aim, "Mine")
    theirs = write(world.lead_a, aim, "Theirs")
    gone = write(world.member_a, aim, "Deleted", deleted_at=datetime.now(UTC))
    page = thread(world.member_a, aim=aim)
    assert f"/comments/{mine.id}/edit" in page and f"/comments/{mine.id}/delete" in page
    assert f"/comments/{theirs.id}/" not in page
    assert f"/comments/{gone.id}/" not in page
    admin_page = thread(world.admin, aim=aim)
    assert f"/comments/{theirs.id}/edit" in admin_page
    assert f"/comments/{gone.id}/" not in admin_page


# Editing -----------------------------------------------------------------------------------------


@pytest.fixture
def own(world, records):
    """Member A's comment on team A's aim."""
    return write(world.member_a, records["aim"]["a"], "Before the change")


def test_the_edit_page_opens_with_the_comment(world, own, sign_in):
    response = sign_in(world.member_a).get(f"/comments/{own.id}/edit")
    assert response.status_code == 200
    assert "<html" in body(response)
    assert "Edit your comment" in visible(response)
    assert ">Before the change</textarea>" in body(response)
    assert f'name="comment-edit-version" type="hidden" value="{own.version}"' in body(response)
    assert f'href="/aims/{own.aim_id}#comments"' in body(response)  # cancel


def test_with_htmx_the_edit_form_opens_inside_the_thread(world, own, sign_in):
    response = sign_in(world.member_a).get(f"/comments/{own.id}/edit", headers=HTMX)
    assert response.status_code == 200
    assert_thread_fragment(response)
    assert f'hx-post="/comments/{own.id}/edit"' in body(response)
    assert ">Before the change</textarea>" in body(response)


def test_an_edit_without_javascript_is_saved_and_audited(world, own, sign_in):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, "After the change")
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{own.aim_id}#comments"
    [comment] = comments()
    assert comment.body == "After the change"
    assert comment.edited_at is not None
    [event] = audit(AuditAction.UPDATE)
    assert (event.entity_id, event.actor_id) == (comment.id, world.member_a.id)
    assert (event.team_id, event.collaborative_id) == (world.team_a.id, world.x.id)
    assert (event.before, event.after) == (
        {"body": "Before the change"},
        {"body": "After the change"},
    )


def test_an_edit_with_htmx_returns_the_thread(world, own, sign_in):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, "After the change"), headers=HTMX
    )
    assert response.status_code == 200
    assert_thread_fragment(response)
    text = visible(response)
    assert "Your comment was changed." in text
    assert "After the change" in text and "edited" in text
    assert "<textarea" in body(response)  # the add form only
    assert f'hx-post="/comments/{own.id}/edit"' not in body(response)


def test_saving_the_same_text_changes_nothing(world, own, sign_in):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, "Before the change")
    )
    assert response.status_code == 303
    assert comments()[0].edited_at is None
    assert audit(AuditAction.UPDATE) == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your comment"),
        ("x" * 5001, "Your comment must be 5000 characters or fewer"),
        ("Bad\x00", "Your comment contains characters that cannot be saved"),
    ],
    ids=["empty", "too-long", "nul"],
)
def test_an_invalid_edit_is_refused(world, own, sign_in, text, message, htmx):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, text), headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in visible(response)
    if htmx:
        assert_thread_fragment(response)
    else:
        assert "<html" in body(response)
    assert comments()[0].body == "Before the change"
    assert audit(AuditAction.UPDATE) == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_a_stale_edit_shows_both_texts_and_saves_nothing(world, own, sign_in, htmx):
    loaded = own.version
    own.body = "Changed in another tab"
    db.session.commit()

    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit",
        data=edit_form(own, "My new words", version=loaded),
        headers=HTMX if htmx else {},
    )

    assert response.status_code == 422
    text = visible(response)
    assert "Someone else saved this comment while you were editing" in text
    assert "What the comment says now Changed in another tab" in text
    assert ">My new words</textarea>" in body(response)
    # Saving again is now a deliberate choice: the form carries the current version.
    assert f'value="{own.version}"' in body(response)
    assert comments()[0].body == "Changed in another tab"
    assert audit(AuditAction.UPDATE) == []


def test_an_edit_without_a_version_is_refused(world, own, sign_in):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, "Sneaky", version="")
    )
    assert response.status_code == 422
    assert "Reload the page and try again" in visible(response)
    assert comments()[0].body == "Before the change"


def test_editing_a_comment_deleted_meanwhile_keeps_your_text(world, own, sign_in):
    loaded = own.version
    own.deleted_at = datetime.now(UTC)
    db.session.commit()
    client = sign_in(world.member_a)
    assert client.get(f"/comments/{own.id}/edit").status_code == 404
    response = client.post(
        f"/comments/{own.id}/edit", data=edit_form(own, "Too late", version=loaded)
    )
    assert response.status_code == 422
    assert "This comment was deleted while you were editing" in visible(response)
    assert ">Too late</textarea>" in body(response)
    assert comments()[0].body == "Before the change"


def test_who_may_edit_a_comment(world, own, client_for):
    statuses = {}
    for role in PEOPLE:
        client = client_for(getattr(world, role))
        get = client.get(f"/comments/{own.id}/edit").status_code
        post = client.post(f"/comments/{own.id}/edit", data=edit_form(own, f"By {role}"))
        statuses[role] = (get, post.status_code)
        db.session.expire_all()
    assert statuses == {
        "admin": (200, 303),  # admins may tidy up any comment
        "coordinator_x": (403, 403),
        "coordinator_y": (404, 404),
        "panel_x": (403, 403),
        "lead_a": (403, 403),
        "member_a": (200, 303),
        "expert_a": (403, 403),
        "member_b": (404, 404),
        "member_c": (404, 404),
        "nobody": (404, 404),
    }
    assert comments()[0].body == "By member_a"


def test_another_persons_comment_says_you_cannot(world, own, sign_in):
    response = sign_in(world.lead_a).post(
        f"/comments/{own.id}/edit", data=edit_form(own, "Not mine")
    )
    assert response.status_code == 403
    assert "You cannot do that" in visible(response)
    assert comments()[0].body == "Before the change"


@pytest.mark.parametrize("path", ["/comments/99999/edit", "/comments/99999/delete"])
def test_unknown_comments_are_not_found(world, sign_in, path):
    assert sign_in(world.admin).get(path).status_code == 404


# Deleting ----------------------------------------------------------------------------------------


def test_deleting_asks_first(world, own, sign_in):
    response = sign_in(world.member_a).get(f"/comments/{own.id}/delete")
    assert response.status_code == 200
    text = visible(response)
    assert "Delete this comment?" in text and "Before the change" in text
    assert "Yes, delete this comment" in text
    assert f'action="/comments/{own.id}/delete"' in body(response)
    assert comments()[0].deleted_at is None


def test_with_htmx_the_question_opens_inside_the_thread(world, own, sign_in):
    response = sign_in(world.member_a).get(f"/comments/{own.id}/delete", headers=HTMX)
    assert response.status_code == 200
    assert_thread_fragment(response)
    assert "Delete this comment?" in visible(response)
    assert f'hx-post="/comments/{own.id}/delete"' in body(response)


def test_deleting_without_javascript_keeps_the_row_and_audits_the_text(world, own, sign_in):
    response = sign_in(world.member_a).post(f"/comments/{own.id}/delete", data=version_of(own))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/aims/{own.aim_id}#comments"
    [comment] = comments()
    assert comment.deleted_at is not None
    [event] = audit(AuditAction.DELETE)
    assert (event.entity_id, event.actor_id, event.team_id, event.collaborative_id) == (
        comment.id,
        world.member_a.id,
        world.team_a.id,
        world.x.id,
    )
    assert event.before == {"body": "Before the change"}


def test_deleting_with_htmx_returns_the_thread(world, own, sign_in):
    response = sign_in(world.member_a).post(
        f"/comments/{own.id}/delete", data=version_of(own), headers=HTMX
    )
    assert response.status_code == 200
    assert_thread_fragment(response)
    text = visible(response)
    assert "The comment was deleted." in text
    assert "Comment deleted" in text and "Before the change" not in text


def test_a_deleted_comment_cannot_be_deleted_again(world, own, sign_in):
    client = sign_in(world.member_a)
    shown = version_of(own)
    assert client.post(f"/comments/{own.id}/delete", data=shown).status_code == 303
    assert client.post(f"/comments/{own.id}/delete", data=shown).status_code == 404
    assert len(audit(AuditAction.DELETE)) == 1


def test_who_may_delete_a_comment(world, records, client_for):
    statuses = {}
    for role in PEOPLE:
        comment = write(world.member_a, records["cycle"]["a"], f"For {role}")
        client = client_for(getattr(world, role))
        get = client.get(f"/comments/{comment.id}/delete").status_code
        post = client.post(f"/comments/{comment.id}/delete", data=version_of(comment))
        statuses[role] = (get, post.status_code)
    assert statuses == {
        "admin": (200, 303),
        "coordinator_x": (403, 403),
        "coordinator_y": (404, 404),
        "panel_x": (403, 403),
        "lead_a": (403, 403),
        "member_a": (200, 303),
        "expert_a": (403, 403),
        "member_b": (404, 404),
        "member_c": (404, 404),
        "nobody": (404, 404),
    }
    deleted = [c.body for c in comments() if c.deleted_at is not None]
    assert deleted == ["For admin", "For member_a"]


def test_a_cycle_comment_goes_back_to_the_cycle(world, records, sign_in):
    comment = write(world.member_a, records["cycle"]["a"], "On a cycle")
    client = sign_in(world.member_a)
    response = client.post(f"/comments/{comment.id}/edit", data=edit_form(comment, "Changed"))
    assert response.headers["Location"] == f"/cycles/{comment.cycle_id}#comments"
    response = client.post(f"/comments/{comment.id}/delete", data=version_of(comment))
    assert response.headers["Location"] == f"/cycles/{comment.cycle_id}#comments"
    assert [e.summary for e in audit()] == [
        f"Changed a comment on cycle “{records['cycle']['a'].title}”",
        f"Deleted a comment on cycle “{records['cycle']['a'].title}”",
    ]


def test_a_busy_thread_shows_the_newest_comments_with_the_rest_a_link_away(world, records, sign_in):
    """An aim that gathers many comments shows the newest 20 (drawing them all made the page
    slower with each one); "Show all" lists every one."""
    record = records["aim"]["a"]
    for number in range(25):
        write(world.member_a, record, f"Comment number {number:02d}")
    client = sign_in(world.member_a)
    text = visible(client.get(page_url("aim", record).split("#")[0]))
    assert "Comment number 24" in text and "Comment number 05" in text
    assert "Comment number 04" not in text
    assert "Show all 25 comments on this aim (the newest 20 are shown)" in text
    everything = visible(client.get(f"/aims/{record.id}?comments=all"))
    assert "Comment number 00" in everything and "Show all" not in everything
