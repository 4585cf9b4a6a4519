"""PDSA cycles: starting one, its worksheet (each stage saved on its own, in order), its tasks, the
experts' views, and the ramp view."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from improve.comments.queries import thread_context
from improve.cycles import bp, forms, operations, queries
from improve.extensions import db
from improve.forms import removal_conflict, removal_status
from improve.htmx import is_partial_request, render, see_other
from improve.measures import cycle_links
from improve.models import (
    Aim,
    ChangeIdea,
    Cycle,
    Decision,
    ExpertViewKind,
    Improved,
    Ramp,
    Stage,
    Team,
)
from improve.permissions import Permission, can, team_or_404, team_record_or_404
from improve.routing import parse_id

TEMPLATE = "cycles/detail.html"
# The blocks of the worksheet a partial GET may ask for (?part=): htmx refreshes a locked stage
# once an earlier one is saved.
PARTS = (
    "cycle_summary",
    "plan_stage",
    "plan_tasks",
    "plan_expert",
    "do_stage",
    "study_stage",
    "study_expert",
    "act_stage",
)
SAVED = {
    "plan": "Plan saved.",
    "do": "Do stage saved. Next, study what happened.",
    "study": "Study stage saved. Next, decide what to do.",
    "act": "Decision saved. This cycle is now closed.",
}


@bp.app_template_filter()
def stage_name(stage: Stage) -> str:
    return forms.STAGE_NAMES[stage]


@bp.app_template_filter()
def stage_description(stage: Stage) -> str:
    return forms.STAGE_DESCRIPTIONS[stage]


@bp.app_template_filter()
def decision_name(decision: Decision | str | None) -> str:
    return forms.DECISION_NAMES[Decision(decision)] if decision else ""


@bp.app_template_filter()
def decision_explanation(decision: Decision | str | None) -> str:
    return forms.DECISION_EXPLANATIONS[Decision(decision)] if decision else ""


@bp.app_template_filter()
def improved_name(improved: Improved | None) -> str:
    return forms.IMPROVED_NAMES[improved] if improved else ""


def _page(cycle: Cycle, fragment: str | None = None, status: int = 200, **given: Any) -> Response:
    """The worksheet, or one block of it, with forms filled from what is saved unless given."""
    aim = cycle.ramp.change_idea.aim
    team = db.session.get(Team, cycle.team_id)
    measures = queries.aim_measures(aim.id, cycle.id)
    views = queries.expert_views(cycle)
    blank_forms = {
        "plan_form": lambda: forms.saved_plan_form(
            cycle, measures, operations.linked_measure_ids(cycle)
        ),
        "task_form": lambda: forms.TaskForm(formdata=None, prefix="task"),
        "do_form": lambda: forms.saved_do_form(cycle),
        "study_form": lambda: forms.saved_study_form(cycle),
        "act_form": lambda: forms.saved_act_form(cycle),
        "expert_plan_form": lambda: forms.saved_expert_form(
            ExpertViewKind.WHAT_MATTERS,
            queries.own_view(views, ExpertViewKind.WHAT_MATTERS, current_user),
        ),
        "expert_study_form": lambda: forms.saved_expert_form(
            ExpertViewKind.DIFFERENCE,
            queries.own_view(views, ExpertViewKind.DIFFERENCE, current_user),
        ),
    }
    for name, build in blank_forms.items():
        if given.get(name) is None:
            given[name] = build()
    may_edit = can(current_user, Permission.EDIT_TEAM_RECORDS, team)
    stages = ("plan", "do", "study", "act")
    given.setdefault("refusals", {})
    given.setdefault("conflicts", set())
    linked = queries.linked_measures(cycle)
    # Only the full page shows them, from Study on (one series query per linked measure).
    signals_shown = fragment is None and cycle.stage in (Stage.STUDY, Stage.ACT, Stage.CLOSED)
    return render(
        TEMPLATE,
        fragment,
        status,
        cycle=cycle,
        aim=aim,
        team=team,
        questions=cycle.questions,
        linked_measures=linked,
        study_signals=cycle_links.signals_since_cycle(cycle, linked) if signals_shown else None,
        owner_name=queries.person_name(cycle.owner_id),
        later_cycle=queries.later_cycle(cycle),
        may_edit=may_edit,
        may_add_view=can(current_user, Permission.ADD_EXPERT_VIEW, team),
        expert_views=views,
        editable={s: may_edit and operations.refusal(cycle, s) is None for s in stages},
        # A full page answering a refused or invalid save points to the block that says why.
        problem_at=fragment.replace("_", "-") if fragment and status >= 400 else None,
        today=date.today(),
        **given,
        **thread_context(cycle=cycle),
    )


def _saved(cycle: Cycle, part: str, message: str) -> Response:
    """Commit, then 303 to the stage (no JavaScript) or that stage's block (htmx)."""
    db.session.commit()
    flash(message, "success")
    if not is_partial_request():
        return see_other(url_for(".detail", cycle_id=cycle.id, _anchor=part.replace("_", "-")))
    response = _page(cycle, part)
    response.headers["HX-Trigger"] = (
        "cycle-closed" if cycle.stage == Stage.CLOSED else "cycle-saved"
    )
    return response


