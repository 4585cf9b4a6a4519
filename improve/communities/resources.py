"""Routes for the links and notes shared with a community: everyone in it reads them, members and
facilitators share them, and whoever shared one (or a facilitator) changes or removes it."""

from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.communities import bp, operations, queries
from improve.communities.forms import ResourceEditForm, ResourceForm
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import Community, CommunityResource
from improve.permissions import (
    CommunityPermission,
    can_in_community,
    community_or_404,
    community_record_or_404,
)


def may_change(community: Community, resource: CommunityResource) -> bool:
    """Whoever shared it (while they take part) and the community's facilitators."""
    if can_in_community(current_user, CommunityPermission.FACILITATE, community):
        return True
    shared_it = resource.added_by_id is not None and resource.added_by_id == current_user.id
    return shared_it and can_in_community(current_user, CommunityPermission.TAKE_PART, community)


def resources_page(
    community: Community, form: ResourceForm | None = None, status: int = 200
) -> Response:
    """The resources page, or its list and form alone for htmx."""
    rows = queries.list_resources(community.id)
    return render(
        "communities/resources.html",
        "community_resources",
        status,
        community=community,
        rows=rows,
        changeable={row.resource.id for row in rows if may_change(community, row.resource)},
        form=form or ResourceForm(formdata=None),
        may_share=can_in_community(current_user, CommunityPermission.TAKE_PART, community),
    )


@bp.get("/communities/<id:community_id>/resources")
def resources(community_id: int):
    """The links and notes shared with the community, newest first."""
    return resources_page(community_or_404(community_id))


@bp.post("/communities/<id:community_id>/resources")
def add_resource(community_id: int):
    """Share a link or a note with the community."""
    community = community_or_404(community_id, CommunityPermission.TAKE_PART)
    form = ResourceForm()
    if not form.validate_on_submit():
        return resources_page(community, form, 422)
    resource = operations.add_resource(current_user, community, form.details())
    db.session.commit()
    flash(f"‘{resource.title}’ is shared with the community.", "success")
    if is_partial_request():
        return resources_page(community)
    return see_other(url_for(".resources", community_id=community.id))


def resource_or_404(resource_id: int) -> tuple[Community, CommunityResource]:
    """The resource and its community: 404 outside the community, 403 for someone in it who
    neither shared it nor facilitates."""
    resource = community_record_or_404(CommunityResource, resource_id)
    community = db.session.get(Community, resource.community_id)
    if not may_change(community, resource):
        abort(403)
    return community, resource


@bp.route("/community-resources/<id:resource_id>/edit", methods=["GET", "POST"])
def edit_resource(resource_id: int):
    """Change a shared resource; a save over someone else's newer one is refused and both are
    shown."""
    community, resource = resource_or_404(resource_id)
    form = ResourceEditForm(obj=resource)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, resource)
        if not conflict:
            changed = operations.update_resource(current_user, community, resource, form.details())
            db.session.commit()
            flash("Resource saved." if changed else "Nothing was changed.", "success")
            return see_other(url_for(".resources", community_id=community.id))
    return render(
        "communities/resource_edit.html",
        community=community,
        resource=resource,
        form=form,
        conflict=conflict,
        saved=saved_values(form, resource) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route("/community-resources/<id:resource_id>/remove", methods=["GET", "POST"])
def remove_resource(resource_id: int):
    """Confirm, then remove a shared resource."""
    community, resource = resource_or_404(resource_id)
    conflict = request.method == "POST" and removal_conflict(resource)
    if request.method == "POST" and not conflict:
        operations.remove_resource(current_user, community, resource)
        db.session.commit()
        flash(f"‘{resource.title}’ has been removed.", "success")
        return see_other(url_for(".resources", community_id=community.id))
    return render(
        "communities/resource_remove.html",
        community=community,
        resource=resource,
        conflict=conflict,
        status=removal_status(conflict),
    )
