"""Writes for PDSA cycles, and the worksheet's stage rules. Every create, change and delete leaves
an audit row (with the team and collaborative) in the same transaction; the view commits once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from improve.auditing import record_event, snapshot
from improve.extensions import db
from improve.models import (
    Aim,
    AuditAction,
    ChangeIdea,
    Cycle,
    CycleQuestion,
    CycleTask,
    ExpertView,
    ExpertViewKind,
    Ramp,
    Stage,
    Team,
    User,
    utcnow,
)
from improve.models.cycle import cycle_measure

DETAIL_FIELDS = ("title", "owner_id", "starts_on", "ends_on")
PLAN_FIELDS = (
    "objective",
    "change_who",
    "change_what",
    "change_where",
    "change_when",
    "data_plan",
    "data_collected_by",
)
DO_FIELDS = ("carried_out_as_planned", "what_happened", "problems_and_surprises")
STUDY_FIELDS = ("improved", "why_improved")
ACT_FIELDS = ("decision", "next_steps")
EXPERT_FIELDS = ("kind", "body")  # an expert by experience's own view (ExpertView)
CYCLE_FIELDS = ("ramp_id", "number", *DETAIL_FIELDS, "stage", *PLAN_FIELDS, *DO_FIELDS) + (
    *STUDY_FIELDS,
    *ACT_FIELDS,
    "closed_at",
)
QUESTION_FIELDS = ("cycle_id", "position", "question", "prediction", "result", "learning")
TASK_FIELDS = ("cycle_id", "description", "owner_name", "due_on", "done_at")

# The worksheet's stages in order; a cycle's stage only moves forward (see _advance).
STAGE_ORDER = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.CLOSED)
STAGE_WORDS = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act"}


# Rules -----------------------------------------------------------------------------------------


def plan_is_ready(cycle: Cycle) -> bool:
    """Do can be recorded once the plan has an objective and at least one question."""
    return bool(cycle.objective) and bool(cycle.questions)


def do_is_recorded(cycle: Cycle) -> bool:
    return cycle.carried_out_as_planned is not None


def study_is_recorded(cycle: Cycle) -> bool:
    return cycle.improved is not None


def refusal(cycle: Cycle, stage: str) -> str | None:
    """Why this part of the worksheet cannot be saved now, in plain words; None if it can."""
    if cycle.stage == Stage.CLOSED:
        return (
            "This cycle is closed: the team has made its decision, so it can no longer be "
            "changed. To keep testing, plan the next cycle in this ramp."
        )
    if stage == "do" and not plan_is_ready(cycle):
        return (
            "You cannot record the Do stage yet: first save a plan with an objective and at "
            "least one question with a prediction."
        )
    if stage == "study" and not do_is_recorded(cycle):
        return "You cannot record the Study stage yet: first record what happened in the Do stage."
    if stage == "act" and not (do_is_recorded(cycle) and study_is_recorded(cycle)):
        return (
            "You cannot decide yet: first record what happened (Do) and what you learned "
            "(Study). A cycle closes only after both."
        )
    return None


def stage_version(cycle: Cycle, stage: str) -> int:
    return getattr(cycle, f"{stage}_version")


def _audit_ids(cycle: Cycle) -> dict[str, int]:
    team = db.session.get(Team, cycle.team_id)  # already loaded by the permission check
    assert team is not None
    return {"team_id": team.id, "collaborative_id": team.collaborative_id}


def _label(cycle: Cycle) -> str:
    return f"cycle {cycle.number} ‘{cycle.title}’"


def _audited_change(
    actor: User,
    cycle: Cycle,
    entity: Any,
    fields: tuple[str, ...],
    values: dict[str, Any],
    summary: str,
    extra: tuple[dict[str, Any], dict[str, Any]] = ({}, {}),
) -> bool:
    """Set values and audit only what changed (plus `extra` before/after values, such as the
    linked measures); False if nothing did."""
    before = {**snapshot(entity, fields), **extra[0]}
    for name, value in values.items():
        setattr(entity, name, value)
    after = {**snapshot(entity, fields), **extra[1]}
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return False
    record_event(
        actor.id,
        AuditAction.UPDATE,
        entity,
        summary=summary,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        **_audit_ids(cycle),
    )
    return True


def _audited_create(actor: User, cycle: Cycle, entity: Any, fields: tuple[str, ...], summary: str):
    db.session.add(entity)
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.CREATE,
        entity,
        summary=summary,
        after=snapshot(entity, fields),
        **_audit_ids(cycle),
    )


def _audited_delete(actor: User, cycle: Cycle, entity: Any, fields: tuple[str, ...], summary: str):
    record_event(
        actor.id,
        AuditAction.DELETE,
        entity,
        summary=summary,
        before=snapshot(entity, fields),
        **_audit_ids(cycle),
    )
    db.session.delete(entity)
    db.session.flush()


# Creating a cycle ------------------------------------------------------------------------------


def linked_measure_ids(cycle: Cycle) -> list[int]:
    query = sa.select(cycle_measure.c.measure_id).where(cycle_measure.c.cycle_id == cycle.id)
    return sorted(db.session.scalars(query))


def _link_measures(cycle: Cycle, measure_ids: list[int]) -> None:
    db.session.execute(sa.delete(cycle_measure).where(cycle_measure.c.cycle_id == cycle.id))
    if measure_ids:
        rows = [{"cycle_id": cycle.id, "measure_id": measure_id} for measure_id in measure_ids]
        db.session.execute(sa.insert(cycle_measure), rows)


def create_cycle(
    actor: User,
    aim: Aim,
    idea: ChangeIdea,
    details: dict[str, Any],
    objective: str,
    after: Cycle | None = None,
) -> Cycle:
    """A new cycle: the first of a new ramp on the idea, or (after=) the next in that cycle's
    ramp, its plan, questions and data plan copied from `after` as a starting point."""
    if after is None:
        ramp = Ramp(change_idea_id=idea.id, title=details["title"])
        db.session.add(ramp)
        db.session.flush()
        number = 1
    else:
        ramp = after.ramp
        last = db.session.scalar(
            sa.select(sa.func.max(Cycle.number)).where(Cycle.ramp_id == ramp.id)
        )
        number = (last or 0) + 1
    cycle = Cycle(
        team_id=aim.team_id,
        ramp_id=ramp.id,
        number=number,
        created_by_id=actor.id,
        stage=Stage.PLAN,
        **details,
    )
    if after is not None:
        for name in PLAN_FIELDS:
            setattr(cycle, name, getattr(after, name))
    cycle.objective = objective
    db.session.add(cycle)
    db.session.flush()
    copied = {"copied_from_cycle_id": after.id} if after else {}
    record_event(
        actor.id,
        AuditAction.CREATE,
        cycle,
        summary=f"Planned {_label(cycle)} to test ‘{idea.title}’",
        after={**snapshot(cycle, CYCLE_FIELDS), **copied},
        **_audit_ids(cycle),
    )
    if after is not None:
        for position, question in enumerate(after.questions):
            copy = CycleQuestion(
                cycle_id=cycle.id,
                position=position,
                question=question.question,
                prediction=question.prediction,
            )
            _audited_create(
                actor, cycle, copy, QUESTION_FIELDS, f"Added a question to {_label(cycle)}"
            )
        _link_measures(cycle, linked_measure_ids(after))
    return cycle


def update_details(actor: User, cycle: Cycle, details: dict[str, Any]) -> None:
    _audited_change(actor, cycle, cycle, DETAIL_FIELDS, details, f"Changed {_label(cycle)}")


def tasks_due_before(cycle: Cycle, starts_on: Any) -> list[CycleTask]:
    return [task for task in cycle.tasks if task.due_on < starts_on]


# Plan ------------------------------------------------------------------------------------------


def save_plan(
    actor: User,
    cycle: Cycle,
    values: dict[str, Any],
    questions: list[dict[str, Any]],
    measure_ids: list[int],
) -> None:
    """Save the Plan: its text, its questions (edited and new, in order) and linked measures."""
    summary = f"Changed the plan of {_label(cycle)}"
    before_measures = linked_measure_ids(cycle)
    after_measures = sorted(set(measure_ids))
    changed = _audited_change(
        actor,
        cycle,
        cycle,
        PLAN_FIELDS,
        values,
        summary,
        extra=({"measure_ids": before_measures}, {"measure_ids": after_measures}),
    )
    if before_measures != after_measures:
        _link_measures(cycle, after_measures)
    existing = {question.id: question for question in cycle.questions}
    for position, row in enumerate(questions):
        fields = {
            "position": position,
            "question": row["question"],
            "prediction": row["prediction"],
        }
        if row["id"] is None:
            question = CycleQuestion(cycle_id=cycle.id, **fields)
            _audited_create(
                actor, cycle, question, QUESTION_FIELDS, f"Added a question to {_label(cycle)}"
            )
            changed = True
        else:
            changed |= _audited_change(
                actor,
                cycle,
                existing[row["id"]],
                QUESTION_FIELDS,
                fields,
                f"Changed a question in {_label(cycle)}",
            )
    db.session.expire(cycle, ["questions"])
    if changed:
        cycle.plan_version += 1
    if cycle.stage in (Stage.PLAN, Stage.DO) and not do_is_recorded(cycle):
        cycle.stage = Stage.DO if plan_is_ready(cycle) else Stage.PLAN


def remove_question(actor: User, cycle: Cycle, question: CycleQuestion) -> None:
    _audited_delete(
        actor, cycle, question, QUESTION_FIELDS, f"Removed a question from {_label(cycle)}"
    )
    db.session.expire(cycle, ["questions"])
    cycle.plan_version += 1
    if cycle.stage == Stage.DO and not plan_is_ready(cycle):
        cycle.stage = Stage.PLAN


def question_removal_refusal(cycle: Cycle) -> str | None:
    """Once Do is recorded, the cycle must keep at least one question for Study to answer."""
    if do_is_recorded(cycle) and len(cycle.questions) <= 1:
        return (
            "This is the cycle's only question, and the Do stage has been recorded: Study needs "
            "at least one question. Add another question before removing this one."
        )
    return refusal(cycle, "plan")


def save_expert_view(
    actor: User, cycle: Cycle, kind: ExpertViewKind, text: str, own: ExpertView | None
) -> ExpertView:
    """An expert by experience's own view, in Plan (what matters to them) or Study (whether it
    made a difference): their own row, signed and dated, changed only by them; it does not touch
    the stage counters, so it never conflicts with the team's edits."""
    words = "what matters to them" if kind == ExpertViewKind.WHAT_MATTERS else "whether it helped"
    if own is None:
        own = ExpertView(
            team_id=cycle.team_id, cycle_id=cycle.id, author_id=actor.id, kind=kind, body=text
        )
        _audited_create(actor, cycle, own, EXPERT_FIELDS, f"Added {words} to {_label(cycle)}")
        return own
    _audited_change(
        actor, cycle, own, EXPERT_FIELDS, {"body": text}, f"Changed {words} on {_label(cycle)}"
    )
    return own


