"""Forms for communities of practice: the community, its members, meetings (with attendance),
the actions agreed at them, and the resources shared with it."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from improve.forms import (
    EMAIL_LENGTH,
    DateParts,
    NoControlCharacters,
    NormalisedEmail,
    VersionField,
    WholeNumber,
    long_text,
    short_text,
    strip_text,
)
from improve.models import (
    ActionStatus,
    CommunityRole,
    EvidenceKind,
    StakeholderGroup,
)
from improve.models.community import URL_LENGTH
from improve.routing import parse_id

NOT_IN_FUTURE = "{what} cannot be in the future"
MOST_GUESTS = 500  # more than any meeting room holds: a typing slip, not a meeting


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _value(value: Any) -> Any:
    """A saved enum as its form value; what a form posts is kept as it came."""
    return value.value if hasattr(value, "value") else value


def _optional_id(value: Any) -> int | None:
    """A select's value: "" is none chosen; anything else must be an id, or it matches no choice
    (-1), so a tampered value is refused rather than read as "none"."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return parse_id(str(value)) or -1


class HintedRadioInput(GovRadioInput):
    """GOV.UK radios with a hint under each choice (what each role may do, say)."""

    def __init__(self, hints: dict[str, str]) -> None:
        super().__init__()
        self.hints = hints

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        params = kwargs.setdefault("params", {})
        params["items"] = [
            {"hint": {"text": self.hints[str(value)]}} if str(value) in self.hints else {}
            for value, *_ in field.iter_choices()
        ]
        return super().__call__(field, **kwargs)


def group_field(label: str, hint: str) -> RadioField:
    return RadioField(
        label,
        description=hint,
        widget=GovRadioInput(),
        choices=[SelectChoice(group.value, group.label) for group in StakeholderGroup],
        coerce=_value,
        invalid_choice_message="Choose one of the groups shown",
        validators=[InputRequired(message="Choose the group")],
    )


class PastDate(DateParts):
    """A date that cannot be after today; `called` names it in the message ("The date they
    joined cannot be in the future")."""

    def __init__(self, label: str, hint: str, *, called: str, **kwargs: Any) -> None:
        super().__init__(label, hint, **kwargs)
        self.called = called

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if not self.errors and self.data is not None and self.data > date.today():
            self.errors.append(NOT_IN_FUTURE.format(what=self.called))


# The community ---------------------------------------------------------------------------------


class CommunityForm(FlaskForm):
    """A community of practice: its name, theme, what it is for, when it started, and the
    collaborative it belongs to, if any."""

    name = short_text(
        "Name",
        "For example, Complex needs across the lifespan.",
        required="Enter a name for the community of practice",
    )
    theme = short_text(
        "Theme",
        "What its members share and want to get better at, in one line. For example, supporting "
        "people with complex needs as they move from children's to adults' services.",
        required="Enter the theme",
    )
    description = long_text(
        "What it is for (optional)",
        "Who it brings together and why, in plain words. Everyone in it can read this.",
    )
    started_on = PastDate(
        "When did it start?",
        "The day of its first meeting, or the day it was set up, like 27 3 2026.",
        called="The date it started",
        required="Enter the date it started",
    )
    collaborative_id = SelectField(
        "Collaborative it belongs to (optional)",
        description=(
            "If it grew from an improvement collaborative you coordinate. Its members do not see "
            "the collaborative's teams because of this: only their own roles give them that."
        ),
        widget=GovSelect(),
        choices=[SelectChoice("", "None")],
        coerce=_optional_id,
        validate_choice=True,
        invalid_choice_message="Choose a collaborative from the list",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_collaboratives(self, collaboratives: list[Any]) -> None:
        self.collaborative_id.choices = [SelectChoice("", "None")] + [
            SelectChoice(collaborative.id, collaborative.name) for collaborative in collaboratives
        ]

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "theme": self.theme.data,
            "description": self.description.data or "",
            "started_on": self.started_on.data,
            "collaborative_id": self.collaborative_id.data,
        }


class NewCommunityForm(CommunityForm):
    """Starting a community: its creator becomes its first facilitator, in their own group."""

    your_group = group_field(
        "Which group are you part of in this community?",
        "You become its first facilitator. Members, attendance and feedback are counted by "
        "group, so people who draw on care are never outnumbered unseen.",
    )
    submit = SubmitField("Start the community of practice", widget=GovSubmitInput())


