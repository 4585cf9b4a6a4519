from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from improve.forms import long_text

HINT = (
    "Share what you noticed, a question, or what this means for the people you support. "
    "Do not include names or personal details of people who draw on care."
)
RELOAD = "This form is out of date. Reload the page and try again"


class CommentForm(FlaskForm):
    """Prefixed, so its field ids never clash with the other forms on an aim's or cycle's page."""

    body = long_text("Add a comment", HINT, required="Enter your comment")
    submit = SubmitField("Add comment", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="comment", **kwargs)


class EditCommentForm(FlaskForm):
    body = long_text("Your comment", HINT, required="Enter your comment")
    # The version the person loaded: a save over someone else's newer change is refused.
    version = HiddenField(validators=[InputRequired(message=RELOAD)])
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="comment-edit", **kwargs)
