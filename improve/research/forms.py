"""Forms for research needs: logging one (from the community, a meeting or a team's Study
stage), the facilitator's edit, a vote, and the list's filter."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Form, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from improve.forms import VersionField, WholeNumber, long_text, named, short_text
from improve.models import NeedStatus, StakeholderGroup
from improve.routing import parse_id

MOST_SHARING = 500
SHARED_RANGE = f"The number of people who share the question must be between 1 and {MOST_SHARING}"
SHARED_WHOLE = "Enter how many people share the question, as a whole number like 7"
NOT_AT_A_MEETING = ""
GROUP_CHOICES = [SelectChoice(group.value, group.label) for group in StakeholderGroup]


class SharedBy(WholeNumber):
    """How many people share a question: text says what to type, a huge number the range."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            digits = valuelist[0].strip().lstrip("+-") if valuelist else ""
            raise ValueError(SHARED_RANGE if digits.isdecimal() else SHARED_WHOLE) from None


def group_field(label: str, hint: str, required: str) -> SelectField:
    """A stakeholder group from the list (pre-filled by the view from the person's membership)."""
    return SelectField(
        label,
        description=hint,
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a group"), *GROUP_CHOICES],
        invalid_choice_message="Choose a group from the list",
        validators=[InputRequired(message=required)],
    )


def _chosen_id(value: Any) -> int | None:
    """A record id chosen in a list: empty means none; anything else that is no id is 0, an id
    that never exists, which the choices then refuse."""
    if value is None or value == "":
        return None
    return parse_id(str(value)) or 0


class NeedFields(FlaskForm):
    """A question practice wants research to answer, who raised it and how many share it."""

    question = named(
        long_text(
            "What is the question?",
            "One question research could answer, in everyday words, like “What helps people with "
            "dementia stay at home after a fall?”. Research partners and every member of the "
            "community will read it.",
            required="Enter the question",
        ),
        "The question",
    )
    background = named(
        long_text(
            "Why does it matter? (optional)",
            "What made people ask it, and what is known already. Leave out names of people who "
            "draw on care, and of teams.",
        ),
        "Why it matters",
    )
    raised_by = named(
        short_text(
            "Who raised it?",
            "A first name or a role is enough, like “Sam” or “a carer”. They do not need an "
            "account.",
            required="Enter who raised the question",
        ),
        "The name of who raised it",
    )
    raised_by_group = group_field(
        "Their stakeholder group",
        "Which group the person who raised it belongs to, so research partners see who is asking.",
        "Choose the stakeholder group of the person who raised it",
    )
    shared_by = SharedBy(
        "How many people share the question?",
        description=(
            f"Everyone who said they want it answered when it was raised, them included: 1 to "
            f"{MOST_SHARING}. Others can vote for it here later."
        ),
        widget=GovTextInput(),
        default=1,
        validators=[
            InputRequired(message="Enter how many people share the question"),
            NumberRange(
                min=1,
                max=MOST_SHARING,
                message=SHARED_RANGE,
            ),
        ],
    )
    submit = SubmitField("Log the research need", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {
            "question": self.question.data,
            "background": self.background.data or "",
            "raised_by": self.raised_by.data,
            "raised_by_group": StakeholderGroup(self.raised_by_group.data),
            "shared_by": self.shared_by.data,
        }


class NeedForm(NeedFields):
    """A research need logged in the community, perhaps from one of its meetings."""

    meeting_id = SelectField(
        "Which meeting was it raised at?",
        description="Choose the community’s meeting, or ‘Not at a meeting’.",
        widget=GovSelect(),
        coerce=_chosen_id,
        choices=[SelectChoice(NOT_AT_A_MEETING, "Not at a meeting")],
        invalid_choice_message="Choose one of this community’s meetings from the list",
    )

    def set_meetings(self, meetings: list[tuple[int, str]]) -> None:
        self.meeting_id.choices = [SelectChoice(NOT_AT_A_MEETING, "Not at a meeting")] + [
            SelectChoice(meeting_id, label) for meeting_id, label in meetings
        ]

    def details(self) -> dict[str, Any]:
        return {**super().details(), "meeting_id": self.meeting_id.data}


class CycleNeedForm(NeedFields):
    """A research need from a team's Study stage: which community of the collaborative gets it.
    No meeting: it was raised in the team's test of a change."""

    community_id = RadioField(
        "Which community of practice should get it?",
        description="The communities of practice of your collaborative. You do not need to be "
        "a member: the question goes on its list of research needs.",
        widget=GovRadioInput(),
        coerce=_chosen_id,
        choices=[],
        invalid_choice_message="Choose one of the communities shown",
        validators=[InputRequired(message="Choose the community of practice to send it to")],
    )

    def set_communities(self, communities: list[tuple[int, str]]) -> None:
        self.community_id.choices = [SelectChoice(key, label) for key, label in communities]


class OwnNeedForm(NeedForm):
    """The edit by whoever logged a need, while it is open: its wording and source only (its
    status and what research did with it stay the facilitator's)."""

    version = VersionField()
    submit = SubmitField("Save the research need", widget=GovSubmitInput())


class NeedEditForm(OwnNeedForm):
    """The facilitator's edit: the need's wording and source, its status and the response."""

    status = RadioField(
        "Where has it got to?",
        description="‘Taken up by research’ when a research partner is working on it; "
        "‘Answered’ when there is an answer to share.",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in NeedStatus],
        coerce=lambda value: value.value if isinstance(value, NeedStatus) else value,
        invalid_choice_message="Choose one of the statuses shown",
        validators=[InputRequired(message="Choose where the research need has got to")],
    )
    response = named(
        long_text(
            "What has research done with it? (optional)",
            "Like “Taken up by the University of Kent in its Staying Home study” or where to read "
            "the answer.",
        ),
        "What research has done with it",
    )

    def details(self) -> dict[str, Any]:
        return {
            **super().details(),
            "status": NeedStatus(self.status.data),
            "response": self.response.data or "",
        }


class VoteForm(FlaskForm):
    """A vote for a need, counted under the voter's group (never shown by name)."""

    stakeholder_group = group_field(
        "Count my vote as",
        "Votes are shown as counts by stakeholder group, never by name. We filled in the group "
        "you have in this community.",
        "Choose the stakeholder group to count your vote under",
    )
    submit = SubmitField("Vote for this question", widget=GovSubmitInput())


class FilterForm(Form):
    """The list's filter, in the query string (so no CSRF token)."""

    status = SelectField(
        "Which research needs to show",
        description="All of them, or only those with one status.",
        widget=GovSelect(),
        choices=[
            SelectChoice("", "All research needs"),
            *[SelectChoice(status.value, status.label) for status in NeedStatus],
        ],
        default="",
        invalid_choice_message="Choose which research needs to show from the list",
    )
