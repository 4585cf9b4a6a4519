"""Forms for priority rounds: the round itself, ideas (sent in online or typed in from the event),
themes, votes (dots or ranking), and what a theme became."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from improve.analysis.priorities import place_words
from improve.forms import DateParts, VersionField, WholeNumber, long_text, short_text
from improve.models import PriorityRound, PriorityTheme, StakeholderGroup, VotingMethod

GROUP_CHOICES = [SelectChoice(group.value, group.label) for group in StakeholderGroup]
ANONYMOUS_HINT = (
    "Tick this and nobody sees your name beside the idea: not the other people taking part, "
    "not the person running the round, not an administrator. You can still change or withdraw "
    "it while ideas are being gathered."
)


def _enum_value(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


# The round -------------------------------------------------------------------------------------


class RoundDetailsForm(FlaskForm):
    """What a round asks, and the event it goes with. Voting settings are in RoundForm: they
    cannot change once voting has started."""

    title = short_text(
        "Name of the round",
        "A short name people will recognise, like “Our priorities for 2027”.",
        required="Enter a name for the round",
    )
    question = long_text(
        "What question are people answering?",
        "Ask it the way you would at the event, like “What should we work on together next year?”.",
        required="Enter the question people are answering",
    )
    event_name = short_text(
        "Event (optional)",
        "The meeting or workshop where ideas are gathered, like “Spring learning event”. Leave it "
        "empty if ideas are sent in online only.",
    )
    event_on = DateParts("Date of the event (optional)", "For example, 27 3 2026.")
    version = VersionField()
    submit = SubmitField("Save the round", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "question": self.question.data,
            "event_name": self.event_name.data or "",
            "event_on": self.event_on.data,
        }


class RoundForm(RoundDetailsForm):
    voting_method = RadioField(
        "How will people vote?",
        description="Dot voting: each person spreads a few dots over the themes they care about. "
        "Ranking: each person puts their top few themes in order.",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(VotingMethod.DOTS.value, "Dot voting"),
            SelectChoice(VotingMethod.RANKING.value, "Ranking"),
        ],
        coerce=_enum_value,
        default=VotingMethod.DOTS.value,
        invalid_choice_message="Choose dot voting or ranking",
        validators=[InputRequired(message="Choose how people will vote")],
    )
    dots_per_person = WholeNumber(
        "Dots each person has (dot voting)",
        description="Between 1 and 20. 5 is usual.",
        widget=GovTextInput(),
        default=5,
        validators=[
            InputRequired(message="Enter how many dots each person has"),
            NumberRange(min=1, max=20, message="Dots each person has must be between 1 and 20"),
        ],
    )
    max_dots_per_theme = WholeNumber(
        "Most dots one person may put on one theme (dot voting)",
        description="Between 1 and the dots each person has. 3 is usual, so nobody puts all "
        "their dots on one theme.",
        widget=GovTextInput(),
        default=3,
        validators=[
            InputRequired(message="Enter the most dots one person may put on one theme"),
            NumberRange(min=1, max=20, message="Most dots on one theme must be between 1 and 20"),
        ],
    )
    ranks_per_person = WholeNumber(
        "Themes each person puts in order (ranking)",
        description="Between 1 and 10. 3 is usual: a 1st, 2nd and 3rd choice.",
        widget=GovTextInput(),
        default=3,
        validators=[
            InputRequired(message="Enter how many themes each person puts in order"),
            NumberRange(min=1, max=10, message="Themes in order must be between 1 and 10"),
        ],
    )

    def validate_max_dots_per_theme(self, field: WholeNumber) -> None:
        dots = self.dots_per_person.data
        if dots is not None and not self.dots_per_person.errors and (field.data or 0) > dots:
            raise ValidationError(
                f"Most dots on one theme cannot be more than the dots each person has ({dots})"
            )

    def details(self) -> dict[str, Any]:
        return {
            **super().details(),
            "voting_method": VotingMethod(self.voting_method.data),
            "dots_per_person": self.dots_per_person.data,
            "max_dots_per_theme": self.max_dots_per_theme.data,
            "ranks_per_person": self.ranks_per_person.data,
        }


class StageForm(FlaskForm):
    """A button that moves the round to another stage; it carries the version it was shown."""

    to = HiddenField("Stage")
    version = VersionField(required=True)


# Taking part -----------------------------------------------------------------------------------


def group_field() -> RadioField:
    return RadioField(
        "Which group are you part of, for this round?",
        description="Your ideas and votes are counted under this group, never shown under your "
        "name. The results show what each group chose, so people who draw on care and carers "
        "are never outnumbered unseen. You choose once for each round.",
        widget=GovRadioInput(),
        choices=GROUP_CHOICES,
        coerce=_enum_value,
        invalid_choice_message="Choose one of the groups listed",
        validators=[InputRequired(message="Choose the group you are part of")],
    )


class TakingPart(FlaskForm):
    """A form of someone taking part: the first time, it also asks their group for the round
    (the view removes the question once they have answered it)."""

    group = group_field()

    def chosen_group(self) -> StakeholderGroup | None:
        return StakeholderGroup(self.group.data) if "group" in self._fields else None


def idea_text() -> Any:
    return long_text(
        "Your idea",
        "One idea in a sentence or two, like “Help people get to appointments without a "
        "family member”. Do not name the people you support.",
        required="Enter your idea",
    )


class IdeaForm(TakingPart):
    text = idea_text()
    is_anonymous = BooleanField(
        "Do not show my name", description=ANONYMOUS_HINT, widget=GovCheckboxInput()
    )
    submit = SubmitField("Send in the idea", widget=GovSubmitInput())


# Made anonymous later, an idea's earlier audit rows still name its author: the audit trail
# is never rewritten (nothing may change a row once written). Only administrators read it, and
# the form says so rather than promise what the site cannot keep.
LATER_ANONYMOUS_HINT = (
    f"{ANONYMOUS_HINT} If you sent it in with your name, ticking this now hides your name from "
    "every page, but the site’s history of changes, which only administrators can read, still "
    "shows that you sent it in."
)


class IdeaEditForm(FlaskForm):
    text = idea_text()
    is_anonymous = BooleanField(
        "Do not show my name", description=LATER_ANONYMOUS_HINT, widget=GovCheckboxInput()
    )
    version = VersionField()
    submit = SubmitField("Save the idea", widget=GovSubmitInput())


class EventIdeaForm(FlaskForm):
    """An idea written on paper at the event, typed in by the facilitator: no name."""

    text = long_text(
        "The idea as written",
        "Type it as the person wrote it. No name is kept with ideas from the event.",
        required="Enter the idea",
    )
    stakeholder_group = RadioField(
        "Which group was the person who wrote it part of?",
        description="If the card does not say, choose ‘Prefer not to say’.",
        widget=GovRadioInput(),
        choices=GROUP_CHOICES,
        coerce=_enum_value,
        default=StakeholderGroup.NOT_SAID.value,
        invalid_choice_message="Choose one of the groups listed",
        validators=[InputRequired(message="Choose the group the person was part of")],
    )
    submit = SubmitField("Add the idea", widget=GovSubmitInput())


class EventIdeaEditForm(EventIdeaForm):
    version = VersionField()
    submit = SubmitField("Save the idea", widget=GovSubmitInput())


# Themes ----------------------------------------------------------------------------------------


class ThemeForm(FlaskForm):
    name = short_text(
        "Name of the theme",
        "A few words that sum up the ideas in it, like “Getting out and about”.",
        required="Enter a name for the theme",
    )
    description = long_text(
        "What the theme is about (optional)",
        "A sentence people will read before they vote.",
    )
    submit = SubmitField("Add the theme", widget=GovSubmitInput())

    # Set by the view: the other themes' names in this round, which must differ.
    taken: Sequence[str] = ()

    def validate_name(self, field: Any) -> None:
        wanted = (field.data or "").casefold()
        if any(wanted == name.casefold() for name in self.taken):
            raise ValidationError(f"There is already a theme called ‘{field.data}’ in this round")


class ThemeEditForm(ThemeForm):
    version = VersionField()
    submit = SubmitField("Save the theme", widget=GovSubmitInput())


class MergeForm(FlaskForm):
    into = SelectField(
        "Merge it into",
        description="Its ideas move to this theme, and the theme you are merging goes.",
        widget=GovSelect(),
        choices=[],
        invalid_choice_message="Choose one of the themes listed",
        validators=[InputRequired(message="Choose the theme to merge it into")],
    )
    version = VersionField(required=True)
    submit = SubmitField("Merge the themes", widget=GovSubmitInput())

    def set_themes(self, themes: Sequence[PriorityTheme]) -> None:
        self.into.choices = [SelectChoice("", "Choose a theme")] + [
            SelectChoice(str(theme.id), theme.name) for theme in themes
        ]


# Voting ----------------------------------------------------------------------------------------


class VoteForm(TakingPart):
    submit = SubmitField("Save my vote", widget=GovSubmitInput())


def dots_field_name(theme: PriorityTheme) -> str:
    return f"theme_{theme.id}"


def dots_form(round_: PriorityRound, themes: Sequence[PriorityTheme], **kwargs: Any) -> VoteForm:
    """One box per theme for the number of dots, each at most the round's limit per theme."""
    most = round_.max_dots_per_theme

    class DotsForm(VoteForm):
        pass

    for theme in themes:
        words = (theme.description or "").strip()
        # The limit is its own sentence: a description without a full stop must not run into it.
        hint = f"{words}{'' if not words or words[-1] in '.!?' else '.'} " if words else ""
        field = WholeNumber(
            theme.name,
            description=f"{hint}Up to {most} dot{'' if most == 1 else 's'}.",
            widget=GovTextInput(),
            default=0,
            validators=[
                Optional(),
                NumberRange(min=0, message=f"Dots on ‘{theme.name}’ cannot be less than 0"),
                NumberRange(
                    max=most,
                    message=f"You can put at most {most} dot{'' if most == 1 else 's'} on "
                    f"‘{theme.name}’",
                ),
            ],
        )
        setattr(DotsForm, dots_field_name(theme), field)
    form = DotsForm(**kwargs)
    form.dot_fields = [(theme, form[dots_field_name(theme)]) for theme in themes]
    return form