def _unsaveable(cycle: Cycle, stage: str, form: FlaskForm, *checks: Any) -> Response | None:
    """A 422 answer if the stage may not be saved now (out of order, closed), the form is
    invalid, or someone else saved the stage since this person loaded it; else None."""
    block, forms_given = f"{stage}_stage", {f"{stage}_form": form}
    if message := operations.refusal(cycle, stage):
        return _page(cycle, block, 422, refusals={stage: message}, **forms_given)
    if not form.validate_on_submit() or not all(check() for check in checks):
        return _page(cycle, block, 422, form=form, **forms_given)
    saved_version = str(operations.stage_version(cycle, stage))
    if form.version.data != saved_version:
        form.version.data = saved_version  # saving again now overwrites, knowingly
        return _page(cycle, block, 422, conflicts={stage}, **forms_given)
    return None


# Starting a cycle ------------------------------------------------------------------------------


def _new_cycle_form(aim: Aim, after: Cycle | None) -> forms.NewCycleForm:
    prefill: dict[str, Any] | None = None
    if request.method == "GET":
        prefill = {"change_idea": _preselected_idea(aim)}
        if after is not None:
            owner = str(after.owner_id or "")
            prefill.update(title=after.title, objective=after.objective, owner=owner)
    form = forms.NewCycleForm(data=prefill)
    form.set_people(queries.list_people(aim.team_id))
    if after is not None:
        del form.change_idea  # the ramp decides the idea
    else:
        form.set_ideas(queries.list_ideas(aim))
    return form


def _preselected_idea(aim: Aim) -> str | None:
    raw = request.args.get("idea", "")
    if not raw:
        return None
    if parse_id(raw) not in {idea_id for idea_id, _ in queries.list_ideas(aim)}:
        abort(400, "That change idea is not one of this aim's. Go back to the aim and try again.")
    return raw


def _previous_cycle(aim: Aim) -> Cycle | None:
    raw = request.args.get("after", "")
    if not raw:
        return None
    cycle_id = parse_id(raw)
    if cycle_id is None:
        abort(404)
    return queries.cycle_of_aim_or_404(aim, cycle_id)


@bp.route("/aims/<id:aim_id>/cycles/new", methods=["GET", "POST"])
def new(aim_id: int):
    """Plan a new cycle (?idea=<change idea id> preselects the idea; ?after=<cycle id> opens the
    next cycle in that cycle's ramp with its plan copied)."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    after = _previous_cycle(aim)
    form = _new_cycle_form(aim, after)
    if form.validate_on_submit():
        cycle = _create_cycle(aim, after, form)
        flash(f"Cycle {cycle.number} started. Now finish the plan: add your questions.", "success")
        return see_other(url_for(".detail", cycle_id=cycle.id, _anchor="plan-stage"))
    return render(
        "cycles/new.html",
        form=form,
        aim=aim,
        after=after,
        has_ideas=after is not None or bool(form.change_idea.choices),
        status=422 if form.errors else 200,
    )


def _create_cycle(aim: Aim, after: Cycle | None, form: forms.NewCycleForm) -> Cycle:
    idea = (
        after.ramp.change_idea if after else db.session.get(ChangeIdea, int(form.change_idea.data))
    )
    cycle = operations.create_cycle(
        current_user, aim, idea, form.details(), form.objective.data, after
    )
    try:
        db.session.commit()
    except IntegrityError:  # two people took the same next number in the ramp at once
        db.session.rollback()
        abort(
            409,
            "Someone else started the next cycle in this ramp at the same moment. "
            "Go back to the ramp to see it, then plan the one after if you still need to.",
        )
    return cycle


# The worksheet ---------------------------------------------------------------------------------


@bp.get("/cycles/<id:cycle_id>")
def detail(cycle_id: int):
    """A cycle's worksheet: Plan, Do, Study, Act (?part=<block> for one block, with htmx)."""
    cycle = team_record_or_404(Cycle, cycle_id)
    part = request.args.get("part")
    return _page(cycle, part if part in PARTS else None)


