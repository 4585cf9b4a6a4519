from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired

from improve.forms import VersionField, short_text
from improve.members.forms import MemberForm
from improve.models import TEAM_ROLES, OrganisationKind


class TeamDetailsForm(FlaskForm):
    name = short_text(
        "Team name",
        "The name people use for the team, like “Riverside Care Home day team”.",
        required="Enter the team's name",
    )
    organisation = short_text(
        "Organisation",
        "Who the team works for, like “Westshire Council”.",
        required="Enter the organisation",
    )
    organisation_kind = SelectField(
        "Kind of organisation",
        description="Shown next to the team's name. Choose “Other” if none fits.",
        widget=GovSelect(),
        choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        invalid_choice_message="Choose the kind of organisation from the list",
        validators=[InputRequired(message="Choose the kind of organisation")],
    )
    service = short_text("Service (optional)", "For example, residential care for older people")
    version = VersionField(required=True)
    submit = SubmitField("Save", widget=GovSubmitInput())


class TeamMemberForm(MemberForm):
    role_choices = [SelectChoice(role.value, role.label) for role in TEAM_ROLES]
    role_hint = (
        "A team lead can change the team's details and who is in it. A team member records "
        "tests of change and numbers. An expert by experience (someone who draws on care, or a "
        "carer) reads everything, comments and adds their own view."
    )
