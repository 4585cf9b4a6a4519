"""The results chart: one bar per theme, in the order of the results, its length the theme's
score, the part from people who draw on care and carers drawn darker. Drawn on the server as
SVG, so it works without JavaScript and prints; the page gives its words and a data table."""

from __future__ import annotations

from markupsafe import Markup, escape

from improve.analysis.priorities import Tally, place_words

WIDTH = 480
LEFT = 8
RIGHT_ROOM = 56  # for the number after the longest bar
ROW = 52
BAR = 20
TOP = 56
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#0b0c0c"
LIVED = "#003078"  # GOV.UK dark blue: 13:1 on white
OTHERS = "#1d70b8"  # GOV.UK blue: 5:1 on white; a white gap parts it from the dark blue
MAX_NAME = 52


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"


def results_svg(tally: Tally, title: str, description: str, unit: str) -> Markup:
    """The chart for a round's tally; `unit` names what the scores count ("dots", "points")."""
    height = TOP + ROW * max(len(tally.themes), 1) + 8
    best = max((score.total for score in tally.themes), default=0) or 1
    span = WIDTH - LEFT - RIGHT_ROOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}"'
        f' role="img" aria-labelledby="results-chart-title results-chart-desc"'
        f' font-family="{FONT}" font-size="15" fill="{INK}">',
        f'<title id="results-chart-title">{escape(title)}</title>',
        f'<desc id="results-chart-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<rect x="{LEFT}" y="8" width="16" height="16" fill="{LIVED}"/>',
        f'<text x="{LEFT + 22}" y="21">From people who draw on care and carers</text>',
        f'<rect x="{LEFT}" y="30" width="16" height="16" fill="{OTHERS}"/>',
        f'<text x="{LEFT + 22}" y="43">From everyone else</text>',
    ]
    for index, score in enumerate(tally.themes):
        y = TOP + index * ROW
        place = place_words(score.place, score.tied) + ": " if score.total else ""
        out.append(f'<text x="{LEFT}" y="{y + 16}">{escape(place + _short(score.name))}</text>')
        lived = score.lived_experience / best * span
        others = (score.total - score.lived_experience) / best * span
        bar_y = y + 22
        if lived:
            out.append(
                f'<rect x="{LEFT}" y="{bar_y}" width="{lived:.1f}" height="{BAR}" fill="{LIVED}"/>'
            )
        if others:
            gap = 2 if lived else 0
            out.append(
                f'<rect x="{LEFT + lived + gap:.1f}" y="{bar_y}" width="{max(others - gap, 1):.1f}"'
                f' height="{BAR}" fill="{OTHERS}"/>'
            )
        end = LEFT + lived + others + 6
        out.append(
            f'<text x="{end:.1f}" y="{bar_y + 15}">{score.total}'
            f"<title>{escape(score.name)}: {score.total} {unit}</title></text>"
        )
    out.append("</svg>")
    # Every piece of text was escaped above: the rest is our own markup.
    return Markup("\n".join(out))  # nosec B704
