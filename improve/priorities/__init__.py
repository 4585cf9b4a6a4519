"""Priority-setting rounds (issue 20, point 1): ideas gathered at or after an event, grouped into
themes, voted on by every stakeholder group, and a chosen theme followed to the community of
practice, aim or shared measure it became."""

from flask import Blueprint

from improve.analysis.priorities import Tally, lived_experience_summary

bp = Blueprint("priorities", __name__)

from improve.priorities import ideas, outcomes, themes, views, votes  # noqa: E402, F401


@bp.app_template_filter("priority_summary")
def _summary(tally: Tally) -> str:
    """The sentence on what people who draw on care and carers put first (the one tally's)."""
    return lived_experience_summary(tally)


@bp.app_template_global("priority_came_from")
def _came_from(**owner: int) -> list:
    """For templates/priorities/_came_from.html: the priority themes a CoP, aim or shared measure
    came from, in rounds the person may see."""
    return outcomes.came_from_for_page(**owner)