@bp.route("/cycles/<id:cycle_id>/edit", methods=["GET", "POST"])
def edit(cycle_id: int):
    """Change a cycle's name, leader and dates."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    if message := operations.refusal(cycle, "plan"):
        abort(422, message)
    form = forms.EditCycleForm(data=_saved_details(cycle))
    form.set_people(queries.list_people(cycle.team_id, cycle.owner_id))
    conflict = False
    if form.validate_on_submit() and _starts_after_tasks(cycle, form):
        if form.version.data == str(cycle.version):
            operations.update_details(current_user, cycle, form.details())
            return _saved(cycle, "cycle_summary", "Changes saved.")
        conflict, form.version.data = True, str(cycle.version)
    status = 422 if form.errors or conflict else 200
    return render("cycles/edit.html", form=form, cycle=cycle, conflict=conflict, status=status)


def _saved_details(cycle: Cycle) -> dict[str, Any] | None:
    """The details form's values from the cycle, only when the form is not being posted."""
    if request.method == "POST":
        return None
    return {
        "version": cycle.version,
        "title": cycle.title,
        "owner": str(cycle.owner_id) if cycle.owner_id else "",
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
    }


def _starts_after_tasks(cycle: Cycle, form: forms.EditCycleForm) -> bool:
    early = operations.tasks_due_before(cycle, form.starts_on.data)
    if early:
        names = ", ".join(f"‘{task.description}’" for task in early)
        form.starts_on.errors = [
            f"These tasks are due before this start date: {names}. Change the date or remove "
            "those tasks first"
        ]
    return not early


@bp.post("/cycles/<id:cycle_id>/plan")
def save_plan(cycle_id: int):
    """Save the Plan: objective, questions and predictions, the change, the data plan."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    form = forms.PlanForm(prefix="plan")
    form.measures.choices = forms.measure_choices(
        queries.aim_measures(cycle.ramp.change_idea.aim_id, cycle.id)
    )
    adding = form.add_question.data and operations.refusal(cycle, "plan") is None
    if adding and len(form.questions) < forms.MAX_QUESTIONS:
        form.questions.append_entry()  # another empty row; nothing is saved yet
        return _page(cycle, "plan_stage", plan_form=form)
    known = {question.id for question in cycle.questions}
    if response := _unsaveable(
        cycle, "plan", form, lambda: forms.validate_question_ids(form, known)
    ):
        return response
    operations.save_plan(
        current_user, cycle, form.plan_values(), form.question_rows(), form.measures.data or []
    )
    return _saved(cycle, "plan_stage", SAVED["plan"])


@bp.post("/cycles/<id:cycle_id>/do")
def save_do(cycle_id: int):
    """Record the Do stage: was the test carried out as planned, and what happened."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    form = forms.DoForm(prefix="do")
    if response := _unsaveable(cycle, "do", form):
        return response
    operations.save_do(current_user, cycle, form.do_values())
    return _saved(cycle, "do_stage", SAVED["do"])


