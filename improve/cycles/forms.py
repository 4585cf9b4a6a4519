"""The PDSA worksheet's forms: one per stage, each saved on its own, plus tasks and expert views.

Every field has hint text in plain words: experts by experience and care workers use these forms,
not improvement specialists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import InputRequired, ValidationError

from improve.forms import DateParts, long_text, short_text
from improve.models import Cycle, Decision, ExpertView, ExpertViewKind, Improved, Stage
from improve.routing import parse_id

STAGE_NAMES = {
    Stage.PLAN: "Plan",
    Stage.DO: "Do",
    Stage.STUDY: "Study",
    Stage.ACT: "Act",
    Stage.CLOSED: "Closed",
}
# What each stage means, in one line, for people who have never seen a PDSA worksheet.
STAGE_DESCRIPTIONS = {
    Stage.PLAN: "Plan: getting the test ready",
    Stage.DO: "Do: trying the change",
    Stage.STUDY: "Study: looking at what happened",
    Stage.ACT: "Act: deciding what to do next",
    Stage.CLOSED: "Closed: the team has decided what to do next",
}
DECISION_NAMES = {Decision.ADOPT: "Adopt", Decision.ADAPT: "Adapt", Decision.ABANDON: "Abandon"}
DECISION_EXPLANATIONS = {
    Decision.ADOPT: "It worked: keep doing it, try it on a larger scale or make it part of "
    "everyday work.",
    Decision.ADAPT: "It partly worked: change it and test it again in another cycle.",
    Decision.ABANDON: "It did not work: stop it and try a different change idea.",
}
IMPROVED_NAMES = {Improved.YES: "Yes", Improved.NO: "No", Improved.NOT_SURE: "Not sure yet"}

MAX_QUESTIONS = 30
RELOAD = "This form is out of date. Reload the page and try again"


def version_field() -> HiddenField:
    """The stage version the person loaded: a save from an older version is refused."""
    return HiddenField(validators=[InputRequired(message=RELOAD)])


# Starting a cycle ------------------------------------------------------------------------------


class CycleDetailsForm(FlaskForm):
    title = short_text(
        "Name of this test",
        "A few words your team will recognise, for example: Morning huddle on one unit",
        required="Enter a name for this test",
    )
    owner = SelectField(
        "Who is leading this test (optional)",
        description="The person the team can ask about it. Only people in the team are listed.",
        widget=GovSelect(),
        default="",
        invalid_choice_message="Choose the person leading the test from the list",
    )
    starts_on = DateParts(
        "Start date", "When the test begins, for example 4 5 2026", required="Enter the start date"
    )
    ends_on = DateParts(
        "End date",
        "Short tests teach quickest: a day or a week is often enough.",
        required="Enter the end date",
    )

    def set_people(self, people: list[tuple[int, str]]) -> None:
        self.owner.choices = [SelectChoice("", "Nobody yet")] + [
            SelectChoice(str(user_id), name) for user_id, name in people
        ]

    def validate_ends_on(self, field: DateParts) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be the same as or after the start date")

    def details(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "owner_id": int(self.owner.data) if self.owner.data else None,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
        }


class NewCycleForm(CycleDetailsForm):
    change_idea = SelectField(
        "Which change idea are you testing?",
        description="A change idea is something the team thinks could make things better. "
        "Each cycle tests one.",
        widget=GovSelect(),
        invalid_choice_message="Choose a change idea from the list",
        validators=[InputRequired(message="Choose the change idea you are testing")],
    )
    objective = long_text(
        "What do you want to learn from this test?",
        "This is the objective. For example: will a 5-minute morning huddle help staff spot "
        "who is at risk of falling?",
        required="Enter what you want to learn from this test",
    )
    submit = SubmitField("Start planning", widget=GovSubmitInput())

    def set_ideas(self, ideas: list[tuple[int, str]]) -> None:
        self.change_idea.choices = [SelectChoice(str(idea_id), title) for idea_id, title in ideas]


class EditCycleForm(CycleDetailsForm):
    version = version_field()
    submit = SubmitField("Save", widget=GovSubmitInput())


# Plan ------------------------------------------------------------------------------------------


class QuestionRow(Form):
    """One question and its prediction. An empty new row is ignored."""

    question_id = HiddenField()
    question = long_text(
        "Question",
        "Something you want to find out, for example: will staff have time for the huddle?",
    )
    prediction = long_text(
        "Prediction", "What you think will happen, for example: yes, on 4 days out of 5."
    )

    def validate(self, extra_validators: Any = None) -> bool:
        # Cross-field rules live here, not in validate_prediction: Optional() on an empty field
        # stops its validators before an inline one could run.
        valid = super().validate(extra_validators)
        question, prediction = self.question.data, self.prediction.data
        message = None
        if question and not prediction:
            message = "Enter your prediction for this question"
        elif prediction and not question:
            message = "Enter the question this prediction answers"
        elif self.question_id.data and not question:
            message = "Enter the question and its prediction, or use its Remove link to take it out"
        if message:
            self.prediction.errors = [*self.prediction.errors, message]
        return valid and message is None


class PlanForm(FlaskForm):
    version = version_field()
    objective = long_text(
        "What do you want to learn from this test?",
        "This is the objective. Keep it to one or two sentences.",
        required="Enter what you want to learn from this test",
    )
    questions = FieldList(FormField(QuestionRow), min_entries=0, max_entries=MAX_QUESTIONS)
    change_who = long_text("Who will do it?", "People or roles, for example: the day shift.")
    change_what = long_text("What will they do?", "The change you are trying, in plain words.")
    change_where = long_text("Where?", "For example: the ground floor lounge.")
    change_when = long_text("When?", "For example: every morning at 8 for one week.")
    data_plan = long_text(
        "How will you know what happened?",
        "What you will count or write down, for example: how many huddles happen, and what "
        "staff say about them.",
    )
    data_collected_by = short_text(
        "Who will collect the information?", "A name or a role, for example: the shift leader."
    )
    measures = SelectMultipleField(
        "Which of the aim's measures will this test use?",
        description="Measures are the numbers the team tracks for this aim. Tick any this test "
        "will add to.",
        widget=GovCheckboxesInput(),
        coerce=int,
        invalid_choice_message="Choose measures from the list shown",
    )
    add_question = SubmitField("Add another question", widget=GovSubmitInput())
    submit = SubmitField("Save the plan", widget=GovSubmitInput())

    plan_field_names = (
        "objective",
        "change_who",
        "change_what",
        "change_where",
        "change_when",
        "data_plan",
        "data_collected_by",
    )

    def plan_values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data or "" for name in self.plan_field_names}

    def question_rows(self) -> list[dict[str, Any]]:
        """The filled rows, in order: id (None for a new one), question, prediction."""
        return [
            {
                "id": int(row.form.question_id.data) if row.form.question_id.data else None,
                "question": row.form.question.data,
                "prediction": row.form.prediction.data,
            }
            for row in self.questions
            if row.form.question.data or row.form.question_id.data
        ]


def validate_question_ids(form: PlanForm, known: set[int]) -> bool:
    """Refuse ids that are not this cycle's questions (a tampered or very stale form)."""
    for row in form.questions:
        raw = row.form.question_id.data
        if raw and parse_id(raw) not in known:
            row.form.question.errors = [
                "This question is no longer part of the plan. Reload the page to see the plan "
                "as it is now"
            ]
            return False
    return True


