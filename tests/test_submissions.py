"""A form posted twice saves once (issue 16, point 9): a double click, a browser's resubmit or
two posts at the same moment of one rendered form add one record, and the repeat is answered as
the first post was. The token is the person's own, a form filled in again is a new submission,
and a post without a token works as before."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from improve import submissions
from improve.extensions import db
from improve.models import Comment, UsedSubmission, utcnow
from tests.conftest import HTMX, text_of
from tests.security.route_samples import SAMPLES
from tests.security.test_fuzz_forms import changed, snapshot

TOKEN = re.compile(r'<input type="hidden" name="submission_token" value="([^"]+)">')

# Every form that adds a record, where a second copy would be a duplicate.
CREATING = [
    "collaboratives.new",
    "collaboratives.add_team",
    "collaboratives.add_member",
    "teams.add_member",
    "aims.new",
    "aims.add_assessment",
    "drivers.create",
    "drivers.create_idea",
    "ideas.copy",
    "comments.add_to_aim",
    "comments.add_to_cycle",
    "cycles.new",
    "cycles.add_task",
    "measures.new",
    "measures.new_shared",
    "measures.save_point",
    "measures.confirm_import",
    "reports.new_phase",
    "panel.reviews",
    "panel.add_action",
    # An email to a team is a record too: a double click must not send it twice.
    "coordination.send_reminder",
    # A reload of the page that shows a new API token's secret must not make a second token.
    "api_tokens.index",
]


def tokens_in(response: Any) -> list[str]:
    return TOKEN.findall(response.get_data(as_text=True))


def comment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def aim_comment(world, client_for) -> tuple[Any, str, dict[str, str]]:
    """A team member's client on an aim's page, the comment form's URL, and its fields with the
    token the rendered form carries."""
    sample = SAMPLES["comments.add_to_aim"](world)
    client = client_for(sample.actor)
    page = client.get(sample.url.removesuffix("/comments"))
    form = re.search(
        rf'<form[^>]*action="{re.escape(sample.url)}".*?</form>', page.get_data(as_text=True), re.S
    )
    assert form is not None
    [token] = TOKEN.findall(form.group(0))
    return client, sample.url, {**sample.data, submissions.FIELD: token}


@pytest.mark.parametrize("endpoint", CREATING)
def test_the_same_form_posted_twice_saves_once(world, client_for, endpoint):
    sample = SAMPLES[endpoint](world)
    client = client_for(sample.actor)
    data = {**sample.data, submissions.FIELD: submissions.new_token()}

    first = client.post(sample.url, data=data)
    assert first.status_code == sample.status, text_of(first)[:500]
    saved = snapshot()
    second = client.post(sample.url, data=data)

    assert not changed(saved, snapshot()), "the second post wrote again"
    assert second.status_code == 303
    if first.status_code == 303:
        assert second.headers["Location"] == first.headers["Location"]
    assert submissions.ALREADY_SAVED in text_of(client.get(second.headers["Location"]))


def test_every_form_on_a_page_carries_its_own_token(world, client_for):
    client = client_for(world.member_a)
    sample = SAMPLES["comments.add_to_aim"](world)
    page = client.get(sample.url.removesuffix("/comments"))
    html = page.get_data(as_text=True)
    tokens = tokens_in(page)
    assert len(tokens) == html.count('method="post"') > 1
    assert len(set(tokens)) == len(tokens)
    assert tokens_in(client.get(sample.url.removesuffix("/comments"))) != tokens  # fresh each time


def test_a_rendered_comment_form_double_clicked_adds_one_comment(world, client_for):
    client, url, data = aim_comment(world, client_for)

    first = client.post(url, data=data)
    second = client.post(url, data=data)

    assert comment_count() == 1
    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["Location"] == first.headers["Location"]


def test_an_htmx_repeat_refreshes_the_page_rather_than_adding_again(world, client_for):
    client, url, data = aim_comment(world, client_for)
    first = client.post(url, data=data, headers=HTMX)
    assert first.status_code == 200  # the thread, swapped in: there is no redirect to repeat

    second = client.post(url, data=data, headers=HTMX)

    assert comment_count() == 1
    assert second.headers["HX-Refresh"] == "true"
    assert submissions.ALREADY_SAVED in text_of(client.get(url.removesuffix("/comments")))


def test_another_persons_token_does_not_count_as_used(world, client_for):
    client, url, data = aim_comment(world, client_for)
    assert client.post(url, data=data).status_code == 303

    other = client_for(world.lead_a).post(url, data=data)

    assert other.status_code == 303
    assert comment_count() == 2
    owners = db.session.scalars(sa.select(UsedSubmission.user_id)).all()
    assert sorted(owners) == sorted([world.member_a.id, world.lead_a.id])


def test_a_form_filled_in_again_is_a_new_submission(world, client_for):
    # htmx swaps in the thread and may leave the form on the page: its token is then reused.
    client, url, data = aim_comment(world, client_for)
    client.post(url, data=data)

    again = client.post(url, data={**data, "comment-body": "And a second thought."})

    assert again.status_code == 303
    assert comment_count() == 2


def test_a_refused_form_leaves_its_token_unused(world, client_for):
    client, url, data = aim_comment(world, client_for)
    refused = client.post(url, data={**data, "comment-body": ""})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedSubmission)) == 0

    assert client.post(url, data=data).status_code == 303
    assert comment_count() == 1


def test_a_post_without_a_token_works_as_before(world, client_for):
    client, url, data = aim_comment(world, client_for)
    del data[submissions.FIELD]

    client.post(url, data=data)
    client.post(url, data=data)

    assert comment_count() == 2


@pytest.mark.parametrize("token", ["short", "x" * 65, "not a token!", ""])
def test_a_malformed_token_is_ignored(world, client_for, token):
    client, url, data = aim_comment(world, client_for)

    response = client.post(url, data={**data, submissions.FIELD: token})

    assert response.status_code == 303
    assert comment_count() == 1


def old_token(user) -> str:
    token = submissions.new_token()
    day_ago = utcnow() - submissions.KEEP_FOR * 2
    db.session.add(
        UsedSubmission(user_id=user.id, token=token, form_digest="0" * 64, created_at=day_ago)
    )
    db.session.commit()
    return token


def test_tokens_older_than_a_day_are_pruned(world, client_for, runner):
    client, url, data = aim_comment(world, client_for)
    own, others = old_token(world.member_a), old_token(world.lead_a)

    client.post(url, data=data)  # a post prunes its own person's old tokens

    kept = set(db.session.scalars(sa.select(UsedSubmission.token)))
    assert kept == {data[submissions.FIELD], others}
    result = runner.invoke(args=["prune-submissions"])
    assert result.exit_code == 0, result.output
    assert "Forgot 1 used form tokens." in result.output
    assert set(db.session.scalars(sa.select(UsedSubmission.token))) == {data[submissions.FIELD]}
    assert own not in kept


def test_two_posts_at_once_save_once(world, client_for, monkeypatch):
    """Two posts of one form at the same moment (PostgreSQL: the unique key; SQLite: the write
    lock): one comment, and neither answers with an error."""
    client, url, data = aim_comment(world, client_for)
    twin = client_for(world.member_a)
    from improve.comments import operations

    add_comment = operations.add_comment
    started = threading.Event()

    def slow_add(*args: Any, **kwargs: Any) -> Any:
        # Hold the first post open until the second has been sent.
        started.set()
        threading.Event().wait(0.5)
        return add_comment(*args, **kwargs)

    monkeypatch.setattr(operations, "add_comment", slow_add)
    answers: dict[Any, Any] = {}

    def post(on: Any) -> None:
        answers[on] = on.post(url, data=data)

    first = threading.Thread(target=post, args=(client,))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=post, args=(twin,))
    second.start()
    first.join(20)
    second.join(20)

    assert [answers[on].status_code for on in (client, twin)] == [303, 303]
    assert comment_count() == 1
    assert submissions.ALREADY_SAVED in text_of(twin.get(answers[twin].headers["Location"]))