@bp.post("/cycles/<id:cycle_id>/study")
def save_study(cycle_id: int):
    """Record the Study stage: what happened against each prediction, and did it help."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    form = forms.StudyForm(prefix="study")
    known = {question.id for question in cycle.questions}
    if response := _unsaveable(
        cycle, "study", form, lambda: forms.validate_result_ids(form, known)
    ):
        return response
    operations.save_study(current_user, cycle, form.study_values(), form.results())
    return _saved(cycle, "study_stage", SAVED["study"])


@bp.post("/cycles/<id:cycle_id>/act")
def save_act(cycle_id: int):
    """Record the Act decision (adopt, adapt or abandon), which closes the cycle."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    form = forms.ActForm(prefix="act")
    if response := _unsaveable(cycle, "act", form):
        return response
    operations.save_act(current_user, cycle, form.act_values())
    return _saved(cycle, "act_stage", SAVED["act"])


# Experts by experience -------------------------------------------------------------------------


EXPERT_PARTS = {
    ExpertViewKind.WHAT_MATTERS: ("plan_expert", "expert_plan_form"),
    ExpertViewKind.DIFFERENCE: ("study_expert", "expert_study_form"),
}


def _save_expert_view(cycle: Cycle, form: forms.ExpertViewForm, kind: ExpertViewKind) -> Response:
    """Save the person's own view; a view they changed in another tab since is shown, not
    overwritten (409), and saving again then keeps this one."""
    part, form_name = EXPERT_PARTS[kind]
    plain = form.return_to.data == "plain"
    if message := operations.refusal(cycle, "plan"):
        if plain:
            return _plain_page(cycle, 422, refusal=message, **{form_name: form})
        return _page(cycle, part, 422, refusals={part: message}, **{form_name: form})
    own = queries.own_view(queries.expert_views(cycle), kind, current_user)
    stale = form.is_submitted() and own is not None and form.version.data != str(own.version)
    if not form.validate_on_submit() or stale:
        if stale:
            form.version.data = str(own.version)  # saving again now keeps these words, knowingly
        status = 409 if stale and not is_partial_request() else 422
        conflicts = {part} if stale else set()
        if plain:
            return _plain_page(cycle, status, conflicts=conflicts, **{form_name: form})
        return _page(cycle, part, status, conflicts=conflicts, **{form_name: form})
    operations.save_expert_view(current_user, cycle, kind, form.body.data, own)
    if plain:
        db.session.commit()
        flash("Your view is saved. Thank you.", "success")
        return see_other(url_for(".plain", cycle_id=cycle.id, _anchor=part.replace("_", "-")))
    return _saved(cycle, part, "Your view is saved. Thank you.")


@bp.post("/cycles/<id:cycle_id>/plan/expert")
def save_expert_plan(cycle_id: int):
    """An expert by experience says what matters to them about this change."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.ADD_EXPERT_VIEW)
    form = forms.ExpertPlanForm(prefix="expert_plan")
    return _save_expert_view(cycle, form, ExpertViewKind.WHAT_MATTERS)


@bp.post("/cycles/<id:cycle_id>/study/expert")
def save_expert_study(cycle_id: int):
    """An expert by experience says whether this made a difference to them."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.ADD_EXPERT_VIEW)
    form = forms.ExpertStudyForm(prefix="expert_study")
    return _save_expert_view(cycle, form, ExpertViewKind.DIFFERENCE)


@bp.get("/cycles/<id:cycle_id>/plain-words")
def plain(cycle_id: int):
    """The cycle in plain words, for experts by experience (and anyone): what the team is
    trying, what it expects, what happened and what it decided, with every expert's view."""
    cycle = team_record_or_404(Cycle, cycle_id)
    return _plain_page(cycle)


def _plain_page(cycle: Cycle, status: int = 200, **given: Any) -> Response:
    team = db.session.get_one(Team, cycle.team_id)
    views = queries.expert_views(cycle)
    for kind, (_part, form_name) in EXPERT_PARTS.items():
        if given.get(form_name) is None:
            given[form_name] = forms.saved_expert_form(
                kind, queries.own_view(views, kind, current_user)
            )
        given[form_name].return_to.data = "plain"  # saved, the person comes back here
    given.setdefault("conflicts", set())
    return render(
        "cycles/plain.html",
        status=status,
        cycle=cycle,
        idea=cycle.ramp.change_idea,
        team=team,
        questions=cycle.questions,
        expert_views=views,
        may_add_view=can(current_user, Permission.ADD_EXPERT_VIEW, team)
        and cycle.stage != Stage.CLOSED,
        **given,
        **{**thread_context(cycle=cycle), "comment_target_label": "test of a change"},
    )