def dots_chosen(form: Any) -> dict[int, int]:
    """Theme id to dots, for the themes given any."""
    return {theme.id: field.data for theme, field in form.dot_fields if field.data}


def dots_over(round_: PriorityRound, form: Any) -> str | None:
    """The message when the person used more dots than they have, or none at all."""
    used = sum(field.data or 0 for _theme, field in form.dot_fields)
    have = round_.dots_per_person
    if used > have:
        return (
            f"You have put {used} dots but you have {have}. Take {used - have} "
            f"dot{'' if used - have == 1 else 's'} off."
        )
    if used == 0:
        return "Put at least one dot on a theme"
    return None


def ranking_form(round_: PriorityRound, themes: Sequence[PriorityTheme], **kwargs: Any) -> VoteForm:
    """One list per place (1st, 2nd...), up to the round's number or the number of themes."""
    places = min(round_.ranks_per_person, len(themes))
    choices = [SelectChoice("", "No choice")] + [
        SelectChoice(str(theme.id), theme.name) for theme in themes
    ]

    class RankingForm(VoteForm):
        pass

    for place in range(1, places + 1):
        hint = "The theme that matters most to you." if place == 1 else "Optional."
        setattr(
            RankingForm,
            f"choice_{place}",
            SelectField(
                f"{place_words(place, False)} choice",
                description=hint,
                widget=GovSelect(),
                choices=choices,
                default="",
                invalid_choice_message="Choose one of the themes listed",
            ),
        )
    form = RankingForm(**kwargs)
    form.rank_fields = [form[f"choice_{place}"] for place in range(1, places + 1)]
    return form


