"""The evidence behind a change idea: who reads it and who adds to it, adding (plain form and
htmx), the messages for bad input, changing it (versioned, 409 on a stale save), removing it
(with confirmation), its audit rows, and the kinds and links on the aim's driver diagram.

World: collaborative X with teams A and B, collaborative Y with team C (tests/conftest.py); the
`library` fixture (tests/ideas/conftest.py) adds the ideas: team A's "Night lights" is
`library.lights_a`.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.ideas.evidence_forms import BAD_LINK, NOTHING_GIVEN, web_link
from improve.models import AuditAction, AuditEvent, EvidenceKind, IdeaEvidence
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX, version_of
from tests.ideas.conftest import body, count, visible

EVIDENCE_HTMX = {**HTMX, "HX-Target": "evidence-items"}
RESEARCH = {"kind": "research", "source": "NICE guideline NG249", "account": ""}
LIVED = {
    "kind": "lived_experience",
    "source": "",
    "account": "My mother slept better with a low light on.\nShe was less frightened at night.",
}


def evidence_url(idea) -> str:
    return f"/change-ideas/{idea.id}/evidence"


def item_url(item, action: str) -> str:
    return f"/idea-evidence/{item.id}/{action}"


def add_item(idea, team, kind="research", source="A study", account="", added_by=None):
    item = IdeaEvidence(
        team_id=team.id,
        change_idea_id=idea.id,
        kind=EvidenceKind(kind),
        source=source,
        account=account,
        added_by_id=added_by.id if added_by else None,
    )
    db.session.add(item)
    db.session.commit()
    return item


def audit_rows(action: AuditAction) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_type == "IdeaEvidence", AuditEvent.action == action
    )
    return list(db.session.scalars(query))


def form_html(response) -> str:
    match = re.search(r'<form method="post" action="/change-ideas/.*?</form>', body(response), re.S)
    return match.group(0) if match else ""


# Who may read it, and who may add to it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status", "may_add"),
    [
        ("admin", 200, True),
        ("coordinator_x", 200, False),
        ("coordinator_y", 404, None),
        ("panel_x", 200, False),
        ("lead_a", 200, True),
        ("member_a", 200, True),
        ("expert_a", 200, True),
        ("member_b", 404, None),
        ("member_c", 404, None),
        ("nobody", 404, None),
    ],
)
def test_who_reads_the_evidence_and_who_may_add(
    world, library, client_for, person, status, may_add
):
    add_item(library.lights_a, world.team_a, "lived_experience", "", "It helped my dad.")

    response = client_for(getattr(world, person)).get(evidence_url(library.lights_a))

    assert response.status_code == status
    if status != 200:
        assert "It helped my dad." not in body(response)
        return
    assert "It helped my dad." in visible(response)
    assert bool(form_html(response)) is may_add


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("coordinator_x", 403),  # may read team A's records, not add to them
        ("panel_x", 403),
        ("member_b", 404),  # another team's idea
        ("member_c", 404),  # another collaborative's
        ("nobody", 404),
    ],
)
def test_people_who_may_not_add_evidence_are_refused(world, library, client_for, person, status):
    client = client_for(getattr(world, person))
    response = client.post(evidence_url(library.lights_a), data=RESEARCH)

    assert response.status_code == status
    assert count(IdeaEvidence) == 0


def test_an_idea_that_does_not_exist_is_not_found(world, library, client_for):
    client = client_for(world.admin)
    assert client.get("/change-ideas/999999/evidence").status_code == 404
    assert client.get("/change-ideas/0/evidence").status_code == 404
    assert client.get("/idea-evidence/999999/edit").status_code == 404


def test_the_page_shows_the_idea_its_team_and_aim_and_explains_each_kind(
    world, library, client_for
):
    add_item(library.lights_a, world.team_a, "research", "https://www.scie.org.uk/falls", "")
    add_item(library.lights_a, world.team_a, "practice_knowledge", "Night staff", "Fewer calls.")

    response = client_for(world.member_a).get(evidence_url(library.lights_a))

    text = visible(response)
    assert "Evidence behind ‘Night lights’" in text
    assert "Change idea of Team A, for the aim ‘Fewer falls at night’" in text
    assert "Evidence recorded (2)" in text
    for label in ("Research", "Practice knowledge", "Lived experience"):
        assert f">{label}</strong>" in body(response)
    assert "What studies, reviews or guidance found" in text
    assert "What staff have learned from doing the work" in text
    assert "What people who draw on care, and their carers, know" in text
    link = '<a class="govuk-link" href="https://www.scie.org.uk/falls" rel="noreferrer noopener">'
    assert link in body(response)
    assert "Night staff" in text and "Fewer calls." in text


def test_a_source_that_is_not_a_web_address_is_shown_as_text():
    assert web_link("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert web_link("http://example.org") == "http://example.org"
    for text in ("javascript:alert(1)", "NICE NG86", "doi:10.1136/bmj", "https://", "www.x.org"):
        assert web_link(text) is None


def test_stored_text_that_looks_like_a_script_link_is_never_a_link(world, library, client_for):
    # Only the form guards what is saved: a row written another way is still shown safely.
    add_item(library.lights_a, world.team_a, "research", "javascript:alert(1)", "<b>bold</b>")

    html = body(client_for(world.member_a).get(evidence_url(library.lights_a)))

    assert 'href="javascript' not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# Adding -----------------------------------------------------------------------------------------


def test_adding_without_javascript_redirects_to_the_new_evidence(world, library, client_for):
    client = client_for(world.member_a)

    response = client.post(evidence_url(library.lights_a), data=LIVED)

    assert response.status_code == 303
    item = db.session.scalars(sa.select(IdeaEvidence)).one()
    assert response.headers["Location"].endswith(
        f"/change-ideas/{library.lights_a.id}/evidence#evidence-{item.id}"
    )
    assert item.team_id == world.team_a.id  # the idea's aim's team
    assert item.kind == EvidenceKind.LIVED_EXPERIENCE
    assert item.account == LIVED["account"] and item.source == ""
    assert item.added_by_id == world.member_a.id
    [row] = audit_rows(AuditAction.CREATE)
    assert (row.team_id, row.collaborative_id) == (world.team_a.id, world.x.id)
    assert row.after["kind"] == "lived_experience"
    assert row.after["change_idea_id"] == library.lights_a.id
    assert "Lived experience evidence added to ‘Night lights’." in visible(
        client.get(response.headers["Location"])
    )


def test_adding_with_htmx_returns_the_evidence_section(world, library, client_for):
    response = client_for(world.lead_a).post(
        evidence_url(library.lights_a), data=RESEARCH, headers=EVIDENCE_HTMX
    )

    assert response.status_code == 200
    html = body(response)
    assert html.startswith('<section id="evidence-items"') and html.endswith("</section>")
    assert "<html" not in html
    assert "NICE guideline NG249" in html
    assert "Research evidence added" in html  # the banner, inside the section
    assert count(IdeaEvidence) == 1


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (EVIDENCE_HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_the_page_or_its_evidence_section(world, library, client_for, headers, fragment):
    response = client_for(world.member_a).get(evidence_url(library.lights_a), headers=headers)

    assert response.status_code == 200
    assert body(response).startswith('<section id="evidence-items"') is fragment
    assert ("<html" in body(response)) is not fragment
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "research", "source": "", "account": ""}, NOTHING_GIVEN),
        ({"kind": "research", "source": "   ", "account": " \n "}, NOTHING_GIVEN),
        ({"kind": "research", "source": "javascript:alert(1)"}, BAD_LINK),
        ({"kind": "research", "source": "www.scie.org.uk"}, BAD_LINK),
        ({"kind": "research", "source": "ftp://example.org/file"}, BAD_LINK),
        ({"kind": "research", "source": "https://"}, BAD_LINK),
        ({"kind": "gossip", "source": "A study"}, "Choose research, practice knowledge or lived"),
        ({"source": "A study"}, "Choose what kind of evidence it is"),
        ({"kind": "research", "source": "x" * 201}, "The source must be 200 characters or fewer"),
        ({"kind": "research", "account": "x" * 5001}, "The account must be 5,000 characters"),
        ({"kind": "research", "account": "A\x00B"}, "The account contains characters that"),
        ({"kind": "lived_experience", "account": "NHS number 943 476 5919"}, "NHS number"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(world, library, client_for, data, message):
    client = client_for(world.member_a)
    for headers in ({}, EVIDENCE_HTMX):
        response = client.post(evidence_url(library.lights_a), data=data, headers=headers)

        assert response.status_code == 422
        assert message in visible(response)
        assert "govuk-error-summary" in body(response)
    assert count(IdeaEvidence) == 0


@pytest.mark.parametrize(
    "source", ["doi:10.1136/bmj.m1234", "NICE NG86: 2015", "https://www.scie.org.uk/a?b=c#d"]
)
def test_citations_and_web_addresses_are_accepted(world, library, client_for, source):
    response = client_for(world.member_a).post(
        evidence_url(library.lights_a), data={"kind": "research", "source": source}
    )
    assert response.status_code == 303
    assert db.session.scalars(sa.select(IdeaEvidence.source)).one() == source


def test_an_expert_by_experience_adds_evidence_of_any_kind(world, library, client_for):
    client = client_for(world.expert_a)

    assert client.post(evidence_url(library.lights_a), data=LIVED).status_code == 303
    assert client.post(evidence_url(library.lights_a), data=RESEARCH).status_code == 303

    kinds = set(db.session.scalars(sa.select(IdeaEvidence.kind)))
    assert kinds == {EvidenceKind.LIVED_EXPERIENCE, EvidenceKind.RESEARCH}


# Changing ---------------------------------------------------------------------------------------


def test_changing_evidence_saves_and_audits_what_changed(world, library, client_for):
    item = add_item(library.lights_a, world.team_a, added_by=world.lead_a)
    client = client_for(world.member_a)
    page = client.get(item_url(item, "edit"))
    assert page.status_code == 200
    assert 'value="research" checked' in body(page)

    response = client.post(
        item_url(item, "edit"),
        data={"kind": "practice_knowledge", "source": "Night staff", **version_of(item)},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"evidence#evidence-{item.id}")
    db.session.refresh(item)
    assert (item.kind, item.source) == (EvidenceKind.PRACTICE_KNOWLEDGE, "Night staff")
    [row] = audit_rows(AuditAction.UPDATE)
    assert row.before == {"kind": "research", "source": "A study"}
    assert row.after == {"kind": "practice_knowledge", "source": "Night staff"}
    assert row.team_id == world.team_a.id


def test_a_stale_save_is_refused_and_shows_the_saved_version(world, library, client_for):
    item = add_item(library.lights_a, world.team_a)
    stale = version_of(item)
    first = client_for(world.lead_a).post(
        item_url(item, "edit"), data={"kind": "research", "source": "Their study", **stale}
    )
    assert first.status_code == 303

    second = client_for(world.member_a).post(
        item_url(item, "edit"), data={"kind": "research", "source": "My study", **stale}
    )

    assert second.status_code == 409
    text = visible(second)
    assert "Someone else changed this evidence while you were editing" in text
    assert "Their study" in text  # their saved version, beside the form
    assert 'value="My study"' in body(second)  # the person's own, still in the form
    db.session.refresh(item)
    assert item.source == "Their study"
    assert len(audit_rows(AuditAction.UPDATE)) == 1


def test_a_bad_change_gets_a_message(world, library, client_for):
    item = add_item(library.lights_a, world.team_a)
    response = client_for(world.member_a).post(
        item_url(item, "edit"), data={"kind": "research", "source": "", **version_of(item)}
    )
    assert response.status_code == 422
    assert NOTHING_GIVEN in visible(response)
    db.session.refresh(item)
    assert item.source == "A study"


@pytest.mark.parametrize(
    ("person", "own", "status"),
    [
        ("lead_a", False, 200),
        ("member_a", False, 200),
        ("expert_a", True, 200),  # what they added themselves
        ("expert_a", False, 403),  # what staff added
        ("panel_x", False, 403),
        ("coordinator_x", False, 403),
        ("member_b", False, 404),
        ("member_c", False, 404),
    ],
)
def test_who_may_change_or_remove_a_piece_of_evidence(
    world, library, client_for, person, own, status
):
    user = getattr(world, person)
    item = add_item(library.lights_a, world.team_a, added_by=user if own else world.lead_a)
    client = client_for(user)

    assert client.get(item_url(item, "edit")).status_code == status
    assert client.get(item_url(item, "remove")).status_code == status
    posted = client.post(item_url(item, "remove"), data=version_of(item))
    assert posted.status_code == (303 if status == 200 else status)
    assert count(IdeaEvidence) == (0 if status == 200 else 1)


def test_the_page_offers_change_and_remove_only_where_allowed(world, library, client_for):
    staff = add_item(library.lights_a, world.team_a, source="Staff study", added_by=world.lead_a)
    own = add_item(library.lights_a, world.team_a, source="My story", added_by=world.expert_a)

    html = body(client_for(world.expert_a).get(evidence_url(library.lights_a)))

    assert f"/idea-evidence/{own.id}/edit" in html
    assert f"/idea-evidence/{staff.id}/edit" not in html
    panel_page = client_for(world.panel_x).get(evidence_url(library.lights_a))
    assert "/idea-evidence/" not in body(panel_page)


# Removing ---------------------------------------------------------------------------------------


def test_removing_asks_first_then_removes_and_keeps_it_in_the_history(world, library, client_for):
    item = add_item(library.lights_a, world.team_a, "lived_experience", "", "It helped.")
    client = client_for(world.member_a)

    question = client.get(item_url(item, "remove"))
    assert question.status_code == 200
    assert "Remove this evidence?" in visible(question) and "It helped." in visible(question)
    assert count(IdeaEvidence) == 1

    response = client.post(item_url(item, "remove"), data=version_of(item))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/change-ideas/{library.lights_a.id}/evidence#evidence-items"
    )
    assert count(IdeaEvidence) == 0
    [row] = audit_rows(AuditAction.DELETE)
    assert row.before["account"] == "It helped." and row.team_id == world.team_a.id


def test_removing_something_changed_since_the_question_removes_nothing(world, library, client_for):
    item = add_item(library.lights_a, world.team_a)
    asked = version_of(item)
    client_for(world.lead_a).post(
        item_url(item, "edit"), data={"kind": "research", "source": "Changed", **asked}
    )

    response = client_for(world.member_a).post(item_url(item, "remove"), data=asked)

    assert response.status_code == 409
    assert "Someone else changed this evidence while you were deciding" in visible(response)
    assert count(IdeaEvidence) == 1
    missing = client_for(world.member_a).post(item_url(item, "remove"), data={})
    assert missing.status_code == 400
    assert count(IdeaEvidence) == 1


# The aim's driver diagram -----------------------------------------------------------------------


def test_the_diagram_shows_each_ideas_kinds_and_a_link_to_its_evidence(world, library, client_for):
    add_item(library.lights_a, world.team_a, "research")
    add_item(library.lights_a, world.team_a, "lived_experience", "", "Helped.")
    aim_url = f"/aims/{library.aim_a.id}"

    html = body(client_for(world.member_a).get(aim_url))

    node = html.split(f'id="idea-{library.lights_a.id}"', 1)[1].split("app-node__actions", 1)[0]
    assert 'Evidence: <strong class="govuk-tag ">Research</strong>' in node
    assert 'govuk-tag--purple">Lived experience</strong>' in node
    assert f'href="/change-ideas/{library.lights_a.id}/evidence">Evidence (2)' in html


def test_an_idea_without_evidence_offers_to_add_some_to_those_who_may(world, library, client_for):
    aim_url = f"/aims/{library.aim_b.id}"
    link = f'href="/change-ideas/{library.huddle_b.id}/evidence">Add evidence'

    assert link in body(client_for(world.member_b).get(aim_url))
    # The panel may read the team's records but adds nothing: no link to an empty page.
    assert f"/change-ideas/{library.huddle_b.id}/evidence" not in body(
        client_for(world.panel_x).get(aim_url)
    )
