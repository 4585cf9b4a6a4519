"""A community's evaluation: the feedback form after a meeting (once per person, changeable;
paper forms typed in by a facilitator), the evaluation page of counts by stakeholder group,
and the notes of interview-based evaluations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash, request, url_for
from flask_login import current_user

from improve.analysis.feedback import (
    ALL_GROUPS,
    OTHER_GROUPS,
    QUESTIONS,
    SMALL_GROUP,
    bar_segments,
    in_words,
)
from improve.community_feedback import bp, operations, queries
from improve.community_feedback.forms import FeedbackForm, NoteForm, PaperFeedbackForm
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import render, see_other
from improve.models import (
    Community,
    CommunityMeeting,
    CommunityRole,
    EvaluationNote,
    StakeholderGroup,
)
from improve.permissions import (
    CommunityPermission,
    community_or_404,
    community_record_or_404,
    community_role,
)
from improve.research.queries import member_group

QUESTION_WORDS = {
    "listened_to": "Did you feel listened to?",
    "learned_something": "Did you learn something?",
    "will_use": "Will you use what you learned?",
}
ROW_LABELS = {
    **{group.value: group.label for group in StakeholderGroup},
    OTHER_GROUPS: "Other groups together",
    ALL_GROUPS: "All groups",
}
NOT_YET = (
    "This meeting has not happened yet. You can give feedback on the day of the meeting or "
    "after it."
)
NOT_AT_IT = (
    "You are not on the list of who came to this meeting. If you were there, ask the "
    "facilitator to add you."
)
CHART_WIDTH = 600


def today() -> date:
    return date.today()


def meeting_or_404(
    meeting_id: int, permission: CommunityPermission
) -> tuple[CommunityMeeting, Community]:
    meeting = community_record_or_404(CommunityMeeting, meeting_id, permission)
    return meeting, db.session.get(Community, meeting.community_id)


def meeting_url(meeting: CommunityMeeting) -> str:
    """The meeting's own page, where people come from to give feedback."""
    return url_for("communities.meeting", meeting_id=meeting.id)


def _not_yet(
    template: str,
    meeting: CommunityMeeting,
    community: Community,
    message: str = NOT_YET,
    refused: int = 409,
) -> Response:
    """No form, with `message` saying why; a form posted anyway is refused (`refused`)."""
    status = refused if request.method == "POST" else 200
    context = {"meeting": meeting, "community": community, "back": meeting_url(meeting)}
    return render(template, form=None, message=message, status=status, **context)


@bp.route("/community-meetings/<id:meeting_id>/feedback", methods=["GET", "POST"])
def give(meeting_id: int):
    """Your answers to the three questions about a meeting; a second visit changes them."""
    meeting, community = meeting_or_404(meeting_id, CommunityPermission.TAKE_PART)
    if meeting.held_on > today():
        return _not_yet("community_feedback/give.html", meeting, community)
    if not queries.may_answer_online(meeting, current_user):
        return _not_yet("community_feedback/give.html", meeting, community, NOT_AT_IT, 403)
    existing = queries.own_feedback(meeting, current_user)
    form = FeedbackForm(obj=existing)
    if request.method == "GET" and existing is None:
        group = member_group(community, current_user)
        form.stakeholder_group.data = group.value if group else ""
    if form.validate_on_submit():
        operations.give_feedback(current_user, community, meeting, form.details(), existing)
        db.session.commit()
        flash("Thank you: your answers are saved. You can change them at any time.", "success")
        return see_other(meeting_url(meeting))
    return render(
        "community_feedback/give.html",
        "feedback_form",
        form_status(form),
        meeting=meeting,
        community=community,
        form=form,
        existing=existing,
        back=meeting_url(meeting),
    )