def ranking_chosen(form: Any) -> list[int]:
    """The themes chosen, in order."""
    return [int(field.data) for field in form.rank_fields if field.data]


def ranking_problem(form: Any) -> str | None:
    """A theme chosen twice, a place skipped, or nothing chosen: the first such, in words, set
    on the field it concerns."""
    seen: set[str] = set()
    gap = None
    for field in form.rank_fields:
        if not field.data:
            gap = gap or field
            continue
        if gap is not None:
            gap.errors = [f"Choose your {gap.label.text} before your {field.label.text}"]
            return gap.errors[0]
        if field.data in seen:
            field.errors = ["You have chosen this theme already: choose each theme only once"]
            return field.errors[0]
        seen.add(field.data)
    if not seen and form.rank_fields:
        first = form.rank_fields[0]
        first.errors = ["Choose your 1st choice"]
        return first.errors[0]
    return None


# What a theme became ---------------------------------------------------------------------------


class CommunityForm(FlaskForm):
    """Start a community of practice from a theme."""

    name = short_text(
        "Name of the community of practice",
        "It must differ from every other community’s name, like “Getting out and about network”.",
        required="Enter a name for the community of practice",
    )
    theme = short_text(
        "Its theme",
        "What it works on, in a few words. It starts as the theme’s name.",
        required="Enter the community’s theme",
    )
    description = long_text(
        "What it is for (optional)",
        "A sentence or two for people deciding whether to join.",
    )
    group = RadioField(
        "Which group are you part of?",
        description="Members are counted by group, so people who draw on care and carers are "
        "never outnumbered unseen. It starts as the group you chose for this round. Choose "
        "‘Prefer not to say’ if you would rather not.",
        widget=GovRadioInput(),
        choices=GROUP_CHOICES,
        coerce=_enum_value,
        invalid_choice_message="Choose one of the groups listed",
        validators=[InputRequired(message="Choose the group you are part of")],
    )
    version = VersionField(required=True)
    submit = SubmitField("Start the community of practice", widget=GovSubmitInput())

    # Set by the view: the names already taken (CoP names are unique).
    taken: Sequence[str] = ()

    def validate_name(self, field: Any) -> None:
        wanted = (field.data or "").casefold()
        if any(wanted == name.casefold() for name in self.taken):
            raise ValidationError(
                f"There is already a community of practice called ‘{field.data}’. "
                "Choose another name"
            )


class LinkForm(FlaskForm):
    """Link a theme to one record (an aim or a shared measure), or to none."""

    record = SelectField(
        "Link it to",
        description="Choose ‘Not linked’ to remove the link.",
        widget=GovSelect(),
        choices=[],
        invalid_choice_message="Choose one of those listed",
    )
    version = VersionField(required=True)
    submit = SubmitField("Save the link", widget=GovSubmitInput())

    def set_records(self, records: Sequence[tuple[int, str]], none: str) -> None:
        self.record.choices = [SelectChoice("", none)] + [
            SelectChoice(str(key), label) for key, label in records
        ]

    def validate_record(self, field: Any) -> None:
        # ‘Not linked’ is an empty value, so a form that lost the field must not pass for it.
        if not field.raw_data:
            raise ValidationError("Choose what to link it to, or ‘Not linked’")

    def chosen(self) -> int | None:
        return int(self.record.data) if self.record.data else None
