"""Links and notes shared with a community: members and facilitators share them (research
partners read), links are http or https only and show where they go, and whoever shared one, or a
facilitator, changes or removes it."""

from __future__ import annotations

import pytest

from improve.extensions import db
from improve.models import AuditAction, CommunityResource, EvidenceKind
from tests.communities.conftest import all_of, audit_rows
from tests.conftest import HTMX, text_of, version_of


def resource_form(**fields):
    values = {
        "title": "SCIE guide to co-production",
        "url": "https://www.scie.org.uk/co-production",
        "note": "Short and practical.",
        "evidence_kind": "research",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def share(community, user, **fields) -> CommunityResource:
    resource = CommunityResource(
        community_id=community.id,
        added_by_id=user.id if user else None,
        title=fields.pop("title", "A shared thing"),
        url=fields.pop("url", "https://example.org/thing"),
        **fields,
    )
    db.session.add(resource)
    db.session.commit()
    return resource


def test_a_member_shares_a_link_shown_with_its_website_and_safe_rel(cop, client_for):
    client = client_for(cop.meg)
    response = client.post(f"/communities/{cop.c.id}/resources", data=resource_form())
    assert response.status_code == 303
    [resource] = all_of(CommunityResource)
    assert (resource.added_by_id, resource.evidence_kind) == (cop.meg.id, EvidenceKind.RESEARCH)
    [event] = audit_rows("CommunityResource")
    assert (event.action, event.collaborative_id) == (AuditAction.CREATE, cop.x.id)
    html = client.get(f"/communities/{cop.c.id}/resources").get_data(as_text=True)
    assert 'href="https://www.scie.org.uk/co-production" rel="noopener noreferrer"' in html
    page = text_of(client.get(f"/communities/{cop.c.id}/resources"))
    assert "www.scie.org.uk" in page and "Shared by Meg Member" in page and "Research" in page


def test_a_note_without_a_link_may_be_shared(cop, client_for):
    response = client_for(cop.fay).post(
        f"/communities/{cop.c.id}/resources",
        data=resource_form(url="", note="Ring Jo at the carers' centre", evidence_kind="none"),
    )
    assert response.status_code == 303
    [resource] = all_of(CommunityResource)
    assert (resource.url, resource.evidence_kind) == ("", None)


def test_htmx_gets_the_resources_section_back(cop, client_for):
    response = client_for(cop.meg).post(
        f"/communities/{cop.c.id}/resources", data=resource_form(), headers=HTMX
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip().startswith('<div id="community-resources"')
    assert "SCIE guide to co-production" in text_of(response)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"url": "", "note": ""}, "Enter a link or a note (or both)"),
        ({"url": "javascript:alert(1)"}, "Enter a web address that starts with https://"),
        ({"url": "data:text/html,hi"}, "Enter a web address that starts with https://"),
        ({"url": "www.scie.org.uk"}, "Enter a web address that starts with https://"),
        ({"url": "https://"}, "Enter a web address that starts with https://"),
        ({"url": "https://exa mple.org"}, "Enter a web address that starts with https://"),
        ({"url": "https://[::1"}, "Enter a web address that starts with https://"),
        ({"url": "https://example.org/" + "a" * 2000}, "2,000 characters or fewer"),
        ({"evidence_kind": "gossip"}, "Choose one of the kinds shown"),
    ],
)
def test_bad_input_is_refused(cop, client_for, fields, message):
    response = client_for(cop.meg).post(
        f"/communities/{cop.c.id}/resources", data=resource_form(**fields)
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert all_of(CommunityResource) == []


@pytest.mark.parametrize(("person", "status"), [("rory", 403), ("dan", 404), ("member_a", 404)])
def test_research_partners_and_outsiders_do_not_share(cop, client_for, person, status):
    response = client_for(getattr(cop, person)).post(
        f"/communities/{cop.c.id}/resources", data=resource_form()
    )
    assert response.status_code == status
    assert all_of(CommunityResource) == []


def edit_form(resource, **fields):
    db.session.refresh(resource)
    values = {
        "title": resource.title,
        "url": resource.url,
        "note": resource.note,
        "evidence_kind": resource.evidence_kind.value if resource.evidence_kind else "none",
        **version_of(resource),
    }
    values.update(fields)
    return values


@pytest.mark.parametrize(
    ("person", "status"), [("meg", 303), ("fay", 303), ("admin", 303), ("rory", 403)]
)
def test_whoever_shared_it_or_a_facilitator_changes_it(cop, client_for, person, status):
    resource = share(cop.c, cop.meg)
    response = client_for(getattr(cop, person)).post(
        f"/community-resources/{resource.id}/edit", data=edit_form(resource, title="Renamed")
    )
    assert response.status_code == status
    db.session.refresh(resource)
    assert (resource.title == "Renamed") is (status == 303)


def test_another_member_may_not_change_or_remove_it(cop, client_for, make_user, join):
    other = make_user(display_name="Olu Other")
    join(other, cop.c)
    resource = share(cop.c, cop.meg)
    client = client_for(other)
    assert client.get(f"/community-resources/{resource.id}/edit").status_code == 403
    assert (
        client.post(
            f"/community-resources/{resource.id}/remove", data=version_of(resource)
        ).status_code
        == 403
    )
    page = text_of(client.get(f"/communities/{cop.c.id}/resources"))
    assert "A shared thing" in page and "Change A shared thing" not in page


def test_another_communitys_resource_is_404(cop, client_for):
    resource = share(cop.d, cop.dan)
    client = client_for(cop.fay)
    assert client.get(f"/community-resources/{resource.id}/edit").status_code == 404
    assert (
        client.post(
            f"/community-resources/{resource.id}/remove", data=version_of(resource)
        ).status_code
        == 404
    )
    assert len(all_of(CommunityResource)) == 1


def test_a_stale_edit_is_refused_with_409(cop, client_for):
    resource = share(cop.c, cop.meg)
    stale = edit_form(resource, title="Mine")
    resource.title = "Theirs"
    db.session.commit()
    response = client_for(cop.meg).post(f"/community-resources/{resource.id}/edit", data=stale)
    assert response.status_code == 409
    db.session.refresh(resource)
    assert resource.title == "Theirs"


def test_a_resource_is_removed_after_asking(cop, client_for):
    resource = share(cop.c, cop.meg)
    client = client_for(cop.meg)
    assert "Remove ‘A shared thing’?" in text_of(
        client.get(f"/community-resources/{resource.id}/remove")
    )
    response = client.post(f"/community-resources/{resource.id}/remove", data=version_of(resource))
    assert response.status_code == 303
    assert all_of(CommunityResource) == []
    assert [e.action for e in audit_rows("CommunityResource")] == [AuditAction.DELETE]


def test_a_saved_resource_with_no_kind_shows_none_of_these_ticked(cop, client_for):
    resource = share(cop.c, cop.meg)
    html = (
        client_for(cop.meg).get(f"/community-resources/{resource.id}/edit").get_data(as_text=True)
    )
    assert 'value="none" checked' in html