@bp.route("/community-meetings/<id:meeting_id>/feedback/paper", methods=["GET", "POST"])
def paper(meeting_id: int):
    """Type in a paper feedback form from a meeting, one at a time."""
    meeting, community = meeting_or_404(meeting_id, CommunityPermission.FACILITATE)
    if meeting.held_on > today():
        return _not_yet("community_feedback/paper.html", meeting, community)
    form = PaperFeedbackForm()
    if form.validate_on_submit():
        operations.add_paper_feedback(current_user, community, meeting, form.details())
        db.session.commit()
        typed_in = queries.paper_forms(meeting)
        flash(f"Paper form added ({typed_in} typed in for this meeting).", "success")
        return see_other(url_for("community_feedback.paper", meeting_id=meeting.id))
    return render(
        "community_feedback/paper.html",
        "feedback_form",
        form_status(form),
        meeting=meeting,
        community=community,
        form=form,
        typed_in=queries.paper_forms(meeting),
        back=meeting_url(meeting),
    )


@bp.get("/communities/<id:community_id>/evaluation")
def evaluation(community_id: int):
    """Feedback after meetings counted by stakeholder group, and interview-based evaluations."""
    community = community_or_404(community_id)
    page = queries.community_evaluation(community, today())
    role = community_role(current_user, community)
    return render(
        "community_feedback/evaluation.html",
        community=community,
        page=page,
        meetings=list(zip(page.meetings, page.result.meetings, strict=True)),
        # Comments are written to the community: its research partners read the counts only.
        show_comments=role != CommunityRole.RESEARCH_PARTNER,
        **_words(),
    )


def _words() -> dict[str, Any]:
    return {
        "questions": QUESTIONS,
        "question_words": QUESTION_WORDS,
        "row_labels": ROW_LABELS,
        "small_group": SMALL_GROUP,
        "in_words": in_words,
        "bar_segments": bar_segments,
        "chart_width": CHART_WIDTH,
    }


def note_or_404(note_id: int) -> tuple[EvaluationNote, Community]:
    note = community_record_or_404(EvaluationNote, note_id, CommunityPermission.FACILITATE)
    return note, db.session.get(Community, note.community_id)


def _evaluation_url(community: Community, anchor: str = "evaluation-notes") -> str:
    return url_for("community_feedback.evaluation", community_id=community.id, _anchor=anchor)


@bp.route("/communities/<id:community_id>/evaluation/notes/new", methods=["GET", "POST"])
def add_note(community_id: int):
    """Add the notes of an interview-based evaluation."""
    community = community_or_404(community_id, CommunityPermission.FACILITATE)
    form = NoteForm()
    if form.validate_on_submit():
        note = operations.add_note(current_user, community, form.details())
        db.session.commit()
        flash(f"Evaluation notes “{note.title}” added.", "success")
        return see_other(_evaluation_url(community, f"note-{note.id}"))
    return render(
        "community_feedback/note.html",
        "note_form",
        form_status(form),
        community=community,
        form=form,
        note=None,
        back=_evaluation_url(community),
    )


@bp.route("/evaluation-notes/<id:note_id>/edit", methods=["GET", "POST"])
def edit_note(note_id: int):
    """Change evaluation notes; a save over someone else's newer one is refused (409)."""
    note, community = note_or_404(note_id)
    form = NoteForm(obj=note)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, note)
        if not conflict:
            changed = operations.update_note(current_user, community, note, form.details())
            db.session.commit()
            flash("Evaluation notes saved." if changed else "Nothing was changed.", "success")
            return see_other(_evaluation_url(community, f"note-{note.id}"))
    return render(
        "community_feedback/note.html",
        "note_form",
        form_status(form, conflict),
        community=community,
        form=form,
        note=note,
        conflict=conflict,
        saved=saved_values(form, note) if conflict else [],
        back=_evaluation_url(community, f"note-{note.id}"),
    )


@bp.route("/evaluation-notes/<id:note_id>/remove", methods=["GET", "POST"])
def remove_note(note_id: int):
    """Confirm, then remove evaluation notes."""
    note, community = note_or_404(note_id)
    conflict = request.method == "POST" and removal_conflict(note)
    if request.method == "POST" and not conflict:
        operations.remove_note(current_user, community, note)
        db.session.commit()
        flash(f"The evaluation notes “{note.title}” have been removed.", "success")
        return see_other(_evaluation_url(community))
    return render(
        "community_feedback/note_remove.html",
        community=community,
        note=note,
        conflict=conflict,
        back=_evaluation_url(community, f"note-{note.id}"),
        status=removal_status(conflict),
    )
