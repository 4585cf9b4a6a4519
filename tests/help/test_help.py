"""Help pages, the glossary and the accessibility statement (issue 6).

The tests read the sentences from improve.glossary, so they follow the glossary when its wording
changes. World: collaborative X with teams A and B (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask import render_template_string

from improve import glossary
from improve.extensions import db
from improve.models import DataPoint, Measure
from tests.conftest import text_of
from tests.cycles.factories import make_aim

HELP_URLS = ["/help", *(f"/help/{topic}" for topic in glossary.HELP_PAGES), "/help/glossary"]
# Words a care worker should not meet unexplained in a one-sentence explanation.
JARGON = (
    "stochastic",
    "sigma",
    "σ",
    "variance",
    "standard deviation",
    "binomial",
    "statistically",
    "significant",
    "parameter",
    "shewhart",
    "ucl",
    "lcl",
    "i.e.",
    "e.g.",
)


def visible(response) -> str:
    return html.unescape(text_of(response))


# The glossary itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(glossary.GLOSSARY))
def test_every_entry_is_one_plain_sentence(key: str) -> None:
    sentence = glossary.GLOSSARY[key].explanation
    assert sentence[0].isupper() and sentence.endswith(".")
    # One full stop: a dot before a digit is a decimal point (0.5), not the end of a sentence.
    assert len(re.findall(r"\.(?!\d)", sentence)) == 1, sentence
    assert "?" not in sentence and "!" not in sentence
    assert len(sentence.split()) <= 35, f"{len(sentence.split())} words: {sentence}"
    words = sentence.lower()
    assert not [word for word in JARGON if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", words)]


@pytest.mark.parametrize("key", sorted(glossary.GLOSSARY))
def test_every_entry_names_its_help_page_and_a_question(key: str) -> None:
    term = glossary.GLOSSARY[key]
    assert term.page in glossary.HELP_PAGES
    assert re.fullmatch(r"[a-z0-9-]+", term.section)
    assert term.question.endswith("?") and term.question[0].isupper()


def test_the_terms_the_issue_asks_for_are_explained() -> None:
    asked = [
        "run chart", "control chart", "SPC", "median", "mean", "centre line", "control limits",
        "common cause variation", "special cause variation", "special cause improvement",
        "special cause concern", "signal", "shift", "trend", "outside the limits",
        "two of three near a limit", "runs and crossings", "Anhøj rules", "baseline", "target",
        "assurance", "meets the target reliably", "hit and miss", "will miss the target",
        "outcome measure", "process measure", "balancing measure", "numerator", "denominator",
        "p chart", "u chart", "c chart", "I chart", "XmR chart", "moving range", "phase",
        "PDSA cycle", "plan", "do", "study", "act", "prediction", "ramp", "ramp of cycles",
        "adopt", "adapt", "abandon", "driver diagram", "primary driver", "secondary driver",
        "change idea", "aim", "progress score", "suggested score", "reporting period", "stalled",
        "suppressed small numbers", "panel review", "expert by experience",
    ]  # fmt: skip
    for key in asked:
        assert glossary.explain(key)


def test_aliases_lead_to_entries() -> None:
    for alias, key in glossary.ALIASES.items():
        assert key in glossary.GLOSSARY, alias
        assert glossary.explain(alias) == glossary.GLOSSARY[key].explanation


@pytest.mark.parametrize(
    "source", ["{{ explain('no such word') }}", "{{ term_link('controll limits') }}"]
)
def test_unknown_terms_raise_instead_of_rendering_empty(app, source: str) -> None:
    with app.test_request_context("/"), pytest.raises(KeyError, match="no glossary entry"):
        render_template_string(source)
    with pytest.raises(KeyError):
        glossary.explain("")


def test_term_link_is_a_question_linking_to_its_section(app) -> None:
    with app.test_request_context("/"):
        link = render_template_string("{{ term_link('Run chart') }}")
        explained = render_template_string(
            "{% from '_macros/glossary.html' import explained %}{{ explained('SPC') }}"
        )
    assert link == '<a class="govuk-link" href="/help/charts#run-charts">What is a run chart?</a>'
    assert explained.startswith(html.escape(glossary.explain("control chart"), quote=True))
    assert 'href="/help/charts#control-charts">What is a control chart?</a>' in explained


# Help pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", sorted(glossary.HELP_PAGES))
def test_every_term_link_finds_its_section(world, client_for, topic: str) -> None:
    response = client_for(world.member_a).get(f"/help/{topic}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for term in glossary.GLOSSARY.values():
        if term.page == topic:
            assert f'id="{term.section}"' in page, (term.name, term.section)


@pytest.mark.parametrize("url", [*HELP_URLS, "/accessibility"])
def test_help_pages_answer_a_signed_in_team_member(world, client_for, url: str) -> None:
    response = client_for(world.member_a).get(url)
    assert response.status_code == 200
    assert re.search(r"<h1 class=\"govuk-heading-l\">[^<]+</h1>", response.get_data(as_text=True))


@pytest.mark.parametrize("url", [*HELP_URLS, "/accessibility"])
def test_help_and_the_statement_are_public(client, url: str) -> None:
    assert client.get(url).status_code == 200


def test_other_pages_still_need_signing_in(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_an_unknown_help_page_is_not_found(world, client_for) -> None:
    assert client_for(world.member_a).get("/help/nothing-here").status_code == 404


def test_help_pages_explain_with_the_glossary_and_worked_examples(client) -> None:
    charts = visible(client.get("/help/charts"))
    for key in ("run chart", "control limits", "shift", "trend", "two of three near a limit"):
        assert glossary.explain(key) in charts
    assert "7 months in a row below the average" in charts  # the worked example of a shift
    reports = visible(client.get("/help/reports"))
    assert "5.0 Outstanding sustainable results" in reports
    assert "4.0: as 3.5, and the team has adopted at least one change" in reports


def test_the_glossary_lists_every_term_in_alphabetical_order(client) -> None:
    text = visible(client.get("/help/glossary"))
    terms = list(glossary.GLOSSARY.values())
    positions = [text.index(f"{term.name} {term.explanation}") for term in terms]
    shown = [term.name for _, term in sorted(zip(positions, terms, strict=True))]
    assert shown == sorted(shown, key=str.casefold)
    assert len(shown) == len(glossary.GLOSSARY)


def test_the_accessibility_statement_is_honest_and_dated(client) -> None:
    text = visible(client.get("/accessibility"))
    assert "WCAG) version 2.2 at level AA" in text
    assert "axe-core" in text and "320 pixels" in text and "JavaScript turned off" in text
    assert "PNG pictures have no text alternative" in text
    assert "contact the site administrator" in text
    assert "prepared on 2 December 2026" in text


@pytest.mark.parametrize("url", ["/sign-in", "/help/pdsa"])
def test_the_footer_links_to_help_glossary_and_statement(client, url: str) -> None:
    page = client.get(url).get_data(as_text=True)
    footer = page.split('<footer class="govuk-footer">', 1)[1]
    for href, words in (
        ("/help", "Help"),
        ("/help/glossary", "Glossary"),
        ("/accessibility", "Accessibility statement"),
    ):
        assert f'<a class="govuk-footer__link" href="{href}">{words}</a>' in footer


# The glossary on the pages that use its words -----------------------------------------------------


def test_the_measure_page_explains_its_kind_and_its_chart(world, client_for) -> None:
    aim = make_aim(world.team_a)
    measure = Measure(
        aim_id=aim.id,
        collaborative_id=world.x.id,
        team_id=world.team_a.id,
        name="Night checks done",
        measure_type="process",
        value_kind="count",
        direction="increase",
        frequency="monthly",
        chart_type="c",
    )
    db.session.add(measure)
    db.session.flush()
    for month, value in enumerate([5, 6, 4, 7, 5, 6, 5, 4, 6, 5, 7, 6], start=1):
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=world.team_a.id,
                period_start=date(2026, month, 1),
                value=value,
            )
        )
    db.session.commit()
    response = client_for(world.member_a).get(f"/measures/{measure.id}")
    text, page = visible(response), response.get_data(as_text=True)
    for key in ("process measure", "c chart", "control limits", "signal"):
        assert glossary.explain(key) in text
    assert 'href="/help/charts#control-limits">What are control limits?</a>' in page


def test_the_panel_page_explains_its_words(world, client_for) -> None:
    measure = Measure(
        collaborative_id=world.x.id,
        team_id=None,
        name="Falls a month",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        frequency="monthly",
        chart_type="c",
        target_value=4.0,
    )
    db.session.add(measure)
    db.session.commit()
    text = visible(client_for(world.panel_x).get(f"/collaboratives/{world.x.id}/panel"))
    reading = text.split("How to read this page", 1)[1]
    assert glossary.explain("control limits") in reading
    assert glossary.explain("signal") in reading
    assert "Why are some numbers hidden?" in text


def test_the_print_layout_keeps_the_words_without_help_links(world, client_for) -> None:
    page = client_for(world.panel_x).get(f"/collaboratives/{world.x.id}/panel/print")
    assert glossary.explain("control limits") in visible(page)
    assert "What are control limits?" not in visible(page)


def test_the_coordinator_page_explains_stalled_and_scores(world, client_for) -> None:
    response = client_for(world.coordinator_x).get(f"/collaboratives/{world.x.id}/coordinator")
    text, page = visible(response), response.get_data(as_text=True)
    reasons = text.split("What the reasons mean", 1)[1]
    assert glossary.explain("stalled") in reasons
    assert f"This collaborative's setting is {world.x.stall_weeks} weeks." in reasons
    assert 'href="/help/reports#progress-scale">What is a progress score?</a>' in page


def test_help_tells_people_to_keep_nhs_numbers_and_dates_of_birth_out(client) -> None:
    page = html.unescape(text_of(client.get("/help")))

    assert "do not write NHS numbers or dates of birth" in page
    assert "flask scan-personal-data" in page
