from __future__ import annotations

from flask import abort

from improve import glossary
from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.help import bp
from improve.htmx import render


@bp.get("/help")
def index():
    """The list of help pages."""
    return render("help/index.html", pages=glossary.HELP_PAGES)


@bp.get("/help/<topic>")
def topic(topic: str):
    """One help page: charts, measures, PDSA cycles, reports or the panel."""
    if topic not in glossary.HELP_PAGES:
        abort(404)
    return render(
        f"help/{topic}.html",
        title=glossary.HELP_PAGES[topic],
        assurance_words=ASSURANCE_WORDS,
        variation_words=VARIATION_WORDS,
    )


@bp.get("/help/glossary")
def glossary_page():
    """Every term, in alphabetical order, with its one-sentence explanation."""
    return render("help/glossary.html", terms=glossary.alphabetical())


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: public, as the regulations expect."""
    return render("help/accessibility.html")