# Tasks -----------------------------------------------------------------------------------------


def add_task(actor: User, cycle: Cycle, details: dict[str, Any]) -> CycleTask:
    task = CycleTask(cycle_id=cycle.id, **details)
    _audited_create(actor, cycle, task, TASK_FIELDS, f"Added a task to {_label(cycle)}")
    db.session.expire(cycle, ["tasks"])
    return task


def set_task_done(actor: User, cycle: Cycle, task: CycleTask, done: bool) -> None:
    if done == (task.done_at is not None):
        return
    word = "Ticked off" if done else "Reopened"
    _audited_change(
        actor,
        cycle,
        task,
        TASK_FIELDS,
        {"done_at": utcnow() if done else None},
        f"{word} the task ‘{task.description}’ in {_label(cycle)}",
    )


def remove_task(actor: User, cycle: Cycle, task: CycleTask) -> None:
    _audited_delete(
        actor,
        cycle,
        task,
        TASK_FIELDS,
        f"Removed the task ‘{task.description}’ from {_label(cycle)}",
    )
    db.session.expire(cycle, ["tasks"])


# Do, Study, Act --------------------------------------------------------------------------------


def save_do(actor: User, cycle: Cycle, values: dict[str, Any]) -> None:
    values = {**values, "stage": max(cycle.stage, Stage.STUDY, key=STAGE_ORDER.index)}
    if _audited_change(
        actor,
        cycle,
        cycle,
        (*DO_FIELDS, "stage"),
        values,
        f"Recorded the Do stage of {_label(cycle)}",
    ):
        cycle.do_version += 1


def save_study(
    actor: User, cycle: Cycle, values: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    values = {**values, "stage": max(cycle.stage, Stage.ACT, key=STAGE_ORDER.index)}
    changed = _audited_change(
        actor,
        cycle,
        cycle,
        (*STUDY_FIELDS, "stage"),
        values,
        f"Recorded the Study stage of {_label(cycle)}",
    )
    questions = {question.id: question for question in cycle.questions}
    for row in results:
        changed |= _audited_change(
            actor,
            cycle,
            questions[row["id"]],
            ("result", "learning"),
            {"result": row["result"], "learning": row["learning"]},
            f"Recorded what happened for a question in {_label(cycle)}",
        )
    if changed:
        cycle.study_version += 1


def save_act(actor: User, cycle: Cycle, values: dict[str, Any]) -> None:
    """The decision closes the cycle."""
    values = {**values, "stage": Stage.CLOSED, "closed_at": utcnow()}
    _audited_change(
        actor,
        cycle,
        cycle,
        (*ACT_FIELDS, "stage", "closed_at"),
        values,
        f"Decided to {values['decision'].value} after {_label(cycle)}, closing it",
    )
    cycle.act_version += 1