class ExpertViewForm(FlaskForm):
    """One expert by experience's own view; `version` is their saved view's (empty for a new
    one), so two tabs of the same person cannot silently overwrite each other."""

    version = HiddenField()
    # "plain" when sent from the cycle in plain words, so the person goes back there.
    return_to = HiddenField()


class ExpertPlanForm(ExpertViewForm):
    body = long_text(
        "What matters to me about this change",
        "In your own words: what would make this change good, or worrying, for the people who "
        "use the service and their families?",
        required="Write what matters to you, or go back without saving",
    )
    submit = SubmitField("Save what matters to me", widget=GovSubmitInput())


class TaskForm(FlaskForm):
    description = short_text(
        "Task",
        "Something that must be done for the test, for example: print the huddle sheet",
        required="Enter the task",
    )
    owner_name = short_text(
        "Who will do it (optional)", "A name or a role. They do not need an account."
    )
    due_on = DateParts(
        "When must it be done by?",
        "On or after the day the test starts, for example 4 5 2026",
        required="Enter when the task must be done by",
    )
    submit = SubmitField("Add task", widget=GovSubmitInput())

    def check_due_date(self, starts_on: date) -> bool:
        if self.due_on.data and self.due_on.data < starts_on:
            self.due_on.errors = [
                "A task cannot be due before the cycle starts on "
                f"{starts_on.day} {starts_on:%B %Y}. Choose that day or later"
            ]
            return False
        return True


