"""Help pages, the glossary and the accessibility statement; `explain` and `term_link` for every
template (issue 6)."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup

from improve import glossary

bp = Blueprint("help", __name__)


def term_link(key: str) -> Markup:
    """A link such as "What is a run chart?" to the help section that explains the term."""
    term = glossary.lookup(key)
    href = url_for("help.topic", topic=term.page, _anchor=term.section)
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, term.question)


@bp.record_once
def _add_template_globals(state: BlueprintSetupState) -> None:
    # Globals rather than imported macros, so fragments rendered alone can use them too.
    state.app.jinja_env.globals.update(
        explain=glossary.explain, term_link=term_link, glossary_term=glossary.lookup
    )


from improve.help import views  # noqa: E402, F401  (routes register on bp)