# Tasks and questions ---------------------------------------------------------------------------


@bp.post("/cycles/<id:cycle_id>/tasks")
def add_task(cycle_id: int):
    """Add a task to the plan: what, who, by when (not before the cycle starts)."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    form = forms.TaskForm(prefix="task")
    if message := operations.refusal(cycle, "plan"):
        return _page(cycle, "plan_tasks", 422, refusals={"tasks": message}, task_form=form)
    if not (form.validate_on_submit() and form.check_due_date(cycle.starts_on)):
        return _page(cycle, "plan_tasks", 422, form=form, task_form=form)
    details = {name: getattr(form, name).data or "" for name in ("description", "owner_name")}
    operations.add_task(current_user, cycle, {**details, "due_on": form.due_on.data})
    return _saved(cycle, "plan_tasks", f"Task ‘{details['description']}’ added.")


@bp.post("/cycles/<id:cycle_id>/tasks/<id:task_id>/done")
def tick_task(cycle_id: int, task_id: int):
    """Tick a task off (done=yes), or reopen it (done=no)."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    task = queries.task_or_404(cycle, task_id)
    done = request.form.get("done")
    if done not in ("yes", "no"):
        abort(400, "Say whether the task is done: this form sends yes or no.")
    if message := operations.refusal(cycle, "plan"):
        return _page(cycle, "plan_tasks", 422, refusals={"tasks": message})
    operations.set_task_done(current_user, cycle, task, done == "yes")
    word = "done" if done == "yes" else "not done yet"
    return _saved(cycle, "plan_tasks", f"Task ‘{task.description}’ marked as {word}.")


def _confirm_removal(
    cycle: Cycle, thing: str, record: Any, text: str, remove: Any, refusal: str | None
):
    """GET asks "are you sure?"; POST removes and returns to the plan. A record changed after the
    question was shown is not removed: the question is asked again about it as it is now (409)."""
    page = {"cycle": cycle, "thing": thing, "record": record, "text": text}
    if refusal:
        return render(
            "cycles/confirm_remove.html", refusal=refusal, conflict=False, status=422, **page
        )
    conflict = request.method == "POST" and removal_conflict(record)
    if request.method == "POST" and not conflict:
        remove()
        return _saved(
            cycle,
            "plan_tasks" if thing == "task" else "plan_stage",
            f"The {thing} ‘{text}’ has been removed.",
        )
    status = removal_status(conflict)
    return render(
        "cycles/confirm_remove.html", refusal=None, conflict=conflict, status=status, **page
    )


@bp.route("/cycles/<id:cycle_id>/tasks/<id:task_id>/remove", methods=["GET", "POST"])
def remove_task(cycle_id: int, task_id: int):
    """Confirm, then remove a task from the plan."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    task = queries.task_or_404(cycle, task_id)
    return _confirm_removal(
        cycle,
        "task",
        task,
        task.description,
        lambda: operations.remove_task(current_user, cycle, task),
        operations.refusal(cycle, "plan"),
    )


@bp.route("/cycles/<id:cycle_id>/questions/<id:question_id>/remove", methods=["GET", "POST"])
def remove_question(cycle_id: int, question_id: int):
    """Confirm, then take a question (and its prediction and result) out of the plan."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    question = queries.question_or_404(cycle, question_id)
    return _confirm_removal(
        cycle,
        "question",
        question,
        question.question,
        lambda: operations.remove_question(current_user, cycle, question),
        operations.question_removal_refusal(cycle),
    )


# Ramps -----------------------------------------------------------------------------------------


@bp.get("/ramps/<id:ramp_id>")
def ramp(ramp_id: int):
    """The cycles of one ramp in order, with their dates, stages and decisions."""
    ramp = db.get_or_404(Ramp, ramp_id)
    idea = ramp.change_idea
    team = team_or_404(idea.aim.team_id)
    return render(
        "cycles/ramp.html",
        ramp=ramp,
        idea=idea,
        aim=idea.aim,
        team=team,
        rows=queries.ramp_rows(ramp),
        may_edit=can(current_user, Permission.EDIT_TEAM_RECORDS, team),
    )
