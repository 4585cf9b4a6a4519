"""The results of a round: the page's table, its CSV and the one tally function agree; ranking
is scored by the Borda count and says so; the sentence on what people who draw on care and
carers put first; everyone sees the results once voting closes, only the facilitator before."""

from __future__ import annotations

import csv
import io
import re

import pytest

from improve.analysis.priorities import lived_experience_summary, summary_rows
from improve.models import RoundStage, StakeholderGroup, VotingMethod
from improve.priorities import queries
from improve.priorities.outcomes import GROUP_LABELS
from tests.conftest import text_of
from tests.priorities.conftest import add_theme, add_vote

G = StakeholderGroup


@pytest.fixture
def ranked(world, make_round):
    """A finished ranking round (k = 3): experts and carers put Respite first, others Transport."""
    round_ = make_round(
        world.x, stage=RoundStage.CLOSED, voting_method=VotingMethod.RANKING, ranks_per_person=3
    )
    transport, lonely, respite = (
        add_theme(round_, name, position=i)
        for i, name in enumerate(["Transport", "Loneliness", "Respite"])
    )
    add_vote(round_, world.expert_a, G.EXPERT_BY_EXPERIENCE, ranking=[respite, lonely, transport])
    add_vote(round_, world.member_a, G.CARER, ranking=[respite, transport])
    add_vote(round_, world.member_b, G.MANAGER, ranking=[transport, lonely, respite])
    add_vote(round_, world.lead_a, G.MANAGER, ranking=[transport, lonely])
    add_vote(round_, world.panel_x, G.STATUTORY_SERVICE, ranking=[transport])
    return round_


def page_table(response) -> list[list[str]]:
    html = response.get_data(as_text=True)
    table = html[
        html.index('<table class="govuk-table" id="results-table">') : html.index("</table>")
    ]
    rows = []
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def csv_table(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_page_csv_and_the_function_agree(world, client_for, ranked):
    client = client_for(world.member_a)
    page = client.get(f"/priority-rounds/{ranked.id}/results")
    download = client.get(f"/priority-rounds/{ranked.id}/results.csv")
    assert page.status_code == 200 and download.status_code == 200
    assert download.mimetype == "text/csv"
    expected = summary_rows(
        queries.round_tally(ranked, queries.list_themes(ranked.id)), GROUP_LABELS
    )
    as_text = [[str(cell) for cell in row] for row in expected]
    assert page_table(page) == as_text
    assert csv_table(download) == as_text
    # Transport: 1 + 2 + 3 + 3 + 3 = 12; Respite: 3 + 3 + 1 = 7; Loneliness: 2 + 2 + 2 = 6.
    assert as_text[1][:3] == ["1st", "Transport", "12"]
    assert as_text[2][:3] == ["2nd", "Respite", "7"]
    assert as_text[0][3:] == [
        "Person who draws on care",
        "Carer",
        "Manager",
        "Statutory service (council or NHS)",
    ]
    assert as_text[-1] == ["", "People who voted", "5", "1", "1", "2", "1"]


def test_the_page_explains_the_borda_count_and_what_lived_experience_put_first(
    world, client_for, ranked
):
    text = text_of(client_for(world.expert_a).get(f"/priority-rounds/{ranked.id}/results"))
    assert "a 1st choice earns 3 points, a 2nd choice 2, and so on down to 1 point" in text
    assert (
        "People who draw on care and carers (2 people) put ‘Respite’ first. Everyone together put "
        "‘Transport’ first."
    ) in text
    assert "5 people voted." in text
    tally = queries.round_tally(ranked, queries.list_themes(ranked.id))
    assert lived_experience_summary(tally) in text
    # The chart has its words and a text alternative.
    assert 'role="img"' in client_for(world.expert_a).get(
        f"/priority-rounds/{ranked.id}/results"
    ).get_data(as_text=True)


def test_the_round_page_gives_the_same_sentence_once_closed(world, client_for, ranked):
    text = text_of(client_for(world.expert_a).get(f"/priority-rounds/{ranked.id}"))
    assert "People who draw on care and carers (2 people) put ‘Respite’ first." in text


def test_dot_results_add_up_the_dots(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.CLOSED)
    transport = add_theme(round_, "Transport")
    lonely = add_theme(round_, "Loneliness", position=1)
    add_vote(round_, world.expert_a, G.CARER, dots={transport: 2, lonely: 3})
    add_vote(round_, world.member_a, G.CARER, dots={transport: 3})
    table = csv_table(client_for(world.member_a).get(f"/priority-rounds/{round_.id}/results.csv"))
    assert table == [
        ["Place", "Theme", "Total", "Carer"],
        ["1st", "Transport", "5", "5"],
        ["2nd", "Loneliness", "3", "3"],
        ["", "People who voted", "2", "2"],
    ]


def test_nobody_voted(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.CLOSED)
    add_theme(round_, "Transport")
    response = client_for(world.member_a).get(f"/priority-rounds/{round_.id}/results")
    assert response.status_code == 200
    assert "Nobody has voted yet." in text_of(response)


@pytest.mark.parametrize("stage", [RoundStage.COLLECTING, RoundStage.THEMING, RoundStage.VOTING])
def test_before_voting_closes_only_the_facilitator_sees_the_results(
    world, client_for, make_round, stage
):
    round_ = make_round(world.x, stage=stage)
    add_theme(round_, "Transport")
    for url in (
        f"/priority-rounds/{round_.id}/results",
        f"/priority-rounds/{round_.id}/results.csv",
    ):
        refused = client_for(world.expert_a).get(url)
        assert refused.status_code == 403
        assert client_for(world.coordinator_x).get(url).status_code == 200
    assert "only the people running the round see them" in text_of(
        client_for(world.coordinator_x).get(f"/priority-rounds/{round_.id}/results")
    )


def test_another_collaboratives_results_are_not_found(world, client_for, ranked):
    assert (
        client_for(world.member_c).get(f"/priority-rounds/{ranked.id}/results").status_code == 404
    )
    assert (
        client_for(world.member_c).get(f"/priority-rounds/{ranked.id}/results.csv").status_code
        == 404
    )


def test_a_theme_name_that_looks_like_a_formula_is_neutralised_in_the_csv(
    world, client_for, make_round
):
    round_ = make_round(world.x, stage=RoundStage.CLOSED)
    add_theme(round_, "=HYPERLINK(1)")
    table = csv_table(client_for(world.member_a).get(f"/priority-rounds/{round_.id}/results.csv"))
    assert table[1][1] == "'=HYPERLINK(1)"
