"""What the demo collaborative holds: six teams from a council, a care home, a home care
provider and two charities, working on the two themes of an adult social care partnership.

Months are numbered from the collaborative's first month (0). Data runs from month -6 (a
baseline taken from existing records during prework) to month 16, the last complete month
before today; the collaborative ends with month 20. Each series is a level per stretch of
months plus bounded noise, so a change a team adopts shows as a shift a month later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from improve.models import (
    ChartType,
    Decision,
    Direction,
    Frequency,
    MeasureType,
    OrganisationKind,
    Role,
    Stage,
    ValueKind,
)

FIRST_MONTH = -6  # the first month of data
LAST_MONTH = 16  # the last complete month before today
CURRENT_MONTH = 17  # the month today falls in
FINAL_MONTH = 20  # the collaborative's last month

THEMES = (
    "Supporting people with complex needs throughout the lifespan",
    "Enhancing, diversifying and sustaining the social care workforce",
)


@dataclass(frozen=True)
class Series:
    """A team's values for one measure: from each (month, level) on, the values hover around
    the level, within +/- spread; proportions as fractions with denominators in a range."""

    levels: tuple[tuple[int, float], ...]
    spread: float
    denominators: tuple[int, int] | None = None
    first: int = FIRST_MONTH


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    name: str
    measure_type: MeasureType
    value_kind: ValueKind
    direction: Direction
    chart_type: ChartType
    unit: str
    definition: str
    data_source: str
    collected_by: str
    numerator: str = ""
    denominator: str = ""
    frequency: Frequency = Frequency.MONTHLY
    multiplier: float = 1.0
    baseline: float | None = None
    target: float | None = None
    freeze: int | None = None  # the baseline: how many of the first points set the limits
    series: Series | None = None  # None for a shared measure: each team has its own


@dataclass(frozen=True)
class Step:
    """One PDSA cycle of a ramp."""

    title: str
    month: int
    day: int
    days: int
    prediction: str
    decision: Decision | None = None
    result: str = ""
    learning: str = ""
    next_steps: str = ""
    stage: Stage = Stage.CLOSED
    owner: str = "lead"  # the account key of the person leading it
    what_happened: str = ""
    problems: str = ""
    what_matters: str = ""  # the expert by experience's view, in Plan
    difference: str = ""  # and in Study


@dataclass(frozen=True)
class RampSpec:
    idea: str
    description: str
    driver: int  # index of the secondary driver it works on
    question: str
    objective: str
    who: str
    where: str
    when: str
    data_plan: str
    collected_by: str
    steps: tuple[Step, ...]
    measures: tuple[str, ...] = ()  # keys of the measures its cycles collect
    copied_from: tuple[str, str] | None = None  # (team key, idea) from the idea library


@dataclass(frozen=True)
class AimSpec:
    title: str
    what: str
    for_whom: str
    location: str
    unit: str
    baseline: float
    target: float
    where_now: str
    want: str
    how: str
    who_acts: str


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    organisation: str
    kind: OrganisationKind
    service: str
    theme: int
    people: tuple[tuple[str, str, Role], ...]  # (email, name, role); the first lead leads
    aim: AimSpec
    primaries: tuple[str, ...]
    secondaries: tuple[tuple[str, tuple[int, ...]], ...]  # (title, primaries it feeds)
    ramps: tuple[RampSpec, ...]
    measures: tuple[MeasureSpec, ...]
    shared: dict[str, Series]
    last_month: int = LAST_MONTH  # a stalled team stops earlier
    reporting: str = "on_time"  # on_time | late (nothing for the last two months) | draft
    self_bias: float = 0.0  # how far the team's own score sits above the suggested one
    barriers: tuple[str, ...] = ()
    comments: tuple[tuple[str, str, str], ...] = ()  # (account key, cycle title, text)
    extra: dict[str, str] = field(default_factory=dict)


SHARED_MEASURES = (
    MeasureSpec(
        key="control",
        name="People who feel in control of their daily life",
        measure_type=MeasureType.OUTCOME,
        value_kind=ValueKind.PROPORTION,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        unit="of people asked",
        definition=(
            "At a review, visit or group, people who draw on care (or their carers) are asked "
            "“Which best describes how much control you have over your daily life?”"
        ),
        numerator="People who answer “as much control as I want” or “enough control”",
        denominator="People asked the question that month",
        data_source="The one-question card every team uses",
        collected_by="Each team's data lead",
        target=0.8,
        freeze=12,
    ),
    MeasureSpec(
        key="leavers",
        name="Care staff leaving, per 100 staff",
        measure_type=MeasureType.OUTCOME,
        value_kind=ValueKind.RATE,
        direction=Direction.DECREASE,
        chart_type=ChartType.U,
        unit="leavers per 100 staff",
        definition="Paid staff and volunteers who left the team that month, for any reason",
        numerator="Staff who left that month",
        denominator="Staff on the team's books on the 1st of the month",
        data_source="Rota and payroll records",
        collected_by="Each team's manager",
        multiplier=100.0,
        target=2.0,
        freeze=12,
    ),
)


RIVERSIDE = TeamSpec(
    key="riverside",
    name="Riverside Care Home",
    organisation="Riverside Care Ltd",
    kind=OrganisationKind.CARE_HOME,
    service="Residential care for older people",
    theme=0,
    people=(),  # the original demo accounts (demo.ACCOUNTS)
    aim=AimSpec(
        title="Fewer falls at Riverside",
        what="Reduce the number of falls among the people who live at Riverside",
        for_whom="The 32 people who live at Riverside, many of them living with dementia",
        location="Riverside Care Home, both floors",
        unit="falls a month",
        baseline=9,
        target=4,
        where_now="About 9 falls a month, most in the afternoon and at night.",
        want="4 falls a month or fewer, without stopping people moving about freely.",
        how="Talk about risk at every handover, keep people active, make rooms safer at night.",
        who_acts="Shift leaders, the activities coordinator and the maintenance team.",
    ),
    primaries=(
        "Staff know who is at risk of falling, and why",
        "People stay active and strong",
        "Rooms and corridors are safe, day and night",
    ),
    secondaries=(
        ("Falls risk is talked about at every handover", (0,)),
        ("Every fall is looked at quickly, with the person", (0, 2)),
        ("Movement people enjoy, every day", (1,)),
        ("People drink enough", (1, 2)),
        ("Night-time checks that do not wake people", (2,)),
    ),
    ramps=(
        RampSpec(
            idea="Falls safety huddle at every handover",
            description=(
                "Ten minutes at each shift handover: who is at risk today, what has changed, "
                "and who will keep an eye on whom."
            ),
            driver=0,
            question="Will a short huddle at handover mean fewer falls?",
            objective="Find out whether a falls huddle at handover fits the shift and helps",
            who="The shift leader and the care staff coming on shift",
            where="The staff room, then each floor's office",
            when="At each handover",
            data_plan="Tick the huddle sheet at each handover; count falls from the accident book",
            collected_by="Shift leaders",
            measures=("falls", "huddles"),
            steps=(
                Step(
                    title="Huddle on the ground floor, day shifts only",
                    month=3,
                    day=6,
                    days=14,
                    prediction="Huddles at 8 of 10 day handovers, naming at least 3 people at risk",
                    decision=Decision.ADAPT,
                    result="Huddles at 6 of 14 handovers; they ran over when the home was busy",
                    learning="Ten minutes is too long on a busy morning; a prompt card helps",
                    next_steps="Use a card with three questions and try it on both floors",
                ),
                Step(
                    title="Prompt-card huddle on both floors, day and night",
                    month=4,
                    day=3,
                    days=21,
                    prediction="Huddles at 3 of 4 handovers, each under 10 minutes",
                    decision=Decision.ADAPT,
                    result="Huddles at 48 of 63 handovers, 7 minutes on average",
                    learning="Night staff value the huddle most; agency staff need it explained",
                    next_steps="Run it at every handover for a month and count the falls",
                    owner="member",
                    what_matters=(
                        "I want staff to know I get dizzy when I stand up, without telling "
                        "every new face."
                    ),
                ),
                Step(
                    title="Huddle at every handover for a month",
                    month=5,
                    day=1,
                    days=27,
                    prediction="Fewer than 6 falls this month",
                    decision=Decision.ADOPT,
                    result="5 falls, the fewest since we began counting; huddles at 84 of 90",
                    learning="The huddle works when the shift leader owns it",
                    next_steps="Make it part of the handover policy; show new and agency staff",
                    difference="Staff now check on me after lunch, when I feel light-headed.",
                ),
            ),
        ),
        RampSpec(
            idea="Chair exercise to music after lunch",
            description="Twenty minutes of seated exercise to music the residents choose.",
            driver=2,
            question="Will people join in and keep coming?",
            objective="Find out whether residents enjoy a seated exercise session",
            who="The activities coordinator and one care worker",
            where="The ground-floor lounge",
            when="After lunch",
            data_plan="Count who joins each session and ask people what they thought",
            collected_by="Activities coordinator",
            measures=("falls",),
            steps=(
                Step(
                    title="Chair exercise with four residents",
                    month=7,
                    day=7,
                    days=14,
                    prediction="All four will come to at least 3 of the 4 sessions",
                    decision=Decision.ADAPT,
                    result="Three of the four came every time; one found the music too loud",
                    learning="Let residents choose the music",
                    next_steps="Open it to everyone three afternoons a week, residents' music",
                    owner="member",
                ),
                Step(
                    title="Music and movement, three afternoons a week",
                    month=8,
                    day=4,
                    days=28,
                    prediction="At least 10 people will join each session",
                    decision=Decision.ADOPT,
                    result="9 to 14 people each time; two now walk to the lounge on their own",
                    learning="People come for the music and the company as much as the exercise",
                    next_steps="Keep it in the activities plan; train a second person to run it",
                ),
            ),
        ),
        RampSpec(
            idea="Afternoon drinks trolley",
            description="A trolley with a choice of drinks taken round every afternoon.",
            driver=3,
            question="Will people drink more in the afternoon?",
            objective="See whether offering drinks from a trolley helps people drink more",
            who="Two care workers",
            where="First floor",
            when="3pm every day",
            data_plan="Note how many drinks each person takes from the trolley",
            collected_by="Care workers on the first floor",
            steps=(
                Step(
                    title="Drinks trolley on the first floor",
                    month=10,
                    day=2,
                    days=14,
                    prediction="Each person will take at least two extra drinks each afternoon",
                    decision=Decision.ABANDON,
                    result="Most took one drink; the trolley blocked the corridor for frames",
                    learning="Drinks offered during activities work better than a trolley",
                    next_steps="Stop the trolley; offer drinks at every activity instead",
                    problems="The corridor is too narrow for a trolley and walking frames",
                ),
            ),
        ),
        RampSpec(
            idea="Pressure mats beside the bed at night",
            description="A mat that alerts staff when someone at high risk gets out of bed.",
            driver=4,
            question="Will the mats alert staff before people fall at night?",
            objective="See whether bedside mats help staff reach people before they fall",
            who="Night staff",
            where="Three bedrooms on the ground floor",
            when="Every night for two weeks",
            data_plan="Log each alarm, how long staff took to arrive and what was happening",
            collected_by="Night shift leader",
            measures=("falls",),
            steps=(
                Step(
                    title="Pressure mats for three people at high risk",
                    month=12,
                    day=5,
                    days=14,
                    prediction="Staff will reach the person within a minute, before any fall",
                    decision=Decision.ABANDON,
                    result="40 alarms in two weeks, mostly people turning over; two were upset",
                    learning="The mats disturbed sleep more than they prevented falls",
                    next_steps="Stop the mats and look again at how we check at night",
                    what_matters="Being woken in the night makes me muddled the next day.",
                ),
            ),
        ),
        RampSpec(
            idea="Look at every fall within a day, with the person",
            description=(
                "A short review of each fall with the person and the staff who were there, "
                "within 24 hours, to find one thing to change."
            ),
            driver=1,
            question="Will we find something to change after most falls?",
            objective="Learn from each fall while people still remember it",
            who="The person's key worker and the shift leader",
            where="Wherever the person is most comfortable",
            when="Within 24 hours of a fall",
            data_plan="Note each review, when it happened and what was changed",
            collected_by="Deputy manager",
            measures=("falls",),
            steps=(
                Step(
                    title="Reviews after falls on the ground floor",
                    month=15,
                    day=3,
                    days=21,
                    prediction="We will find something to change after 3 of every 4 falls",
                    decision=Decision.ADAPT,
                    result="4 falls reviewed; a change after 3 (a rug, a frame, a call bell)",
                    learning="Reviews are quicker when the person's key worker leads them",
                    next_steps="Key workers lead the reviews on both floors",
                    owner="member",
                ),
                Step(
                    title="Key workers lead reviews after falls, both floors",
                    month=16,
                    day=14,
                    days=28,
                    prediction="Every fall will be reviewed within 24 hours",
                    stage=Stage.DO,
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="falls",
            name="Falls a month",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.COUNT,
            direction=Direction.DECREASE,
            chart_type=ChartType.C,
            unit="falls",
            definition=(
                "Each time someone living at Riverside ends up on the floor or a lower surface "
                "without meaning to, hurt or not"
            ),
            data_source="Accident book",
            collected_by="Deputy manager",
            baseline=9,
            target=4,
            freeze=12,
            series=Series(((-6, 9.0), (6, 5.6), (9, 4.2)), spread=2.2),
        ),
        MeasureSpec(
            key="medication_errors",
            name="Medication errors",
            measure_type=MeasureType.BALANCING,
            value_kind=ValueKind.EVENTS,
            direction=Direction.DECREASE,
            chart_type=ChartType.G,
            unit="errors",
            definition=(
                "Each time a medicine is given at the wrong time, in the wrong dose or not at all, "
                "recorded on the day it is found"
            ),
            data_source="Medication incident log",
            collected_by="Deputy manager",
            # The level is the average days between errors: about two weeks, then a month once
            # the night routine settles (fewer interruptions on the evening round).
            series=Series(((-6, 13.0), (8, 30.0)), spread=0.0),
        ),
        MeasureSpec(
            key="huddles",
            name="Handovers with a falls huddle",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of handovers",
            definition="A handover where the huddle sheet is ticked by the shift leader",
            numerator="Handovers with the huddle sheet ticked",
            denominator="Handovers that month (three a day)",
            data_source="Huddle sheet",
            collected_by="Shift leaders",
            target=0.9,
            series=Series(
                ((3, 0.3), (4, 0.72), (5, 0.9), (6, 0.93)),
                spread=0.04,
                denominators=(84, 93),
                first=3,
            ),
        ),
        MeasureSpec(
            key="handover",
            name="Handover length",
            measure_type=MeasureType.BALANCING,
            value_kind=ValueKind.CONTINUOUS,
            direction=Direction.DECREASE,
            chart_type=ChartType.I,
            unit="minutes",
            definition="The average length of the handovers timed that month (one a day)",
            data_source="Handover timing sheet",
            collected_by="Shift leaders",
            baseline=22,
            freeze=12,
            series=Series(((-6, 22.0), (4, 23.0)), spread=2.0),
        ),
    ),
    shared={
        "control": Series(((-6, 0.56), (7, 0.7)), spread=0.05, denominators=(18, 26)),
        "leavers": Series(((-6, 3.6),), spread=1.0, denominators=(44, 48)),
    },
    barriers=(
        "Two night staff off sick; agency staff did not know the huddle.",
        "A flu outbreak meant we paused group activities for a week.",
        "The manager was covering shifts, so our team meeting was cancelled.",
        "",
    ),
    comments=(
        (
            "expert",
            "Huddle at every handover for a month",
            "Could the huddle card have a space for what each of us is looking forward to that "
            "day? It would help staff talk to us, not only about us.",
        ),
        (
            "lead",
            "Pressure mats for three people at high risk",
            "Thank you Evie. Your point about being woken made us stop this one.",
        ),
    ),
)

NORTH = TeamSpec(
    key="north",
    name="North Locality Social Work",
    organisation="Northshire County Council",
    kind=OrganisationKind.COUNCIL,
    service="Adult social work, north locality",
    theme=0,
    people=(
        ("northmember@example.org", "Nora Norris", Role.TEAM_MEMBER),
        ("northexpert@example.org", "Errol Evans", Role.EXPERT_BY_EXPERIENCE),
    ),
    aim=AimSpec(
        title="Shorter waits for an assessment",
        what="Cut the time people wait from first contact to a Care Act assessment",
        for_whom="Adults and carers who contact the north locality team for support",
        location="North locality, Northshire",
        unit="days on average",
        baseline=41,
        target=21,
        where_now="People wait about 41 days; some wait more than 3 months.",
        want="An average wait of 21 days or fewer, and nobody waiting more than 6 weeks.",
        how="Triage on the day of contact, short assessments at a drop-in, better preparation.",
        who_acts="Duty seniors, the team manager and the library service.",
    ),
    primaries=(
        "The right response at the first contact",
        "Enough time to assess",
        "People and families ready for the conversation",
    ),
    secondaries=(
        ("A senior practitioner looks at every contact on the day", (0,)),
        ("Short assessments without a home visit when people prefer", (1,)),
        ("Information and a friendly call before the visit", (2, 1)),
    ),
    ramps=(
        RampSpec(
            idea="Same-day triage by the duty senior",
            description="The duty senior reads every new contact the day it arrives.",
            driver=0,
            question="Will same-day triage shorten the wait for an assessment?",
            objective="Find out whether reading contacts on the day gets people seen sooner",
            who="The duty senior practitioner",
            where="The north locality office",
            when="Every working day, 9am and 2pm",
            data_plan="Log the date of each contact, of triage and of the assessment",
            collected_by="Business support officer",
            measures=("wait", "triaged"),
            steps=(
                Step(
                    title="Triage on the day, Mondays and Tuesdays",
                    month=4,
                    day=6,
                    days=14,
                    prediction="9 in 10 contacts on those days will be triaged the same day",
                    decision=Decision.ADAPT,
                    result="7 in 10; contacts after 3pm waited until the next day",
                    learning="A second look at 2pm catches the afternoon contacts",
                    next_steps="Two triage slots a day, every day of the week",
                ),
                Step(
                    title="Two triage slots a day, all week",
                    month=5,
                    day=4,
                    days=21,
                    prediction="9 in 10 contacts triaged the same day",
                    decision=Decision.ADAPT,
                    result="88 in 100; the duty senior was pulled away twice for emergencies",
                    learning="Triage needs a named back-up when the duty senior is called out",
                    next_steps="Name a back-up for each day and keep going for a month",
                    owner="member",
                ),
                Step(
                    title="Same-day triage with a named back-up",
                    month=6,
                    day=1,
                    days=28,
                    prediction="The average wait will fall below 35 days within two months",
                    decision=Decision.ADOPT,
                    result="95 in 100 triaged on the day; waits fell to about 31 days",
                    learning="Most people only needed information or a short call",
                    next_steps="Make it how the team works; share the rota with the south team",
                ),
            ),
        ),
        RampSpec(
            idea="Drop-in assessment clinic at the library",
            description="A weekly clinic where people can have a short assessment in person.",
            driver=1,
            question="Will people use a drop-in instead of waiting for a home visit?",
            objective="See whether a drop-in clinic can take some assessments off the waiting list",
            who="Two social workers and an occupational therapist",
            where="Northtown library, community room",
            when="Thursday mornings",
            data_plan="Count people seen at the clinic and ask them how it was",
            collected_by="The social workers at the clinic",
            measures=("wait",),
            steps=(
                Step(
                    title="Drop-in clinic for four Thursdays",
                    month=9,
                    day=3,
                    days=28,
                    prediction="At least 6 people a week, and 8 in 10 happy not to have a visit",
                    decision=Decision.ADAPT,
                    result="4 to 9 people a week; most liked it, some could not get there",
                    learning="People need to know about the clinic when they first call",
                    next_steps="Offer the clinic at triage and arrange community transport",
                    owner="member",
                ),
                Step(
                    title="Clinic offered at triage, with transport",
                    month=10,
                    day=1,
                    days=28,
                    prediction="10 people a week; the waiting list will shrink",
                    decision=Decision.ADOPT,
                    result="11 people a week on average; the waiting list fell by a third",
                    learning="Offering a choice at the first call matters most",
                    next_steps="Keep the clinic every Thursday; ask the library about Tuesdays",
                    what_matters="Not everyone wants a stranger in their home. A choice is good.",
                    difference="I was seen in a week and I got my rail fitted before Christmas.",
                ),
            ),
        ),
        RampSpec(
            idea="'What to expect' leaflet sent before the visit",
            description="A one-page leaflet about the assessment posted with the appointment.",
            driver=2,
            question="Will people be better prepared for the assessment?",
            objective="Find out whether a leaflet shortens assessments and helps people prepare",
            who="Business support",
            where="By post",
            when="With every appointment letter",
            data_plan="Ask at the visit whether the person read the leaflet",
            collected_by="The assessing social worker",
            steps=(
                Step(
                    title="Leaflet with every appointment letter",
                    month=12,
                    day=1,
                    days=21,
                    prediction="Half of the people visited will have read it",
                    decision=Decision.ABANDON,
                    result="1 in 8 had read it; several did not open post from the council",
                    learning="A call works better than a letter for the people we see",
                    next_steps="Stop the leaflet; test a phone call the day before instead",
                    what_matters="A brown envelope from the council makes me anxious.",
                ),
            ),
        ),
        RampSpec(
            idea="A friendly call the day before the visit",
            description="A short call to say who is coming, why, and what might help.",
            driver=2,
            question="Will a call the day before mean fewer second visits?",
            objective="Reduce repeat visits because people were not ready",
            who="The social worker who will visit",
            where="By phone",
            when="The day before each visit",
            data_plan="Note whether a second visit was needed and why",
            collected_by="The assessing social worker",
            measures=("second",),
            steps=(
                Step(
                    title="Calls the day before, for one worker's visits",
                    month=13,
                    day=5,
                    days=14,
                    prediction="No second visits needed for those people",
                    decision=Decision.ADAPT,
                    result="1 second visit out of 9; two people asked a relative to be there",
                    learning="Asking who the person would like there helps",
                    next_steps="Everyone makes the call and asks who the person wants there",
                    owner="member",
                ),
                Step(
                    title="Everyone calls the day before",
                    month=14,
                    day=2,
                    days=28,
                    prediction="Second visits will fall below 1 in 10",
                    decision=Decision.ADOPT,
                    result="7 second visits out of 82",
                    learning="The call takes 5 minutes and saves an hour",
                    next_steps="Add it to the visit checklist",
                ),
                Step(
                    title="Calls the day before for carers' assessments",
                    month=16,
                    day=8,
                    days=35,
                    prediction="Carers will say they felt ready for the assessment",
                    stage=Stage.PLAN,
                    owner="member",
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="wait",
            name="Days from first contact to assessment",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.CONTINUOUS,
            direction=Direction.DECREASE,
            chart_type=ChartType.I,
            unit="days",
            definition=(
                "For assessments completed that week: the average number of calendar days from "
                "the first contact to the assessment"
            ),
            data_source="Case management system report",
            collected_by="Business support officer",
            frequency=Frequency.WEEKLY,
            baseline=41,
            target=21,
            freeze=26,
            series=Series(((-6, 41.0), (7, 31.0), (11, 25.0)), spread=4.0),
        ),
        MeasureSpec(
            key="triaged",
            name="Contacts triaged on the same day",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of new contacts",
            definition="A new contact read and given a next step by a senior on the day it came",
            numerator="Contacts triaged on the day they came",
            denominator="New contacts that month",
            data_source="Duty log",
            collected_by="Duty senior",
            target=0.9,
            series=Series(
                ((-6, 0.35), (4, 0.7), (5, 0.88), (6, 0.95)), spread=0.04, denominators=(110, 150)
            ),
        ),
        MeasureSpec(
            key="second",
            name="Assessments needing a second visit",
            measure_type=MeasureType.BALANCING,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.DECREASE,
            chart_type=ChartType.P,
            unit="of assessments",
            definition="An assessment that could not be finished at the first visit",
            numerator="Assessments needing a second visit",
            denominator="Assessments done that month",
            data_source="Case management system report",
            collected_by="Business support officer",
            freeze=12,
            series=Series(((-6, 0.17), (14, 0.09)), spread=0.025, denominators=(70, 95)),
        ),
    ),
    shared={
        "control": Series(((-6, 0.6), (11, 0.7)), spread=0.05, denominators=(20, 30)),
        "leavers": Series(((-6, 3.0),), spread=2.0, denominators=(58, 64)),
    },
    reporting="late",
    barriers=(
        "Two vacancies in the team; agency social workers cover the duty rota.",
        "A rise in safeguarding work took the seniors away from triage.",
        "The case management system was down for two days.",
        "",
    ),
    comments=(
        (
            "northexpert",
            "Everyone calls the day before",
            "When they called me they asked if I wanted my daughter there. That made a big "
            "difference.",
        ),
    ),
)

MEADOWBANK = TeamSpec(
    key="meadowbank",
    name="Meadowbank Home Care",
    organisation="Meadowbank Care Services Ltd",
    kind=OrganisationKind.HOME_CARE,
    service="Home care for older people and people living with dementia",
    theme=1,
    people=(
        ("homecarelead@example.org", "Harriet Hale", Role.TEAM_LEAD),
        ("homecarestaff@example.org", "Hamid Hussain", Role.TEAM_MEMBER),
    ),
    aim=AimSpec(
        title="New care workers stay with us",
        what="Increase the share of new care workers still with us 90 days after they start",
        for_whom="Care workers who join Meadowbank",
        location="Meadowbank's two branches",
        unit="of new starters still here at 90 days",
        baseline=0.55,
        target=0.8,
        where_now="Only about half of new starters are still with us three months later.",
        want="8 in 10 new starters still with us at 90 days.",
        how="A buddy for every new starter, regular check-ins, rotas that work for new staff.",
        who_acts="Branch managers, senior carers and the rota coordinator.",
    ),
    primaries=(
        "New starters feel welcome and supported",
        "Rotas that work for new starters",
    ),
    secondaries=(
        ("A named buddy from the first week", (0,)),
        ("Regular check-ins with the manager", (0,)),
        ("Secure hours", (1,)),
        ("Paid travel time and sensible runs", (1, 0)),
    ),
    ramps=(
        RampSpec(
            idea="Buddy for every new starter",
            description="An experienced care worker paired with each new starter for 6 weeks.",
            driver=0,
            question="Will new starters with a buddy stay longer?",
            objective="Find out whether a buddy helps new care workers settle and stay",
            who="Senior care workers who volunteer as buddies",
            where="Both branches",
            when="The first six weeks of each new starter's job",
            data_plan="Track who had a buddy and whether they are still with us at 90 days",
            collected_by="Branch administrator",
            measures=("retained", "buddied", "overtime"),
            steps=(
                Step(
                    title="Buddies for two new starters",
                    month=3,
                    day=2,
                    days=28,
                    prediction="Both will say they feel supported after 4 weeks",
                    decision=Decision.ADAPT,
                    result="Both did; one buddy said she had no time to meet",
                    learning="Buddies need paid time to meet their new starter",
                    next_steps="Pay buddies an extra hour a week",
                ),
                Step(
                    title="Paid buddy hour for all June starters",
                    month=4,
                    day=1,
                    days=42,
                    prediction="All 7 starters will still be with us at 6 weeks",
                    decision=Decision.ADAPT,
                    result="6 of 7 still with us; buddies kept the hour free most weeks",
                    learning="Matching buddies on the same runs works best",
                    next_steps="Match buddies by area and make it standard for a quarter",
                    owner="member",
                ),
                Step(
                    title="Buddy matched by area for every starter",
                    month=6,
                    day=1,
                    days=28,
                    prediction="At least 75 in 100 new starters still with us at 90 days",
                    decision=Decision.ADOPT,
                    result="Of the starters who reached 90 days, 8 in 10 were still with us",
                    learning="The buddy hour matters more than any training session",
                    next_steps="Part of every induction; share the idea with the collaborative",
                ),
            ),
        ),
        RampSpec(
            idea="Manager check-in calls in weeks 2 and 6",
            description="A 10-minute call from the branch manager to each new starter.",
            driver=1,
            question="Will new starters raise problems earlier?",
            objective="Hear about problems before new starters decide to leave",
            who="Branch managers",
            where="By phone",
            when="Week 2 and week 6 of employment",
            data_plan="Note each call and anything raised",
            collected_by="Branch managers",
            measures=("retained",),
            steps=(
                Step(
                    title="Check-in calls for all new starters",
                    month=8,
                    day=1,
                    days=42,
                    prediction="Most calls will raise at least one problem we can fix",
                    decision=Decision.ADOPT,
                    result="14 of 19 calls raised something, mostly rota changes at short notice",
                    learning="Short-notice rota changes drive people away",
                    next_steps="Keep the calls; look at how rotas are changed",
                ),
            ),
        ),
        RampSpec(
            idea="Guaranteed hours after induction",
            description="Offer a contract with guaranteed hours once induction is finished.",
            driver=2,
            question="Will guaranteed hours keep more new starters?",
            objective="Test whether secure hours make a difference to who stays",
            who="The registered manager and HR",
            where="Branch two",
            when="At the end of induction",
            data_plan="Record who was offered a contract, who accepted and who stayed",
            collected_by="HR officer",
            steps=(
                Step(
                    title="Guaranteed 20 hours for branch two starters",
                    month=11,
                    day=3,
                    days=42,
                    prediction="4 in 5 starters will accept, and all of them stay",
                    decision=Decision.ADAPT,
                    result="3 of 6 accepted; the others wanted to keep flexible hours",
                    learning="Flexible hours suit students and parents; offer a choice",
                    next_steps="Offer a choice of contract and check the cost with finance",
                ),
                Step(
                    title="A choice of contract for all starters",
                    month=13,
                    day=1,
                    days=28,
                    prediction="The cost will be covered by lower recruitment spending",
                    decision=Decision.ABANDON,
                    result="Guaranteed hours cost more than our council fee rates allow",
                    learning="This needs commissioners to change how they pay for care",
                    next_steps="Stop for now; raise it with the strategic panel",
                    problems="Finance could not fund unused guaranteed hours",
                ),
            ),
        ),
        RampSpec(
            idea="Paid travel time on new starters' runs",
            description="New starters' runs have realistic, paid travel time between visits.",
            driver=3,
            question="Will new starters feel less rushed?",
            objective="Find out whether realistic travel time helps new starters settle",
            who="The rota coordinator",
            where="Branch one",
            when="The first three months of each new starter's job",
            data_plan="Ask new starters each week how rushed they felt (1 to 5)",
            collected_by="Rota coordinator",
            measures=("overtime",),
            steps=(
                Step(
                    title="Realistic travel time on three runs",
                    month=14,
                    day=6,
                    days=28,
                    prediction="New starters will score 'rushed' at 2 or less out of 5",
                    decision=Decision.ADAPT,
                    result="Scores fell from 4 to 2; two visits had to move to later",
                    learning="Families need to know when times change",
                    next_steps="Tell families about new times and try all of branch one",
                    owner="member",
                ),
                Step(
                    title="Travel time on every branch one run",
                    month=16,
                    day=1,
                    days=42,
                    prediction="'Rushed' scores at 2 or less, and no complaints about times",
                    stage=Stage.STUDY,
                    result="",
                    what_happened="All runs in branch one changed; families were told by letter",
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="retained",
            name="New care workers still with us after 90 days",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.P,
            unit="of new starters",
            definition="Care workers who reached 90 days since their start date that month",
            numerator="Of those, care workers still employed on day 90",
            denominator="Care workers whose 90th day fell in the month",
            data_source="HR records",
            collected_by="HR officer",
            baseline=0.55,
            target=0.8,
            freeze=12,
            series=Series(((-6, 0.55), (7, 0.74)), spread=0.05, denominators=(9, 14)),
        ),
        MeasureSpec(
            key="buddied",
            name="New starters with a buddy in their first week",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of new starters",
            definition="A named buddy who met the new starter during their first week",
            numerator="New starters who met their buddy in week one",
            denominator="New starters that month",
            data_source="Induction checklist",
            collected_by="Branch administrator",
            target=1.0,
            series=Series(
                ((3, 0.25), (4, 0.7), (6, 0.95)), spread=0.05, denominators=(8, 14), first=3
            ),
        ),
        MeasureSpec(
            key="overtime",
            name="Overtime worked by experienced care workers",
            measure_type=MeasureType.BALANCING,
            value_kind=ValueKind.CONTINUOUS,
            direction=Direction.DECREASE,
            chart_type=ChartType.I,
            unit="hours a month",
            definition="Overtime hours paid to care workers with more than a year's service",
            data_source="Payroll",
            collected_by="Payroll officer",
            baseline=120,
            freeze=12,
            series=Series(((-6, 120.0), (7, 168.0)), spread=12.0),
        ),
    ),
    shared={
        "control": Series(((-6, 0.66),), spread=0.05, denominators=(24, 34)),
        "leavers": Series(((-6, 4.6), (7, 2.4)), spread=0.9, denominators=(68, 76)),
    },
    barriers=(
        "Three care workers left for supermarket jobs paying more per hour.",
        "Fuel costs: some staff cannot afford to drive between visits.",
        "Winter pressures: most of our time went on covering calls.",
        "",
    ),
    extra={"spread_to": "academy"},
)

CARERS = TeamSpec(
    key="carers",
    name="Carers Together",
    organisation="Northshire Carers Centre (a charity)",
    kind=OrganisationKind.VOLUNTARY,
    service="Support for unpaid carers",
    theme=0,
    people=(
        ("carerslead@example.org", "Carla Carter", Role.TEAM_LEAD),
        ("carersexpert@example.org", "Colin Cole", Role.EXPERT_BY_EXPERIENCE),
    ),
    aim=AimSpec(
        title="Every carer has an emergency plan",
        what="Increase the share of carers we support who have an emergency plan",
        for_whom="Unpaid carers of adults with complex needs who use the carers centre",
        location="Northshire Carers Centre and its groups",
        unit="of carers with a plan",
        baseline=0.2,
        target=0.6,
        where_now="About 1 in 5 carers we support has a written plan for an emergency.",
        want="6 in 10 carers with a plan that the people who matter know about.",
        how="A simple one-page plan, written together at groups and first contacts.",
        who_acts="Carer support workers and volunteers.",
    ),
    primaries=(
        "Carers know why a plan matters",
        "Plans are quick and easy to write",
    ),
    secondaries=(
        ("Talk about plans at the first contact", (0,)),
        ("A one-page plan", (1,)),
        ("Help to write it at a carers' group", (1, 0)),
    ),
    ramps=(
        RampSpec(
            idea="One-page emergency plan",
            description="A one-page form: who to call, medicines, routines, what matters.",
            driver=1,
            question="Will carers fill in a one-page plan?",
            objective="See whether a shorter form gets more plans written",
            who="Carer support workers",
            where="Home visits and phone calls",
            when="At every support conversation for a month",
            data_plan="Count plans offered and plans written",
            collected_by="Carer support workers",
            measures=("plans",),
            steps=(
                Step(
                    title="One-page plan offered on phone calls",
                    month=4,
                    day=7,
                    days=21,
                    prediction="Half the carers offered it will write a plan within a week",
                    decision=Decision.ADAPT,
                    result="1 in 4 wrote one; many wanted help to fill it in",
                    learning="Carers want to write the plan with someone, not alone",
                    next_steps="Offer to fill it in together during the call",
                    what_matters="I never have time to sit down with a form on my own.",
                ),
                Step(
                    title="Writing the plan together during the call",
                    month=5,
                    day=5,
                    days=21,
                    prediction="Half the carers will have a plan by the end of the call",
                    decision=Decision.ADOPT,
                    result="11 of 19 carers finished a plan on the call",
                    learning="Twenty minutes is enough for most plans",
                    next_steps="Offer it in every support call",
                    difference="Knowing someone will step in if I am ill lets me sleep better.",
                ),
            ),
        ),
        RampSpec(
            idea="Plan-writing at the Tuesday carers' group",
            description="Half the group session spent writing plans together, with volunteers.",
            driver=2,
            question="Will carers at the group write plans together?",
            objective="Reach carers who do not call us",
            who="Group volunteers",
            where="Tuesday carers' group, Northtown",
            when="Tuesday afternoons",
            data_plan="Count plans written at the group",
            collected_by="Group volunteers",
            measures=("plans",),
            steps=(
                Step(
                    title="Plan-writing at one Tuesday group",
                    month=8,
                    day=2,
                    days=7,
                    prediction="8 carers will write a plan",
                    decision=Decision.ADAPT,
                    result="5 carers wrote a plan; others chatted instead, which they needed",
                    learning="Keep the chat first and plans after the tea break",
                    next_steps="Plans after the tea break, for a month",
                ),
                Step(
                    title="Plans after the tea break, four Tuesdays",
                    month=10,
                    day=1,
                    days=28,
                    prediction="20 plans in the month",
                    decision=Decision.ADAPT,
                    result="14 plans; volunteers were unsure about medicines questions",
                    learning="Volunteers need a short briefing on medicines",
                    next_steps="Brief volunteers and try the Fridays group too",
                ),
                Step(
                    title="Briefed volunteers at both groups",
                    month=13,
                    day=3,
                    days=28,
                    prediction="25 plans in the month",
                    stage=Stage.STUDY,
                    what_happened="Tuesday group went ahead; the Friday group was cancelled",
                    problems="Our project worker left and the Friday group has no host",
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="plans",
            name="Carers with an emergency plan",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of carers supported",
            definition="Carers we support who have a written emergency plan on file",
            numerator="Carers with a plan on file at the end of the month",
            denominator="Carers we supported that month",
            data_source="Carers centre database",
            collected_by="Centre administrator",
            baseline=0.2,
            target=0.6,
            series=Series(
                ((-6, 0.2), (5, 0.25), (6, 0.29), (9, 0.33), (11, 0.36)),
                spread=0.015,
                denominators=(120, 140),
            ),
        ),
        MeasureSpec(
            key="written",
            name="Emergency plans written",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.COUNT,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="plans",
            definition="New emergency plans written with a carer that month",
            data_source="Carers centre database",
            collected_by="Centre administrator",
            series=Series(((-6, 2.0), (5, 9.0), (8, 13.0)), spread=2.0),
        ),
    ),
    shared={
        "control": Series(((-6, 0.48),), spread=0.06, denominators=(14, 22)),
        "leavers": Series(((-6, 5.0), (12, 9.0)), spread=2.0, denominators=(11, 13)),
    },
    last_month=13,
    reporting="draft",
    barriers=(
        "Volunteers away over the school holidays.",
        "Our funding bid took most of the team's time this month.",
        "",
    ),
    extra={
        "stalled_barrier": (
            "Our project worker left and we have not recruited yet. The groups are paused and "
            "we have not collected data since."
        )
    },
    comments=(
        (
            "carersexpert",
            "Writing the plan together during the call",
            "My plan is on the fridge now. My son knows what to do if I am taken ill.",
        ),
    ),
)

ACADEMY = TeamSpec(
    key="academy",
    name="Northshire Care Academy",
    organisation="Northshire County Council",
    kind=OrganisationKind.COUNCIL,
    service="Recruitment and induction for care providers across Northshire",
    theme=1,
    people=(("academylead@example.org", "Amara Adeyemi", Role.TEAM_LEAD),),
    aim=AimSpec(
        title="More people start a career in care",
        what=(
            "Increase the number of new care workers starting with partner providers each "
            "month, with more men and younger people among them"
        ),
        for_whom="People looking for work in Northshire, and our 40 partner providers",
        location="Northshire",
        unit="new care workers a month",
        baseline=8,
        target=14,
        where_now="About 8 people a month start in care through us; most are women over 40.",
        want="14 starters a month, a quarter of them men or under 25.",
        how="Let people try care first, reach new groups, and make the route to a job quick.",
        who_acts="Academy staff, partner providers and the job centre.",
    ),
    primaries=(
        "People see care as a career for them",
        "A quick, friendly route from applying to the first day",
    ),
    secondaries=(
        ("Taster days in real services", (0,)),
        ("Adverts where younger people and men will see them", (0,)),
        ("Interviews within a week of applying", (1,)),
        ("Support in the first weeks of the job", (1,)),
    ),
    ramps=(
        RampSpec(
            idea="'Try a day in care' taster days",
            description="A paid day shadowing a care worker before deciding to apply.",
            driver=0,
            question="Will people who try a day go on to apply and start?",
            objective="See whether a taster day turns interest into applications",
            who="Academy staff and partner providers' senior carers",
            where="Partner care homes and home care runs",
            when="Twice a month",
            data_plan="Track each taster-day guest to application and start",
            collected_by="Academy administrator",
            measures=("starters",),
            steps=(
                Step(
                    title="Taster day at one care home",
                    month=5,
                    day=12,
                    days=7,
                    prediction="4 of 6 guests will apply",
                    decision=Decision.ADAPT,
                    result="2 of 6 applied; the others wanted to see home care",
                    learning="People want to see more than one kind of care",
                    next_steps="Offer a morning in a care home and an afternoon in home care",
                ),
                Step(
                    title="Half a day each in a home and on a home care run",
                    month=6,
                    day=9,
                    days=14,
                    prediction="Half the guests will apply",
                    decision=Decision.ADAPT,
                    result="7 of 12 applied; the home care afternoon was most popular",
                    learning="Travel to the taster was hard for people without a car",
                    next_steps="Pay travel and run taster days every fortnight",
                ),
                Step(
                    title="Fortnightly taster days with travel paid",
                    month=8,
                    day=1,
                    days=56,
                    prediction="Starters will rise to 11 a month",
                    decision=Decision.ADOPT,
                    result="11 starters in the second month; 3 were under 25",
                    learning="Word of mouth from taster guests brings others",
                    next_steps="Keep taster days as the main route into the academy",
                ),
            ),
        ),
        RampSpec(
            idea="Adverts on social media and at the job centre",
            description="Short videos of care workers talking about their job.",
            driver=1,
            question="Will more men and younger people apply?",
            objective="Reach people who would not think of care",
            who="The council's communications team",
            where="Social media and the job centre",
            when="For four weeks",
            data_plan="Count clicks, enquiries and applications",
            collected_by="Communications officer",
            measures=("newgroups",),
            steps=(
                Step(
                    title="Four weeks of video adverts",
                    month=7,
                    day=1,
                    days=28,
                    prediction="30 applications, a third from men or people under 25",
                    decision=Decision.ABANDON,
                    result="2,000 clicks but 4 applications; none became starters",
                    learning="Adverts raise interest but people need to meet someone",
                    next_steps="Stop paid adverts; put the money into taster days",
                ),
            ),
        ),
        RampSpec(
            idea="Interview within five working days",
            description="Every applicant is offered an interview within five working days.",
            driver=2,
            question="Will fewer applicants drop out before interview?",
            objective="Stop losing applicants while they wait",
            who="Academy staff and partner managers",
            where="Academy office and online",
            when="Every application",
            data_plan="Record dates of application and interview",
            collected_by="Academy administrator",
            measures=("days",),
            steps=(
                Step(
                    title="Interviews within five days for home care applicants",
                    month=10,
                    day=6,
                    days=28,
                    prediction="No applicant will wait more than 5 working days",
                    decision=Decision.ADAPT,
                    result="Most did not; two partner managers were on leave",
                    learning="A shared interview diary across partners is needed",
                    next_steps="Set up a shared diary and include care homes",
                ),
                Step(
                    title="Shared interview diary across partners",
                    month=11,
                    day=3,
                    days=28,
                    prediction="Average days from applying to interview below 7",
                    decision=Decision.ADOPT,
                    result="Average 5 days; no-shows at interview fell by half",
                    learning="Speed matters more than a perfect match of interviewer",
                    next_steps="Keep the diary; review it at the partners' meeting",
                ),
            ),
        ),
        RampSpec(
            idea="Buddy for every new starter",
            description="Copied from Meadowbank Home Care: a buddy from the partner provider.",
            driver=3,
            question="Will academy starters placed with a buddy stay longer?",
            objective="Spread Meadowbank's buddy idea to academy starters",
            who="Partner providers' senior carers",
            where="Partner providers",
            when="The first six weeks of each academy starter's job",
            data_plan="Track who had a buddy and whether they stayed 90 days",
            collected_by="Academy administrator",
            copied_from=("meadowbank", "Buddy for every new starter"),
            steps=(
                Step(
                    title="Buddies for academy starters at three providers",
                    month=14,
                    day=3,
                    days=42,
                    prediction="All providers will name a buddy in week one",
                    decision=Decision.ADAPT,
                    result="Two of three did; the third had no senior carer free",
                    learning="Small providers need a buddy from the academy itself",
                    next_steps="Academy mentors act as buddies for small providers",
                ),
                Step(
                    title="Academy mentors as buddies for small providers",
                    month=CURRENT_MONTH,
                    day=20,
                    days=42,
                    prediction="Every academy starter has a buddy in week one",
                    stage=Stage.PLAN,
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="starters",
            name="New care workers starting a month",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.COUNT,
            direction=Direction.INCREASE,
            chart_type=ChartType.C,
            unit="starters",
            definition="People placed by the academy who started paid work with a partner",
            data_source="Academy records, checked with partners",
            collected_by="Academy administrator",
            baseline=8,
            target=14,
            freeze=12,
            series=Series(((-6, 8.0), (9, 8.8)), spread=1.6),
        ),
        MeasureSpec(
            key="days",
            name="Days from application to interview",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.CONTINUOUS,
            direction=Direction.DECREASE,
            chart_type=ChartType.I,
            unit="days",
            definition="Average working days from application to interview, interviews that month",
            data_source="Academy records",
            collected_by="Academy administrator",
            baseline=12,
            target=5,
            freeze=12,
            series=Series(((-6, 12.0), (10, 9.0), (12, 5.0)), spread=1.5),
        ),
        MeasureSpec(
            key="newgroups",
            name="Starters who are men or under 25",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of starters",
            definition="Starters who say they are men, or are under 25 on their start day",
            numerator="Starters who are men or under 25",
            denominator="All starters that month",
            data_source="Academy records",
            collected_by="Academy administrator",
            target=0.25,
            series=Series(((-6, 0.12), (9, 0.22)), spread=0.06, denominators=(7, 14)),
        ),
    ),
    shared={
        "control": Series(((-6, 0.62),), spread=0.06, denominators=(12, 18)),
        "leavers": Series(((-6, 4.5),), spread=3.5, denominators=(20, 24)),
    },
    self_bias=1.0,
    barriers=(
        "Partner providers are slow to confirm start dates.",
        "DBS checks are taking up to six weeks.",
        "",
    ),
)

PATHWAYS = TeamSpec(
    key="pathways",
    name="Pathways Transitions Project",
    organisation="Pathways Northshire (a charity)",
    kind=OrganisationKind.VOLUNTARY,
    service="Young people with a learning disability moving to adult services",
    theme=0,
    people=(
        ("pathwayslead@example.org", "Tom Tran", Role.TEAM_LEAD),
        ("pathwaysexpert@example.org", "Tia Thomas", Role.EXPERT_BY_EXPERIENCE),
    ),
    aim=AimSpec(
        title="A plan for adult life agreed by 17",
        what=(
            "Increase the share of young people with a learning disability who have a plan for "
            "adult life agreed by their 17th birthday"
        ),
        for_whom="Young people with a learning disability in Northshire, and their families",
        location="Northshire schools, children's and adults' services",
        unit="of young people turning 17",
        baseline=0.3,
        target=0.75,
        where_now="Fewer than 1 in 3 young people have a plan agreed by 17.",
        want="3 in 4 young people with a plan they helped write, agreed by 17.",
        how="Bring children's and adults' teams together early, with young people leading.",
        who_acts="Pathways workers, both council teams, schools and families.",
    ),
    primaries=(
        "Young people and families know what to expect",
        "Children's and adults' teams plan together",
    ),
    secondaries=(
        ("An easy-read guide to adult life", (0,)),
        ("A joint meeting at 16", (1, 0)),
        ("Hearing from young people who have made the move", (0,)),
    ),
    ramps=(
        RampSpec(
            idea="Joint planning meeting at 16",
            description="One meeting with the young person, family, and both council teams.",
            driver=1,
            question="Will a joint meeting at 16 get plans agreed sooner?",
            objective="Bring both teams together early so plans are agreed before 17",
            who="Pathways worker, children's and adults' social workers",
            where="The young person's school or home",
            when="Within a month of the 16th birthday",
            data_plan="Record each meeting and the date the plan is agreed",
            collected_by="Pathways worker",
            measures=("planned",),
            steps=(
                Step(
                    title="Joint meetings for five young people",
                    month=6,
                    day=2,
                    days=28,
                    prediction="All five meetings happen with both teams there",
                    decision=Decision.ADAPT,
                    result="4 of 5 happened; adults' team missed one at short notice",
                    learning="Book the adults' team first; they have less flexibility",
                    next_steps="Book adults' team dates first for every 16-year-old",
                ),
                Step(
                    title="Adults' team booked first, every 16th birthday",
                    month=7,
                    day=1,
                    days=56,
                    prediction="Plans agreed for 6 in 10 young people turning 17",
                    decision=Decision.ADOPT,
                    result="Plans agreed for 7 in 10 in the next two months",
                    learning="Young people talk more when the meeting is at school",
                    next_steps="Make joint meetings the normal route; hold them in school",
                    what_matters="I want to be in the room when they talk about my life.",
                    difference="I ran part of my meeting. They listened to me about college.",
                ),
            ),
        ),
        RampSpec(
            idea="Easy-read 'Moving on' guide",
            description="A guide to adult services written with young people, in easy read.",
            driver=0,
            question="Will families feel they know what happens next?",
            objective="Help young people and families understand adult services",
            who="Young people's group and Pathways workers",
            where="Youth group, then all families",
            when="Before the joint meeting",
            data_plan="Ask families one question after the meeting",
            collected_by="Pathways worker",
            measures=("know",),
            steps=(
                Step(
                    title="Draft guide tried with the youth group",
                    month=9,
                    day=8,
                    days=21,
                    prediction="8 of 10 young people will say it is easy to follow",
                    decision=Decision.ADAPT,
                    result="6 of 10; they wanted pictures of real places, not clip art",
                    learning="Photos of the college and day centre help most",
                    next_steps="Add photos and send it before every joint meeting",
                ),
                Step(
                    title="Guide with photos sent before every meeting",
                    month=11,
                    day=1,
                    days=42,
                    prediction="Most families will say they know what happens next",
                    decision=Decision.ADOPT,
                    result="18 of 23 families said they knew what happens next",
                    learning="Parents read the guide too, not only young people",
                    next_steps="Print it and give it to schools",
                ),
            ),
        ),
        RampSpec(
            idea="Peer mentors who have made the move",
            description="Young adults who moved to adult services mentor a 16-year-old.",
            driver=2,
            question="Will young people feel more confident about adult life?",
            objective="Learn from people who have already made the move",
            who="Three volunteer peer mentors",
            where="Youth club",
            when="Monthly",
            data_plan="Ask mentees how confident they feel, before and after",
            collected_by="Pathways worker",
            steps=(
                Step(
                    title="Three peer mentors, one month",
                    month=13,
                    day=4,
                    days=28,
                    prediction="All mentees will feel more confident",
                    decision=Decision.ABANDON,
                    result="Hard to match pairs; young people preferred a group evening",
                    learning="A group evening reaches more people than pairs",
                    next_steps="Try a 'moving on' group evening instead",
                ),
            ),
        ),
        RampSpec(
            idea="'Moving on' group evenings",
            description="An evening where young adults share what adult life is like.",
            driver=2,
            question="Will young people come and find it useful?",
            objective="Share real stories of moving to adult services",
            who="Peer volunteers and Pathways workers",
            where="Youth club",
            when="One evening a month",
            data_plan="Count who comes and ask one question at the end",
            collected_by="Pathways worker",
            steps=(
                Step(
                    title="First 'moving on' evening",
                    month=16,
                    day=3,
                    days=14,
                    prediction="12 young people will come",
                    stage=Stage.DO,
                    owner="lead",
                ),
            ),
        ),
    ),
    measures=(
        MeasureSpec(
            key="planned",
            name="Young people with a plan agreed by 17",
            measure_type=MeasureType.OUTCOME,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.P,
            unit="of young people turning 17",
            definition="A young person turning 17 that month whose plan for adult life is agreed",
            numerator="Young people turning 17 that month with an agreed plan",
            denominator="Young people with a learning disability turning 17 that month",
            data_source="Transitions tracker",
            collected_by="Pathways worker",
            baseline=0.3,
            target=0.75,
            freeze=12,
            series=Series(((-6, 0.3), (8, 0.68)), spread=0.08, denominators=(8, 13)),
        ),
        MeasureSpec(
            key="know",
            name="Families who know what happens next",
            measure_type=MeasureType.PROCESS,
            value_kind=ValueKind.PROPORTION,
            direction=Direction.INCREASE,
            chart_type=ChartType.RUN,
            unit="of families asked",
            definition="Families answering yes to “Do you know what happens next?” after a meeting",
            numerator="Families who said yes",
            denominator="Families asked that month",
            data_source="Question after each joint meeting",
            collected_by="Pathways worker",
            target=0.8,
            series=Series(((6, 0.45), (11, 0.78)), spread=0.06, denominators=(6, 11), first=6),
        ),
    ),
    shared={
        "control": Series(((-6, 0.5), (9, 0.66)), spread=0.06, denominators=(10, 16)),
        "leavers": Series(((-6, 4.0),), spread=2.0, denominators=(14, 16)),
    },
    barriers=(
        "Exams season: schools could not host meetings.",
        "Waiting for the adults' team to fill a vacancy.",
        "",
    ),
    comments=(
        (
            "pathwaysexpert",
            "Adults' team booked first, every 16th birthday",
            "Please send the easy-read guide before the meeting, not at it.",
        ),
    ),
)

TEAMS = (RIVERSIDE, NORTH, MEADOWBANK, CARERS, ACADEMY, PATHWAYS)

# The actions agreed at that review: (what, who, due in days after the review, status, note).
# One done, one under way, one not started and now overdue, so the panel's list of open actions
# has something in each state.
PANEL_ACTIONS = (
    (
        "Arrange a visit from Riverside's shift leaders to the other two care homes",
        "Chidi Coordinator",
        30,
        "done",
        "Both homes visited; they start the huddle next month.",
    ),
    (
        "Offer Carers Together help to recruit a project worker",
        "Priya Panel",
        120,
        "in_progress",
        "Job description agreed; advert goes out next week.",
    ),
    (
        "Write to commissioners about guaranteed hours for home care workers",
        "Panel chair",
        45,
        "open",
        "",
    ),
)
PANEL_REVIEW_DAY = (13, 18)  # month, day: about three months before today
PANEL_REVIEW = {
    "decisions": (
        "Spread the falls safety huddle to the two other care homes run by Riverside Care Ltd. "
        "Ask every partner provider to try Meadowbank's buddy scheme; the Care Academy has "
        "started. Keep North Locality's same-day triage and drop-in clinic after the "
        "collaborative ends."
    ),
    "organisational_changes": (
        "Guaranteed hours for home care workers need council fee rates that cover them. "
        "The library drop-in clinic needs a room booked for a year, not a month at a time."
    ),
}

COORDINATOR_NOTES = (
    ("Clear report, and the data backs it up.", "Keep your run chart on the staff room wall."),
    ("Good tests, small and quick.", "Say what you predicted before each test."),
    ("Steady progress this month.", "Link your cycles to the measure they should move."),
    ("Honest about what did not work.", "Abandoning a change is learning too: share it."),
)