# Do --------------------------------------------------------------------------------------------


class DoForm(FlaskForm):
    version = version_field()
    carried_out_as_planned = RadioField(
        "Did you carry out the test as planned?",
        description="It is fine if you did not: say what changed below.",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        invalid_choice_message="Choose yes or no",
        validators=[InputRequired(message="Say whether you carried out the test as planned")],
    )
    what_happened = long_text(
        "What happened?",
        "What you did and what you saw, in a few sentences. No names of people who use the "
        "service.",
        required="Say what happened",
    )
    problems_and_surprises = long_text(
        "Problems and surprises (optional)", "Anything that went wrong or that you did not expect."
    )
    submit = SubmitField("Save the Do stage", widget=GovSubmitInput())

    def do_values(self) -> dict[str, Any]:
        return {
            "carried_out_as_planned": self.carried_out_as_planned.data == "yes",
            "what_happened": self.what_happened.data,
            "problems_and_surprises": self.problems_and_surprises.data or "",
        }


# Study -----------------------------------------------------------------------------------------


class ResultRow(Form):
    question_id = HiddenField()
    result = long_text(
        "What actually happened?",
        "Compare it with the prediction: was it right?",
        required="Say what actually happened for this question",
    )
    learning = long_text("What did you learn? (optional)", "What you know now that you did not.")


class StudyForm(FlaskForm):
    version = version_field()
    improved = RadioField(
        "Did the change lead to improvement?",
        description="Your best judgement from what you saw and counted.",
        widget=GovRadioInput(),
        choices=[SelectChoice(value.value, label) for value, label in IMPROVED_NAMES.items()],
        invalid_choice_message="Choose yes, no or not sure yet",
        validators=[InputRequired(message="Say whether the change led to improvement")],
    )
    why_improved = long_text(
        "Why do you think that?",
        "What you saw or counted that makes you think so.",
        required="Say why you think that",
    )
    answers = FieldList(FormField(ResultRow), min_entries=0, max_entries=MAX_QUESTIONS)
    submit = SubmitField("Save the Study stage", widget=GovSubmitInput())

    def study_values(self) -> dict[str, Any]:
        return {"improved": Improved(self.improved.data), "why_improved": self.why_improved.data}

    def results(self) -> list[dict[str, Any]]:
        return [
            {
                "id": int(row.form.question_id.data),
                "result": row.form.result.data,
                "learning": row.form.learning.data or "",
            }
            for row in self.answers
        ]


def validate_result_ids(form: StudyForm, known: set[int]) -> bool:
    for row in form.answers:
        raw = row.form.question_id.data or ""
        if parse_id(raw) not in known:
            row.form.result.errors = [
                "This question is no longer part of the plan. Reload the page to see the "
                "questions as they are now"
            ]
            return False
    return True


class ExpertStudyForm(ExpertViewForm):
    body = long_text(
        "Did this make a difference to me?",
        "In your own words: did the change make things better, worse or no different for you, "
        "or for people like you?",
        required="Write whether it made a difference to you, or go back without saving",
    )
    submit = SubmitField("Save my view", widget=GovSubmitInput())


# Act -------------------------------------------------------------------------------------------


class ActForm(FlaskForm):
    version = version_field()
    decision = RadioField(
        "What will you do with this change?",
        description="Saving this closes the cycle.",
        widget=GovRadioInput(),
        choices=[SelectChoice(value.value, label) for value, label in DECISION_NAMES.items()],
        invalid_choice_message="Choose adopt, adapt or abandon",
        validators=[InputRequired(message="Choose adopt, adapt or abandon")],
    )
    next_steps = long_text(
        "What next?",
        "For example: test it on both floors next week, or try the idea of a falls champion "
        "instead.",
        required="Say what happens next",
    )
    submit = SubmitField("Save the decision and close the cycle", widget=GovSubmitInput())

    def act_values(self) -> dict[str, Any]:
        return {"decision": Decision(self.decision.data), "next_steps": self.next_steps.data}


