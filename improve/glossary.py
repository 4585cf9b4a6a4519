"""The words of improvement, each explained once in one plain sentence (issue 6).

Templates use these through `explain('control limits')` and `term_link('run chart')` (see
improve/help); the glossary page lists them all. The sentences follow DOMAIN.md and the wording
already on screen (improve/analysis/summary.py's VARIATION_WORDS and ASSURANCE_WORDS, the cycle
decisions in improve/cycles/forms.py), so a word means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One glossary entry: how it is written, its sentence, and where help says more."""

    name: str  # as shown on the glossary page
    explanation: str  # one sentence a care worker understands
    page: str  # the help page: charts, measures, pdsa, reports or panel
    section: str  # the id of the section on that page
    question: str  # the link text, e.g. "What is a run chart?"


HELP_PAGES: dict[str, str] = {
    "charts": "Reading run charts and control charts",
    "measures": "Measures: what to count and why",
    "pdsa": "Testing changes: PDSA cycles",
    "reports": "Monthly reports and progress scores",
    "panel": "The strategic panel summary",
    "communities": "Communities of practice, priorities and evidence",
}

GLOSSARY: dict[str, Term] = {
    # Charts
    "run chart": Term(
        "Run chart",
        "A run chart shows a measure over time with a line through the middle (the median), "
        "so you can spot patterns that are unlikely to be chance.",
        "charts",
        "run-charts",
        "What is a run chart?",
    ),
    "control chart": Term(
        "Control chart (SPC chart)",
        "A control chart (also called an SPC chart, for statistical process control) shows a "
        "measure over time with its average and two control limits, so you can tell chance "
        "ups and downs from real change.",
        "charts",
        "control-charts",
        "What is a control chart?",
    ),
    "median": Term(
        "Median",
        "The median is the middle value when all the values are put in order, and a run chart "
        "draws its middle line there.",
        "charts",
        "centre-line",
        "What is the median?",
    ),
    "mean": Term(
        "Mean (average)",
        "The mean is the average: add up all the values and divide by how many there are.",
        "charts",
        "centre-line",
        "What is the mean?",
    ),
    "centre line": Term(
        "Centre line",
        "The centre line is the line across the middle of a chart: the median on a run chart "
        "and the mean (average) on a control chart.",
        "charts",
        "centre-line",
        "What is the centre line?",
    ),
    "control limits": Term(
        "Control limits",
        "Control limits are the upper and lower lines on a control chart, worked out from the "
        "team's own data, that show the range its numbers stay within by chance alone.",
        "charts",
        "control-limits",
        "What are control limits?",
    ),
    "common cause variation": Term(
        "Common cause variation",
        "Common cause variation is the ordinary up and down of the numbers that happens by "
        "chance when nothing unusual has changed.",
        "charts",
        "variation",
        "What is common cause variation?",
    ),
    "special cause variation": Term(
        "Special cause variation",
        "Special cause variation is a change in the numbers that is unlikely to be chance, so "
        "something has probably changed and is worth finding out about.",
        "charts",
        "variation",
        "What is special cause variation?",
    ),
    "special cause improvement": Term(
        "Special cause improvement",
        "Special cause improvement is a change that is unlikely to be chance, in the better "
        "direction for this measure.",
        "charts",
        "variation",
        "What is special cause improvement?",
    ),
    "special cause concern": Term(
        "Special cause concern",
        "Special cause concern is a change that is unlikely to be chance, in the worse "
        "direction for this measure, so it needs looking at.",
        "charts",
        "variation",
        "What is special cause concern?",
    ),
    "signal": Term(
        "Signal",
        "A signal is a change on a chart that is unlikely to be chance, found by one of the "
        "chart's rules.",
        "charts",
        "signals",
        "What is a signal?",
    ),
    "outside the limits": Term(
        "Outside the limits",
        "A point outside the limits is above the upper control limit or below the lower one, "
        "which is very unlikely to happen by chance.",
        "charts",
        "signal-outside-limits",
        "What does a point outside the limits mean?",
    ),
    "shift": Term(
        "Shift",
        "A shift is a long run of points in a row on the same side of the centre line (6 or 7, "
        "as your collaborative chose), which is unlikely to be chance.",
        "charts",
        "signal-shift",
        "What is a shift?",
    ),
    "trend": Term(
        "Trend",
        "A trend is a long run of points in a row each going up, or each going down (5 to 7, as "
        "your collaborative chose), which is unlikely to be chance.",
        "charts",
        "signal-trend",
        "What is a trend?",
    ),
    "two of three near a limit": Term(
        "Two of three near a limit",
        "Two of three near a limit means that two out of three points in a row are close to "
        "the same control limit (in the outer third), which is unlikely to be chance.",
        "charts",
        "signal-two-of-three",
        "What does ‘two of three near a limit’ mean?",
    ),
    "runs and crossings": Term(
        "Runs and crossings (Anhøj rules)",
        "The Anhøj rules check a run chart for a run of points on one side of the median that "
        "is too long, or a line that crosses the median too few times.",
        "charts",
        "signal-runs",
        "What are runs and crossings?",
    ),
    "p chart": Term(
        "P chart",
        "A p chart is a control chart for a proportion, such as the share of residents who had "
        "a review, where each point has its own top and bottom number.",
        "charts",
        "chart-types",
        "What is a p chart?",
    ),
    "u chart": Term(
        "U chart",
        "A u chart is a control chart for a rate, such as falls per 1,000 bed-days, where the "
        "amount of time or activity changes from point to point.",
        "charts",
        "chart-types",
        "What is a u chart?",
    ),
    "c chart": Term(
        "C chart",
        "A c chart is a control chart for a count of events, such as falls a month, when the "
        "chances for them to happen stay about the same.",
        "charts",
        "chart-types",
        "What is a c chart?",
    ),
    "i chart": Term(
        "I chart (XmR chart)",
        "An I chart (also called an XmR chart) is a control chart for single measured values, "
        "such as days waiting, with limits worked out from the moving range.",
        "charts",
        "chart-types",
        "What is an I chart?",
    ),
    "g chart": Term(
        "g chart (days between events)",
        "A g chart is a control chart for rare events, such as falls in a small home, where "
        "each point is the days since the event before, so longer gaps mean fewer events.",
        "charts",
        "chart-types",
        "What is a g chart?",
    ),
    "t chart": Term(
        "t chart (time between events)",
        "A t chart is a control chart of the time between rare events, worked out on a scale "
        "that evens out very long gaps, so its limits suit times that vary a lot.",
        "charts",
        "chart-types",
        "What is a t chart?",
    ),
    "moving range": Term(
        "Moving range",
        "The moving range is the difference between each value and the one before it, and an "
        "I chart uses their average to set its control limits.",
        "charts",
        "chart-types",
        "What is the moving range?",
    ),
    "phase": Term(
        "Phase (of a chart)",
        "A phase is a part of a chart after a known change to the way of working, with its own "
        "centre line and limits worked out afresh.",
        "charts",
        "phases",
        "What is a phase?",
    ),
    # Measures
    "outcome measure": Term(
        "Outcome measure",
        "An outcome measure shows whether life is getting better for the people the team "
        "supports, which is what matters most.",
        "measures",
        "measure-types",
        "What is an outcome measure?",
    ),
    "process measure": Term(
        "Process measure",
        "A process measure shows whether the steps the team planned are really happening.",
        "measures",
        "measure-types",
        "What is a process measure?",
    ),
    "balancing measure": Term(
        "Balancing measure",
        "A balancing measure shows whether the changes cause a problem somewhere else.",
        "measures",
        "measure-types",
        "What is a balancing measure?",
    ),
    "numerator": Term(
        "Numerator",
        "The numerator is the top number of a proportion or rate: what is counted, such as the "
        "residents who had a review.",
        "measures",
        "numbers",
        "What is a numerator?",
    ),
    "denominator": Term(
        "Denominator",
        "The denominator is the bottom number of a proportion or rate, shown as ‘Out of’: the "
        "total the value is counted from, such as all residents.",
        "measures",
        "numbers",
        "What is a denominator?",
    ),
    "baseline": Term(
        "Baseline",
        "The baseline is where a measure started, before the changes, so later values can be "
        "compared with it.",
        "measures",
        "baseline",
        "What is a baseline?",
    ),
    "target": Term(
        "Target",
        "The target is the number the team aims to reach, with the date by which it wants to "
        "reach it.",
        "measures",
        "target",
        "What is a target?",
    ),
    "assurance": Term(
        "Assurance",
        "Assurance says whether a measure will meet its target if nothing changes, by comparing "
        "the target with the control limits.",
        "measures",
        "assurance",
        "What is assurance?",
    ),
    "meets the target reliably": Term(
        "Meets the target reliably",
        "Meets the target reliably means the target sits outside the control limits on the "
        "good side, so if nothing changes it will be met every time.",
        "measures",
        "assurance",
        "What does ‘meets the target reliably’ mean?",
    ),
    "hit and miss": Term(
        "Hit and miss",
        "Hit and miss means the target sits between the control limits, so by chance it will "
        "be met some months and missed others.",
        "measures",
        "assurance",
        "What does ‘hit and miss’ mean?",
    ),
    "will miss the target": Term(
        "Will miss the target",
        "Will miss the target means the target sits outside the control limits on the wrong "
        "side, so it will not be met without a change to how things are done.",
        "measures",
        "assurance",
        "What does ‘will miss the target’ mean?",
    ),
    # Aims, drivers and PDSA cycles
    "aim": Term(
        "Aim",
        "An aim says what the team wants to improve, for whom, by how much and by when, with a "
        "number and a date.",
        "pdsa",
        "aims",
        "What is an aim?",
    ),
    "driver diagram": Term(
        "Driver diagram",
        "A driver diagram shows the team's theory of how to reach its aim: the things that "
        "most affect it (drivers) and the change ideas to test.",
        "pdsa",
        "driver-diagrams",
        "What is a driver diagram?",
    ),
    "primary driver": Term(
        "Primary driver",
        "A primary driver is one of the few big things that most affect the aim.",
        "pdsa",
        "driver-diagrams",
        "What is a primary driver?",
    ),
    "secondary driver": Term(
        "Secondary driver",
        "A secondary driver is a more specific thing that affects a primary driver, and one may "
        "affect several.",
        "pdsa",
        "driver-diagrams",
        "What is a secondary driver?",
    ),
    "change idea": Term(
        "Change idea",
        "A change idea is something the team can try, and test in PDSA cycles, to move a "
        "driver and so reach the aim.",
        "pdsa",
        "driver-diagrams",
        "What is a change idea?",
    ),
    "pdsa cycle": Term(
        "PDSA cycle",
        "A PDSA cycle (Plan, Do, Study, Act) is one small test of a change idea: plan it, try "
        "it, look at what happened, then decide what to do next.",
        "pdsa",
        "pdsa-cycles",
        "What is a PDSA cycle?",
    ),
    "plan": Term(
        "Plan",
        "Plan is the first stage of a cycle: say what you want to learn, predict what will "
        "happen and get the test ready.",
        "pdsa",
        "stages",
        "What happens in Plan?",
    ),
    "do": Term(
        "Do",
        "Do is the second stage of a cycle: carry out the test and write down what happened, "
        "including anything unexpected.",
        "pdsa",
        "stages",
        "What happens in Do?",
    ),
    "study": Term(
        "Study",
        "Study is the third stage of a cycle: compare what happened with what you predicted "
        "and say what you learned.",
        "pdsa",
        "stages",
        "What happens in Study?",
    ),
    "act": Term(
        "Act",
        "Act is the last stage of a cycle: decide whether to adopt, adapt or abandon the "
        "change, which closes the cycle.",
        "pdsa",
        "stages",
        "What happens in Act?",
    ),
    "prediction": Term(
        "Prediction",
        "A prediction is what the team thinks will happen in a test, written down before it "
        "starts so it can be compared with what really happened.",
        "pdsa",
        "predictions",
        "What is a prediction?",
    ),
    "ramp": Term(
        "Ramp (of cycles)",
        "A ramp is a series of cycles on one change idea, each learning from the one before "
        "and usually testing the change a little more widely.",
        "pdsa",
        "ramps",
        "What is a ramp?",
    ),
    "adopt": Term(
        "Adopt",
        "Adopt means the change worked: keep doing it, try it on a larger scale or make it "
        "part of everyday work.",
        "pdsa",
        "decisions",
        "What does ‘adopt’ mean?",
    ),
    "adapt": Term(
        "Adapt",
        "Adapt means the change partly worked: change it and test it again in another cycle.",
        "pdsa",
        "decisions",
        "What does ‘adapt’ mean?",
    ),
    "abandon": Term(
        "Abandon",
        "Abandon means the change did not work: stop it and try a different change idea.",
        "pdsa",
        "decisions",
        "What does ‘abandon’ mean?",
    ),
    "expert by experience": Term(
        "Expert by experience",
        "An expert by experience is someone who draws on care or support, or a carer, who "
        "helps the team choose what to improve and says whether changes made a difference.",
        "pdsa",
        "experts-by-experience",
        "Who is an expert by experience?",
    ),
    # Reports and scores
    "reporting period": Term(
        "Reporting period",
        "A reporting period is the stretch of time one team report covers, usually a month, "
        "with a date by which the report is due.",
        "reports",
        "monthly-reports",
        "What is a reporting period?",
    ),
    "progress score": Term(
        "Progress score",
        "A progress score places a team on the IHI (Institute for Healthcare Improvement) "
        "scale from 0.5, intent to take part, to 5.0, outstanding sustainable results.",
        "reports",
        "progress-scale",
        "What is a progress score?",
    ),
    "suggested score": Term(
        "Suggested score",
        "The suggested score is the progress score the app works out from the team's records "
        "(its aim, cycles, adopted changes and improvement signals) for the team to confirm or "
        "change.",
        "reports",
        "suggested-score",
        "What is the suggested score?",
    ),
    "stalled": Term(
        "Stalled",
        "A team is stalled when it has done no work on tests of change and recorded no new data "
        "for the number of weeks its collaborative has set.",
        "reports",
        "stalled",
        "What does ‘stalled’ mean?",
    ),
    # The strategic panel
    "suppressed small numbers": Term(
        "Suppressed small numbers",
        "In views across teams, a team's figure resting on only a few people or events (below "
        "the collaborative's threshold) shows as ‘hidden (small number)’, and so does anything "
        "worked out from it.",
        "panel",
        "small-numbers",
        "Why are some numbers hidden?",
    ),
    "panel review": Term(
        "Panel review",
        "A panel review is a meeting of the strategic panel, recorded with its decisions, its "
        "actions and the changes the organisations need to make.",
        "panel",
        "panel-reviews",
        "What is a panel review?",
    ),
    # Communities of practice, priorities and evidence (issue 20)
    "community of practice": Term(
        "Community of practice (CoP)",
        "A community of practice is a group of people from every side of care, including people "
        "who draw on care, who meet regularly around one theme to learn from each other as "
        "equals.",
        "communities",
        "communities-of-practice",
        "What is a community of practice?",
    ),
    "facilitator": Term(
        "Facilitator",
        "The facilitator runs a community of practice or a priority round: they add members, "
        "record meetings and actions, and group ideas into themes.",
        "communities",
        "roles",
        "What does a facilitator do?",
    ),
    "research partner": Term(
        "Research partner",
        "A research partner is an academic who reads a community's meetings and research needs so"
        " research can answer them; they never see any team's records.",
        "communities",
        "roles",
        "What is a research partner?",
    ),
    "stakeholder group": Term(
        "Stakeholder group",
        "Your stakeholder group says which side of care you come from (for example a person who "
        "draws on care, a carer or a manager), so results can show whether every group was heard.",
        "communities",
        "stakeholder-groups",
        "What is a stakeholder group?",
    ),
    "priority round": Term(
        "Priority round",
        "A priority round gathers ideas about what to work on, groups them into themes, and lets "
        "everyone vote, so the partnership agrees its priorities together.",
        "communities",
        "priority-rounds",
        "What is a priority round?",
    ),
    "theme": Term(
        "Theme",
        "A theme is a group of similar ideas from a priority round, given a short name by the "
        "facilitator, that people then vote on.",
        "communities",
        "priority-rounds",
        "What is a theme?",
    ),
    "dot voting": Term(
        "Dot voting",
        "In dot voting everyone has a few dots to spread over the themes, with a limit on one "
        "theme; a theme's score is the number of dots it got.",
        "communities",
        "voting",
        "What is dot voting?",
    ),
    "ranking": Term(
        "Ranking (Borda count)",
        "In ranking everyone puts their top few themes in order; with 3 places, 1st gets 3 "
        "points, 2nd 2 and 3rd 1 (the Borda count), and the points are added up.",
        "communities",
        "voting",
        "What is ranking?",
    ),
    "evidence": Term(
        "Evidence",
        "Evidence is what makes a team believe a change could help: research, the practice "
        "knowledge of staff, or the lived experience of people who draw on care and carers, each "
        "valuable in its own right.",
        "communities",
        "evidence",
        "What counts as evidence?",
    ),
    "research": Term(
        "Research (as evidence)",
        "Research is evidence from a study, review or guideline, written down so others can find "
        "it, such as a NICE guideline or a published evaluation.",
        "communities",
        "evidence",
        "What counts as research?",
    ),
    "practice knowledge": Term(
        "Practice knowledge",
        "Practice knowledge is what staff have learned from doing the work, such as what has "
        "helped on night shifts or in home visits.",
        "communities",
        "evidence",
        "What is practice knowledge?",
    ),
    "lived experience": Term(
        "Lived experience",
        "Lived experience is what people who draw on care, and carers, know from living with care"
        " and support; a change that rests on it was shaped by the people it is for.",
        "communities",
        "evidence",
        "What is lived experience?",
    ),
    "research need": Term(
        "Research need",
        "A research need is a question from practice that research could answer, raised at a "
        "community meeting or while testing a change, and voted on so research partners know what"
        " matters most.",
        "communities",
        "research-needs",
        "What is a research need?",
    ),
}

