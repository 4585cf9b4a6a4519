"""Forms for the evidence behind a change idea: its kind, where it is from, and a short account."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField, ValidationError
from wtforms.validators import InputRequired

from improve.forms import VersionField, long_text, named, short_text
from improve.models import EvidenceKind
from improve.models.community import EVIDENCE_KIND_LABELS

#: One line on each kind, for the radios' hints and the evidence page.
KIND_EXPLANATIONS = {
    EvidenceKind.RESEARCH: "What studies, reviews or guidance found, such as a NICE guideline "
    "or a published evaluation.",
    EvidenceKind.PRACTICE_KNOWLEDGE: "What staff have learned from doing the work: what they "
    "have seen work, or not, with the people they support.",
    EvidenceKind.LIVED_EXPERIENCE: "What people who draw on care, and their carers, know from "
    "their own lives: what helped them, what did not, what matters to them.",
}
NOTHING_GIVEN = (
    "Enter where the evidence is from, or a short account of it, or both: an entry with "
    "neither tells nobody anything"
)
BAD_LINK = "Enter a web address that starts with https:// or http://, like https://www.scie.org.uk"
# Text that looks like a web address or another kind of link ("javascript:", "data:"): it must
# be a plain web address. A citation such as "doi:10.1136/bmj" or "NICE NG86: 2015" is text.
LINK_LIKE = re.compile(r"^(\S*://|www\.|(javascript|data|vbscript|file):)", re.IGNORECASE)


def web_link(text: str) -> str | None:
    """The text as a link to follow, when it is one web address (http or https); else None,
    and the page shows it as text."""
    text = (text or "").strip()
    if not text or any(char.isspace() for char in text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


class EvidenceForm(FlaskForm):
    """One piece of evidence behind a change idea."""

    kind = RadioField(
        "What kind of evidence is it?",
        description="All three kinds count, each in its own right.",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, EVIDENCE_KIND_LABELS[kind]) for kind in EvidenceKind],
        coerce=lambda value: value.value if isinstance(value, EvidenceKind) else value,
        invalid_choice_message="Choose research, practice knowledge or lived experience",
        validators=[InputRequired(message="Choose what kind of evidence it is")],
    )
    source = named(
        short_text(
            "Where is it from? (optional if you write an account)",
            "A reference, like “NICE guideline NG86”, or a web address starting with https://. "
            "For practice knowledge or lived experience, who it comes from, like “night staff” or "
            "“a carer in our group”: no names.",
        ),
        "The source",
    )
    account = named(
        long_text(
            "What does it tell us? (optional if you say where it is from)",
            "A few sentences in your own words: what was found, seen or lived, and why it matters "
            "for this idea. Do not name or identify anyone who draws on care.",
        ),
        "The account",
    )
    submit = SubmitField("Add the evidence", widget=GovSubmitInput())

    def validate_source(self, field: Any) -> None:
        if field.data and LINK_LIKE.match(field.data) and web_link(field.data) is None:
            raise ValidationError(BAD_LINK)

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not per field: each of the two is optional on its own.
        valid = super().validate(extra_validators)
        if valid and not (self.source.data or self.account.data):
            self.source.errors = [NOTHING_GIVEN]
            return False
        return valid

    def details(self) -> dict[str, Any]:
        return {
            "kind": EvidenceKind(self.kind.data),
            "source": self.source.data or "",
            "account": self.account.data or "",
        }


class EvidenceEditForm(EvidenceForm):
    """A piece of evidence as it was saved, to change."""

    version = VersionField()
    submit = SubmitField("Save the evidence", widget=GovSubmitInput())
