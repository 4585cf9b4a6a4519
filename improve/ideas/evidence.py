"""Routes for the evidence behind a change idea: research, practice knowledge and lived
experience, each with where it is from and/or a short account.

Everyone who may view the idea's team reads it. The people who keep the team's records add,
change and remove any of it; the team's experts by experience (people who draw on care, and
carers) add evidence too, of any kind (their lived experience above all, but a carer may also
know the research, or have worked in care), and change or remove what they added themselves.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.analysis.evidence import KINDS
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.ideas import bp, evidence_operations, evidence_queries
from improve.ideas.evidence_forms import (
    KIND_EXPLANATIONS,
    EvidenceEditForm,
    EvidenceForm,
    web_link,
)
from improve.models import Aim, ChangeIdea, EvidenceKind, IdeaEvidence, Team
from improve.models.community import EVIDENCE_KIND_LABELS
from improve.permissions import Permission, can, team_record_or_404

TEMPLATE = "ideas/evidence.html"


@bp.app_template_global()
def may_add_evidence(team: Team) -> bool:
    """Whether the person may add evidence to the team's change ideas (views check again)."""
    return can(current_user, Permission.EDIT_TEAM_RECORDS, team) or can(
        current_user, Permission.ADD_EXPERT_VIEW, team
    )


def may_change_evidence(item: IdeaEvidence, team: Team) -> bool:
    """The team's record keepers change any evidence; an expert by experience their own."""
    if can(current_user, Permission.EDIT_TEAM_RECORDS, team):
        return True
    own = item.added_by_id is not None and item.added_by_id == current_user.id
    return own and can(current_user, Permission.ADD_EXPERT_VIEW, team)


@bp.app_template_global()
def evidence_kind_label(kind: str) -> str:
    """ "Research", "Practice knowledge" or "Lived experience"."""
    return EVIDENCE_KIND_LABELS[EvidenceKind(kind)]


bp.add_app_template_filter(web_link, "evidence_link")
bp.add_app_template_global(KINDS, "evidence_kinds")  # their values, in the order pages list them


def evidence_url(idea_id: int, **args: Any) -> str:
    return url_for("ideas.evidence", idea_id=idea_id, **args)


def evidence_page(idea: ChangeIdea, form: EvidenceForm, status: int = 200) -> Response:
    """The idea's evidence page, or its evidence section alone for htmx."""
    aim = db.session.get_one(Aim, idea.aim_id)
    team = db.session.get_one(Team, aim.team_id)
    items = evidence_queries.list_evidence(idea, team.id)
    return render(
        TEMPLATE,
        "evidence_items",
        status,
        idea=idea,
        aim=aim,
        team=team,
        items=items,
        form=form,
        may_add=may_add_evidence(team),
        changeable={item.id for item in items if may_change_evidence(item, team)},
        explanations=KIND_EXPLANATIONS,
    )


@bp.get("/change-ideas/<id:idea_id>/evidence")
def evidence(idea_id: int):
    """The evidence behind a change idea, and (for those who may) a form to add some."""
    idea = team_record_or_404(ChangeIdea, idea_id)
    return evidence_page(idea, EvidenceForm(formdata=None))


@bp.post("/change-ideas/<id:idea_id>/evidence")
def add_evidence(idea_id: int):
    """Add a piece of evidence; htmx gets the evidence section back."""
    idea = team_record_or_404(ChangeIdea, idea_id)
    if not may_add_evidence(db.session.get_one(Team, idea.aim.team_id)):
        abort(403)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return evidence_page(idea, form, 422)
    item = evidence_operations.add_evidence(current_user, idea, form.details())
    db.session.commit()
    flash(f"{item.kind.label} evidence added to ‘{idea.title}’.", "success")
    if is_partial_request():
        return evidence_page(idea, EvidenceForm(formdata=None))
    return see_other(evidence_url(idea.id, _anchor=f"evidence-{item.id}"))


def item_or_404(evidence_id: int) -> tuple[IdeaEvidence, ChangeIdea, Team]:
    """A piece of evidence the person may change (404 if they may not see its team, 403 if
    they may see but not change it), its idea and its team."""
    item = team_record_or_404(IdeaEvidence, evidence_id)
    team = db.session.get_one(Team, item.team_id)
    if not may_change_evidence(item, team):
        abort(403)
    return item, db.session.get_one(ChangeIdea, item.change_idea_id), team


@bp.route("/idea-evidence/<id:evidence_id>/edit", methods=["GET", "POST"])
def edit_evidence(evidence_id: int):
    """Change a piece of evidence; a save over someone else's newer one is refused (409)."""
    item, idea, team = item_or_404(evidence_id)
    form = EvidenceEditForm(obj=item)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, item)
        if not conflict:
            changed = evidence_operations.update_evidence(current_user, item, form.details())
            db.session.commit()
            flash("Evidence saved." if changed else "Nothing was changed.", "success")
            return see_other(evidence_url(idea.id, _anchor=f"evidence-{item.id}"))
    return render(
        "ideas/evidence_edit.html",
        idea=idea,
        item=item,
        team=team,
        form=form,
        conflict=conflict,
        saved=saved_values(form, item) if conflict else [],
        explanations=KIND_EXPLANATIONS,
        status=form_status(form, conflict),
    )


@bp.route("/idea-evidence/<id:evidence_id>/remove", methods=["GET", "POST"])
def remove_evidence(evidence_id: int):
    """Confirm, then remove a piece of evidence (the team's history keeps what it said)."""
    item, idea, team = item_or_404(evidence_id)
    conflict = request.method == "POST" and removal_conflict(item)
    if request.method == "POST" and not conflict:
        evidence_operations.remove_evidence(current_user, item)
        db.session.commit()
        flash(f"The evidence has been removed from ‘{idea.title}’.", "success")
        return see_other(evidence_url(idea.id, _anchor="evidence-items"))
    return render(
        "ideas/evidence_remove.html",
        idea=idea,
        item=item,
        team=team,
        conflict=conflict,
        status=removal_status(conflict),
    )