# Other ways of writing a term: the same entry, so templates can use the word they show.
ALIASES: dict[str, str] = {
    "spc": "control chart",
    "spc chart": "control chart",
    "average": "mean",
    "common cause": "common cause variation",
    "special cause": "special cause variation",
    "anhøj rules": "runs and crossings",
    "runs": "runs and crossings",
    "crossings": "runs and crossings",
    "xmr chart": "i chart",
    "pdsa": "pdsa cycle",
    "cycle": "pdsa cycle",
    "ramp of cycles": "ramp",
    "stage": "pdsa cycle",
    "decision": "act",
    "small numbers": "suppressed small numbers",
    "meets the target": "meets the target reliably",
    "cop": "community of practice",
    "communities of practice": "community of practice",
    "borda count": "ranking",
    "priority": "priority round",
}


def lookup(key: str) -> Term:
    """The entry for a term or one of its aliases; an unknown key raises KeyError, so a typo in
    a template fails its tests instead of showing nothing."""
    wanted = key.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    if wanted not in GLOSSARY:
        raise KeyError(f"no glossary entry for {key!r}")
    return GLOSSARY[wanted]


def explain(key: str) -> str:
    """The one-sentence explanation of a term."""
    return lookup(key).explanation


def alphabetical() -> list[Term]:
    """Every entry, sorted by its name as shown."""
    return sorted(GLOSSARY.values(), key=lambda term: term.name.casefold())
