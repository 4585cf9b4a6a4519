"""Forms for adding many data points at once: paste or upload, then confirm the preview."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

# The box on the preview that says notes the care-data canary warned about were checked.
CARE_DATA_CHECKED = "notes-not-care-recipient"


class ImportForm(FlaskForm):
    """Either rows pasted from a spreadsheet or a CSV/XLSX file; the view checks which."""

    pasted = TextAreaField(
        "Paste rows from a spreadsheet",
        description=(
            "Copy the cells in your spreadsheet (date, value, and a note if you like) and paste "
            "them here. A first row with the column names is optional."
        ),
    )
    upload = FileField(
        "Or upload a file",
        description="A CSV or Excel (.xlsx) file, 5 MB at most, with at most 5,000 rows and "
        "20 columns. The first row must name the columns, for example: date, value, "
        "denominator, note.",
    )


class ConfirmImportForm(FlaskForm):
    """The checked rows, signed so they cannot be changed between preview and save. Whether the
    care-data box must be ticked is in the signed payload too, so it cannot be left out."""

    payload = HiddenField()
