"""What each worksheet form posts, as a browser sends it (field names carry the form's prefix)."""

from __future__ import annotations

from typing import Any

from improve.models import Cycle


def plan_data(
    cycle: Cycle, questions: list[tuple[Any, str, str]] | None = None, **fields: Any
) -> dict[str, Any]:
    """The Plan form as loaded from the cycle, with `fields` (without the prefix) changed.
    questions: (id or "", question, prediction) rows; default: the cycle's own."""
    data: dict[str, Any] = {
        "version": str(cycle.plan_version),
        "objective": cycle.objective,
        "change_who": cycle.change_who,
        "change_what": cycle.change_what,
        "change_where": cycle.change_where,
        "change_when": cycle.change_when,
        "data_plan": cycle.data_plan,
        "data_collected_by": cycle.data_collected_by,
    }
    data.update(fields)
    if questions is None:
        questions = [(q.id, q.question, q.prediction) for q in cycle.questions]
    posted = {f"plan-{name}": value for name, value in data.items()}
    for index, (question_id, question, prediction) in enumerate(questions):
        posted[f"plan-questions-{index}-question_id"] = str(question_id)
        posted[f"plan-questions-{index}-question"] = question
        posted[f"plan-questions-{index}-prediction"] = prediction
    return posted


def do_data(version: int = 1, **fields: Any) -> dict[str, Any]:
    data = {
        "version": str(version),
        "carried_out_as_planned": "yes",
        "what_happened": "We held the huddle on 4 of 5 mornings.",
        "problems_and_surprises": "Agency staff did not know about it.",
    }
    data.update(fields)
    return {f"do-{name}": value for name, value in data.items()}


def study_data(cycle: Cycle, version: int = 1, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(version),
        "improved": "yes",
        "why_improved": "Staff named two people at risk each day.",
    }
    data.update(fields)
    posted = {f"study-{name}": value for name, value in data.items()}
    for index, question in enumerate(cycle.questions):
        posted[f"study-answers-{index}-question_id"] = str(question.id)
        posted[f"study-answers-{index}-result"] = f"Result for {question.question}"
        posted[f"study-answers-{index}-learning"] = "Mornings suit the day shift."
    return posted


def act_data(version: int = 1, **fields: Any) -> dict[str, Any]:
    data = {"version": str(version), "decision": "adapt", "next_steps": "Try it on both floors."}
    data.update(fields)
    return {f"act-{name}": value for name, value in data.items()}


def expert_data(stage: str, text: str, version: str = "") -> dict[str, Any]:
    """An expert's own view; `version` is that of their saved view they loaded (empty: none)."""
    prefix = f"expert_{stage}"
    return {f"{prefix}-version": version, f"{prefix}-body": text}