class CommunityEditForm(CommunityForm):
    version = VersionField(required=True)
    submit = SubmitField("Save the changes", widget=GovSubmitInput())


# Members ---------------------------------------------------------------------------------------

ROLE_HINTS = {
    CommunityRole.FACILITATOR.value: (
        "Runs the community in improve: adds members, records meetings, who came and the "
        "actions agreed."
    ),
    CommunityRole.MEMBER.value: (
        "Takes part: reads the meetings and shares resources. Most people are members."
    ),
    CommunityRole.RESEARCH_PARTNER.value: (
        "An academic or researcher who reads the meetings, resources and research needs, but "
        "adds nothing and sees no team's records."
    ),
}


def _organisation() -> StringField:
    return short_text(
        "Organisation (optional)",
        "Where they work or volunteer, like Westshire Carers' Centre. Leave it empty for people "
        "who draw on care.",
    )


def _stakeholder_group() -> RadioField:
    return group_field(
        "Which group are they part of?",
        "Members and attendance are counted by group, so people who draw on care and carers are "
        "never outnumbered unseen. Choose ‘Prefer not to say’ if they would rather not.",
    )


def _role() -> RadioField:
    return RadioField(
        "Role",
        description="What they can do in improve. People without an account cannot sign in.",
        widget=HintedRadioInput(ROLE_HINTS),
        choices=[SelectChoice(role.value, role.label) for role in CommunityRole],
        default=CommunityRole.MEMBER.value,
        coerce=_value,
        invalid_choice_message="Choose one of the roles shown",
        validators=[InputRequired(message="Choose a role")],
    )


def _joined_on() -> PastDate:
    return PastDate(
        "When did they join?",
        "For example, 27 3 2026. It cannot be in the future.",
        called="The date they joined",
        required="Enter the date they joined",
        default=date.today,
    )


class MemberForm(FlaskForm):
    """Someone joining the community, with or without an account in improve."""

    email = EmailField(
        "Email address (if they have an account)",
        description=(
            "The address they sign in to improve with. Leave it empty for someone without an "
            "account, like a person who only comes to meetings."
        ),
        widget=GovTextInput(),
        filters=[NormalisedEmail()],
        validators=[
            Optional(),
            Length(max=EMAIL_LENGTH, message="Email address must be 254 characters or fewer"),
            Email(
                message="Enter an email address in the right format, like name@example.org",
                check_deliverability=False,
            ),
            NoControlCharacters(),
        ],
    )
    name = short_text(
        "Name (if they have no account)",
        "Their name as the group knows them, like Sam Okafor. Not needed with an email address: "
        "their account's name is used.",
    )
    organisation = _organisation()
    stakeholder_group = _stakeholder_group()
    role = _role()
    joined_on = _joined_on()
    submit = SubmitField("Add the member", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not on the field: an empty optional field stops its own validators.
        valid = super().validate(extra_validators)
        if not self.email.data and not self.name.data and not self.email.errors:
            self.name.errors = [
                "Enter their email address if they have an account, or their name if they do not"
            ]
            return False
        return valid

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "organisation": self.organisation.data or "",
            "stakeholder_group": StakeholderGroup(self.stakeholder_group.data),
            "role": CommunityRole(self.role.data),
            "joined_on": self.joined_on.data,
        }


class MemberEditForm(FlaskForm):
    """A member's details, their role, and the day they left."""

    name = short_text(
        "Name",
        "Their name as the group knows them, like Sam Okafor.",
        required="Enter their name",
    )
    organisation = _organisation()
    stakeholder_group = _stakeholder_group()
    role = _role()
    joined_on = _joined_on()
    left_on = PastDate(
        "When did they leave? (optional)",
        "Their last day as a member, like 27 3 2026. They stay in the attendance of meetings "
        "they came to. To record someone coming back, clear this date: they then count as a "
        "member from when they first joined.",
        called="The date they left",
    )
    version = VersionField()
    submit = SubmitField("Save the member", widget=GovSubmitInput())

    def validate_left_on(self, field: DateParts) -> None:
        joined = self.joined_on.data
        if field.data is not None and joined is not None and field.data < joined:
            raise ValidationError(
                f"The date they left cannot be before the date they joined ({_day(joined)})"
            )

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "organisation": self.organisation.data or "",
            "stakeholder_group": StakeholderGroup(self.stakeholder_group.data),
            "role": CommunityRole(self.role.data),
            "joined_on": self.joined_on.data,
            "left_on": self.left_on.data,
        }