# Team page filter ------------------------------------------------------------------------------

STATUS_CHOICES = [
    SelectChoice("", "Any"),
    SelectChoice("open", "Open (not yet decided)"),
    SelectChoice("closed", "Closed (decided)"),
] + [SelectChoice(stage.value, f"In {STAGE_NAMES[stage]}") for stage in list(Stage)[:4]]


class CycleFilterForm(Form):
    """The team page's cycle list filter: a GET form, so no CSRF token."""

    status = SelectField(
        "Status",
        description="Open cycles are still being tested; closed ones have a decision.",
        widget=GovSelect(),
        choices=STATUS_CHOICES,
        default="",
        invalid_choice_message="Choose a status from the list",
    )
    idea = SelectField(
        "Change idea",
        description="Show only the tests of one change idea.",
        widget=GovSelect(),
        default="",
        invalid_choice_message="That change idea is not one of this team's",
    )
    decision = SelectField(
        "Decision",
        description="What the team decided at the end: adopt, adapt or abandon.",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(value.value, label) for value, label in DECISION_NAMES.items()],
        default="",
        invalid_choice_message="Choose adopt, adapt, abandon or any",
    )

    def set_ideas(self, ideas: list[tuple[int, str]]) -> None:
        self.idea.choices = [SelectChoice("", "Any")] + [
            SelectChoice(str(idea_id), title) for idea_id, title in ideas
        ]

    def filters(self) -> dict[str, Any]:
        return {
            "status": self.status.data or None,
            "idea_id": int(self.idea.data) if self.idea.data else None,
            "decision": Decision(self.decision.data) if self.decision.data else None,
        }


# Forms filled from what is saved ---------------------------------------------------------------


def measure_choices(measures: list[Any]) -> list[SelectChoice]:
    return [
        SelectChoice(measure.id, f"{measure.name} ({measure.measure_type.value} measure)")
        for measure in measures
    ]


def saved_plan_form(cycle: Cycle, measures: list[Any], linked_ids: list[int]) -> PlanForm:
    data = {name: getattr(cycle, name) for name in PlanForm.plan_field_names}
    data["version"] = cycle.plan_version
    data["measures"] = linked_ids
    data["questions"] = [
        {"question_id": q.id, "question": q.question, "prediction": q.prediction}
        for q in cycle.questions
    ]
    form = PlanForm(formdata=None, prefix="plan", data=data)
    form.measures.choices = measure_choices(measures)
    form.questions.append_entry()  # an empty row to add a question
    return form


def saved_do_form(cycle: Cycle) -> DoForm:
    planned = cycle.carried_out_as_planned
    data = {
        "version": cycle.do_version,
        "carried_out_as_planned": None if planned is None else ("yes" if planned else "no"),
        "what_happened": cycle.what_happened,
        "problems_and_surprises": cycle.problems_and_surprises,
    }
    return DoForm(formdata=None, prefix="do", data=data)


def saved_study_form(cycle: Cycle) -> StudyForm:
    data = {
        "version": cycle.study_version,
        "improved": cycle.improved.value if cycle.improved else None,
        "why_improved": cycle.why_improved,
        "answers": [
            {"question_id": q.id, "result": q.result, "learning": q.learning}
            for q in cycle.questions
        ],
    }
    return StudyForm(formdata=None, prefix="study", data=data)


def saved_act_form(cycle: Cycle) -> ActForm:
    data = {
        "version": cycle.act_version,
        "decision": cycle.decision.value if cycle.decision else None,
        "next_steps": cycle.next_steps,
    }
    return ActForm(formdata=None, prefix="act", data=data)


def saved_expert_form(kind: ExpertViewKind, own: ExpertView | None) -> ExpertViewForm:
    """The person's own view of this kind as a form (empty when they have none yet)."""
    data = {"version": str(own.version) if own else "", "body": own.body if own else ""}
    if kind == ExpertViewKind.WHAT_MATTERS:
        return ExpertPlanForm(formdata=None, prefix="expert_plan", data=data)
    return ExpertStudyForm(formdata=None, prefix="expert_study", data=data)