# Meetings --------------------------------------------------------------------------------------


class MeetingForm(FlaskForm):
    """A meeting: when, what it is called, and its agenda; the notes come after."""

    held_on = DateParts(
        "Date of the meeting",
        "For example, 27 3 2026. A meeting planned for later can be added now.",
        required="Enter the date of the meeting",
    )
    title = short_text(
        "Title",
        "A few words to tell it from the others, like Moving to adult services.",
        required="Enter a title for the meeting",
    )
    agenda = long_text(
        "Agenda (optional)",
        "What the meeting will cover, one item a line.",
    )
    submit = SubmitField("Save the meeting", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {
            "held_on": self.held_on.data,
            "title": self.title.data,
            "agenda": self.agenda.data or "",
        }


class MeetingEditForm(MeetingForm):
    notes = long_text(
        "Notes (optional)",
        "What was said and agreed, for members who could not come. Do not name people who draw "
        "on care unless they are members who agreed to it.",
    )
    version = VersionField()

    def details(self) -> dict[str, Any]:
        return {**super().details(), "notes": self.notes.data or ""}


class GuestCount(WholeNumber):
    """A guest count: words say what to type; a number too long to be a count gets the range
    message, as it is one."""

    def __init__(self, *args: Any, range_message: str, called: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.range_message, self.called = range_message, called

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        if text.lstrip("+-").isdigit() and len(text.lstrip("+-")) >= 10:
            raise ValueError(self.range_message)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.called} must be a whole number, like 2") from None


def _guest_field(group: StakeholderGroup) -> WholeNumber:
    called = f"Number of guests who came from the group ‘{group.label}’"
    field = GuestCount(
        group.label,
        description="A number, like 2 (0 for none).",
        widget=GovTextInput(),
        default=0,
        validators=[
            InputRequired(message=f"Enter how many guests came: {group.label} (0 for none)"),
            NumberRange(
                min=0,
                max=MOST_GUESTS,
                message=f"{called} must be between 0 and {MOST_GUESTS}",
            ),
        ],
        range_message=f"{called} must be between 0 and {MOST_GUESTS}",
        called=called,
    )
    return field


def guest_field_name(group: StakeholderGroup) -> str:
    return f"guests_{group.value}"


class MemberChoices(SelectMultipleField):
    """Ticked members by id: a tampered id says what to do, not how it failed to parse."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(CHOOSE_MEMBERS) from None


CHOOSE_MEMBERS = "Choose people from the list of members"


class AttendanceForm(FlaskForm):
    """Who came: the members ticked present, and guests counted by group."""

    present = MemberChoices(
        "Members who came",
        description="Tick everyone who came. Only people who were members on the day are listed.",
        widget=GovCheckboxesInput(),
        coerce=int,
        validate_choice=True,
        invalid_choice_message=CHOOSE_MEMBERS,
    )
    version = VersionField(required=True)
    submit = SubmitField("Save who came", widget=GovSubmitInput())

    def guest_fields(self) -> list[Any]:
        return [self[guest_field_name(group)] for group in StakeholderGroup]

    def guests(self) -> dict[str, int]:
        """Guests by group, the groups with none left out."""
        counts = {group.value: self[guest_field_name(group)].data for group in StakeholderGroup}
        return {group: int(count) for group, count in counts.items() if count}


for _group in StakeholderGroup:
    setattr(AttendanceForm, guest_field_name(_group), _guest_field(_group))


# Actions ---------------------------------------------------------------------------------------


class DueDate(DateParts):
    """An action's due date, with a message that says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the due date as a real date, like 27 3 2027") from None


class ActionForm(FlaskForm):
    """An action agreed at a meeting: what, who, by when, and how far it has got."""

    description = long_text(
        "What is the action?",
        "One thing to do, like “Ask the council for the transition protocol”.",
        required="Enter what the action is",
    )
    owner = short_text(
        "Who owns it?",
        "The person or role who makes sure it happens, like “Sam Okafor”. They do not need an "
        "account in improve.",
        required="Enter who owns the action",
    )
    due_on = DueDate("When is it due? (optional)", "For example, 30 6 2026.")
    status = RadioField(
        "How far has it got?",
        description=(
            "Actions not started or in progress are carried to the next meeting. Choose "
            "‘Dropped’ if the group decided not to do it."
        ),
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in ActionStatus],
        default=ActionStatus.OPEN.value,
        coerce=_value,
        invalid_choice_message="Choose one of the statuses shown",
        validators=[InputRequired(message="Choose how far the action has got")],
    )
    submit = SubmitField("Add the action", widget=GovSubmitInput())

    # Set by the view: an action cannot fall due before the meeting that agreed it.
    held_on: date | None = None

    def validate_due_on(self, field: DateParts) -> None:
        # A saved date left as it was stays valid even if the meeting moved since.
        if field.data is None or self.held_on is None or field.data == field.object_data:
            return
        if field.data < self.held_on:
            raise ValidationError(
                f"The due date cannot be before the meeting that agreed it ({_day(self.held_on)})"
            )

    def details(self) -> dict[str, Any]:
        return {
            "description": self.description.data,
            "owner": self.owner.data,
            "due_on": self.due_on.data,
            "status": ActionStatus(self.status.data),
        }


class ActionEditForm(ActionForm):
    progress_note = long_text(
        "What has happened so far? (optional)",
        "A line the group can read at the next meeting, like “Protocol asked for on 3 May”.",
    )
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {**super().details(), "progress_note": self.progress_note.data or ""}


# Resources -------------------------------------------------------------------------------------

NO_KIND = "none"


class WebAddress:
    """A link people can open safely: http or https, to a named host, with nothing that could
    run or hide (no spaces or control characters)."""

    message = (
        "Enter a web address that starts with https:// or http://, like https://www.scie.org.uk"
    )

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data or ""
        if not text:
            return
        if any(char.isspace() or ord(char) < 32 for char in text):
            raise ValidationError(self.message)
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            raise ValidationError(self.message) from None
        if parts.scheme.lower() not in ("http", "https") or not host:
            raise ValidationError(self.message)


class ResourceForm(FlaskForm):
    """A link or a note shared with the community."""

    title = short_text(
        "Title",
        "What it is, like “SCIE guide to co-production”.",
        required="Enter a title",
    )
    url = StringField(
        "Link (optional)",
        description="The web address, starting with https://. Leave it empty to share a note only.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=URL_LENGTH, message=f"The link must be {URL_LENGTH:,} characters or fewer"),
            WebAddress(),
        ],
    )
    note = long_text(
        "Note (optional)",
        "Why it is worth reading, or the thing itself if it is short: a tip, a contact, what "
        "worked for you.",
    )
    evidence_kind = RadioField(
        "What kind of evidence is it? (optional)",
        description=(
            "All three count: research, what practitioners know from their work, and what "
            "people who draw on care and carers know from their lives."
        ),
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in EvidenceKind]
        + [SelectChoice(NO_KIND, "None of these, or not sure")],
        default=NO_KIND,
        coerce=_value,
        invalid_choice_message="Choose one of the kinds shown",
        validators=[InputRequired(message="Choose what kind of evidence it is")],
    )
    submit = SubmitField("Share it", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not on the field: an empty optional field stops its own validators.
        valid = super().validate(extra_validators)
        if not self.note.data and not self.url.data and not self.url.errors:
            self.note.errors = ["Enter a link or a note (or both)"]
            return False
        return valid

    def details(self) -> dict[str, Any]:
        kind = self.evidence_kind.data
        return {
            "title": self.title.data,
            "url": self.url.data or "",
            "note": self.note.data or "",
            "evidence_kind": None if kind == NO_KIND else EvidenceKind(kind),
        }


class ResourceEditForm(ResourceForm):
    version = VersionField()
    submit = SubmitField("Save the resource", widget=GovSubmitInput())

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        super().process(formdata, obj, data, **kwargs)
        # A saved resource with no kind shows as "None of these".
        if obj is not None and obj.evidence_kind is None and self.evidence_kind.data is None:
            self.evidence_kind.data = NO_KIND
