"""The demo's community of practice (issue 20): the priority round at a networking event that
chose its theme, a year of monthly meetings with attendance, actions, resources, feedback and
evaluation, the research needs its members raised, and the evidence behind the teams' change
ideas. Content first, then the builder that turns it into rows once the teams' work exists.

Like the rest of the demo, every date is a month number (month 0 is the collaborative's first
month) and every choice comes from random.Random seeded per series: the same rows every run in
the same month. The round was held 13 months before today's month; the CoP met on the second
Tuesday of each of the 12 months after it, the last in the last complete month.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from improve.demo_data import content
from improve.demo_data.build import Builder, Timeline, at, stamp
from improve.extensions import db
from improve.models import (
    ActionStatus,
    Agreement,
    Collaborative,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    Cycle,
    EvaluationNote,
    EvidenceKind,
    IdeaEvidence,
    IdeaSource,
    MeetingFeedback,
    NeedStatus,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    ResearchNeed,
    ResearchNeedVote,
    Role,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
    User,
    VotingMethod,
)

SEED = "living-well-at-home:community"
ROUND_MONTH = 4  # the networking event: 13 months before today's month
START_MONTH = 5  # the CoP's first meeting; it meets every month up to the last complete one

G = StakeholderGroup
E = EvidenceKind

# The priority round ----------------------------------------------------------------------------

ROUND = {
    "title": "Networking event: what should we work on together?",
    "question": (
        "What should our partnership work on together over the next two years, to help people "
        "with complex needs live well at home?"
    ),
    "event_name": "Living Well at Home networking event",
}

# (name, description); the first became the CoP, the second a shared measure, the third an aim.
THEMES = (
    (
        "Complex needs across the lifespan",
        "People whose needs are many and change over their lives: joined-up support from "
        "childhood to old age, and one person who knows them.",
    ),
    (
        "Supporting the social care workforce",
        "Recruiting care workers, helping them through their first weeks, and keeping them.",
    ),
    (
        "Moving between services",
        "From children's to adults' services, from hospital to home: planning early so nobody "
        "starts again from scratch.",
    ),
    (
        "Being heard in reviews",
        "Reviews done with people, not to them, with time for what matters to them.",
    ),
    (
        "Support for unpaid carers",
        "Breaks, emergency plans and groups that carers can rely on.",
    ),
    (
        "Information people can use",
        "Clear information about local support, in the formats and languages people need.",
    ),
)
COMMUNITY_THEME, MEASURE_THEME, AIM_THEME = 0, 1, 2
THEME_MEASURE = "Care staff leaving, per 100 staff"  # a shared measure of the collaborative
THEME_AIM = "pathways"  # the team whose aim already works on moving between services

# Who took part online, with the group each chose for the round (the admin and the research
# partner have no role in the collaborative, so they could not).
PARTICIPANTS = {
    "coordinator": G.STATUTORY_SERVICE,
    "panel": G.STATUTORY_SERVICE,
    "lead": G.MANAGER,
    "member": G.FRONTLINE_PRACTITIONER,
    "expert": G.EXPERT_BY_EXPERIENCE,
    "northlead": G.MANAGER,
    "northmember": G.FRONTLINE_PRACTITIONER,
    "northexpert": G.EXPERT_BY_EXPERIENCE,
    "homecarelead": G.PROVIDER,
    "homecarestaff": G.FRONTLINE_PRACTITIONER,
    "carerslead": G.VOLUNTARY_SECTOR,
    "carersexpert": G.CARER,
    "academylead": G.PROVIDER,
    "pathwayslead": G.VOLUNTARY_SECTOR,
    "pathwaysexpert": G.EXPERT_BY_EXPERIENCE,
}


@dataclass(frozen=True)
class Idea:
    group: StakeholderGroup
    text: str
    by: str | None = None  # the demo account that sent it online; None: a card from the event
    anonymous: bool = False


# Short names for the groups that sent most ideas: people who Draw on care, Carers, Frontline.
D, C, F = G.EXPERT_BY_EXPERIENCE, G.CARER, G.FRONTLINE_PRACTITIONER
# The ideas, by theme: every idea ended up in one.
IDEAS: tuple[tuple[Idea, ...], ...] = (
    (
        Idea(D, "People with several conditions tell their story again to every service."),
        Idea(
            G.STATUTORY_SERVICE,
            "Join up health and social care when needs change quickly.",
            "coordinator",
        ),
        Idea(C, "Help for people with a learning disability as they get older, not only young."),
        Idea(
            D,
            "One person who knows me and keeps everything together, not five who each know a bit.",
            "expert",
            anonymous=True,
        ),
        Idea(
            F,
            "Training on supporting people with both mental ill health and dementia.",
            "northmember",
        ),
        Idea(G.ACADEMIA, "Learn from what already works for people with complex needs elsewhere."),
    ),
    (
        Idea(
            F,
            "Care workers leave because of low pay and hours that change every week.",
            "homecarestaff",
        ),
        Idea(
            G.PROVIDER, "Better support for new care workers in their first weeks.", "homecarelead"
        ),
        Idea(
            G.PROVIDER,
            "Show young people what the job is really like, so they choose care.",
            "academylead",
            anonymous=True,
        ),
        Idea(G.MANAGER, "Managers need time to support their staff, not only to fill the rota."),
        Idea(F, "Recognise the skill it takes to support people with complex needs.", "member"),
    ),
    (
        Idea(C, "Moving from children's to adults' services is a cliff edge for families."),
        Idea(
            G.VOLUNTARY_SECTOR,
            "Plan for adult life early, with the young person in the room.",
            "pathwayslead",
        ),
        Idea(D, "When I turned 18 I had to start again with all new people.", "pathwaysexpert"),
        Idea(G.STATUTORY_SERVICE, "People go home from hospital before their support is ready."),
        Idea(
            G.MANAGER,
            "Share information between services so nobody waits for paperwork.",
            "northlead",
        ),
    ),
    (
        Idea(D, "Reviews happen to me, not with me.", "northexpert", anonymous=True),
        Idea(D, "Time in a review to talk about what matters to me, not only tasks."),
        Idea(C, "Send the questions before the review so people can think about them."),
        Idea(G.VOLUNTARY_SECTOR, "Review letters in easy read."),
        Idea(
            C,
            "Carers are left out of reviews even when they do most of the caring.",
            "carersexpert",
            anonymous=True,
        ),
    ),
    (
        Idea(C, "A plan for what happens if I am taken ill.", "carersexpert"),
        Idea(C, "Breaks for carers that are easy to book."),
        Idea(
            G.VOLUNTARY_SECTOR,
            "Carers' groups need funding that lasts longer than a year.",
            "carerslead",
        ),
        Idea(G.NOT_SAID, "Young carers become adult carers without anyone noticing."),
    ),
    (
        Idea(D, "One place to find out what support there is near me."),
        Idea(G.VOLUNTARY_SECTOR, "Information in community languages, not only English."),
        Idea(
            G.STATUTORY_SERVICE,
            "Say what happens after a first call to the council, and how long it takes.",
            "panel",
        ),
        Idea(G.ACADEMIA, "Leaflets written with the people who will read them."),
        Idea(D, "Information for people who do not use the internet."),
    ),
)

DOTS_PER_PERSON, MAX_DOTS_PER_THEME = 5, 3
# Each participant's dots by theme (the panel member sent an idea but did not vote).
VOTES: dict[str, dict[int, int]] = {
    "coordinator": {0: 2, 1: 2, 2: 1},
    "lead": {1: 3, 0: 2},
    "member": {1: 2, 0: 2, 3: 1},
    "expert": {3: 3, 0: 2},
    "northlead": {0: 2, 2: 2, 5: 1},
    "northmember": {0: 3, 5: 2},
    "northexpert": {3: 2, 0: 2, 5: 1},
    "homecarelead": {1: 3, 2: 2},
    "homecarestaff": {1: 3, 0: 1, 4: 1},
    "carerslead": {4: 3, 0: 2},
    "carersexpert": {4: 3, 0: 2},
    "academylead": {1: 3, 2: 2},
    "pathwayslead": {2: 3, 0: 2},
    "pathwaysexpert": {0: 3, 2: 2},
}

# The community of practice -----------------------------------------------------------------------

COMMUNITY = {
    "name": "Complex needs across the lifespan",
    "theme": content.THEMES[0],
    "description": (
        "People who draw on care, carers, practitioners, managers, commissioners, voluntary "
        "groups and researchers meeting every month as equals: sharing what works for people "
        "with complex needs, from moving into adult services to later life, and naming the "
        "questions research should answer."
    ),
}


@dataclass(frozen=True)
class Member:
    name: str
    group: StakeholderGroup
    organisation: str = ""
    account: str | None = None  # a demo account's key (the part of the email before the @)
    role: CommunityRole = CommunityRole.MEMBER
    joins: int = 0  # the meeting they first came to (0: there from the start)
    leaves: int | None = None  # they left the week after this meeting
    attends: float = 0.6  # how often they come


COUNCIL = "Northshire County Council"
UNIVERSITY = "University of Northshire"
MEMBERS = (
    Member(
        "Chidi Coordinator",
        G.STATUTORY_SERVICE,
        COUNCIL,
        "coordinator",
        CommunityRole.FACILITATOR,
        attends=1.0,
    ),
    Member("Evie Expert", G.EXPERT_BY_EXPERIENCE, account="expert", attends=0.9),
    Member("Mo Member", G.FRONTLINE_PRACTITIONER, "Riverside Care Ltd", "member", attends=0.75),
    Member(
        "Rosa Researcher",
        G.ACADEMIA,
        UNIVERSITY,
        "researcher",
        CommunityRole.RESEARCH_PARTNER,
        attends=0.85,
    ),
    Member("Colin Cole", G.CARER, account="carersexpert", attends=0.8),
    Member("Tom Tran", G.VOLUNTARY_SECTOR, "Pathways Northshire", "pathwayslead", attends=0.7),
    Member("Amina Begum", G.EXPERT_BY_EXPERIENCE, attends=0.7),
    Member("Derek Walsh", G.EXPERT_BY_EXPERIENCE),
    Member("Sunita Rao", G.EXPERT_BY_EXPERIENCE, attends=0.5),
    Member("Marcus Reid", G.EXPERT_BY_EXPERIENCE, joins=3),
    Member("Joy Mensah", G.CARER, attends=0.75),
    Member("Peter Lloyd", G.CARER, leaves=4),
    Member("Hannah Kowalski", G.CARER, attends=0.5),
    Member("Bea Okoro", G.FRONTLINE_PRACTITIONER, "Meadowbank Care Services Ltd"),
    Member("Liam Foster", G.FRONTLINE_PRACTITIONER, COUNCIL),
    Member("Kezia Brown", G.FRONTLINE_PRACTITIONER, "Northshire Community Health NHS Trust"),
    Member("Owen Price", G.FRONTLINE_PRACTITIONER, "Riverside Care Ltd", leaves=1),
    Member("Fiona Grant", G.MANAGER, "Riverside Care Ltd"),
    Member("Raj Patel", G.MANAGER, "Meadowbank Care Services Ltd", attends=0.5),
    Member("Sarah Jones", G.MANAGER, COUNCIL),
    Member("Grace Okafor", G.STATUTORY_SERVICE, "Northshire Integrated Care Board", attends=0.7),
    Member("David Chen", G.STATUTORY_SERVICE, f"{COUNCIL} (commissioning)", attends=0.5),
    Member("Helen Ward", G.STATUTORY_SERVICE, "Northshire Community Health NHS Trust", joins=2),
    Member("Mark Ellison", G.PROVIDER, "Oakwood Supported Living"),
    Member("Priti Shah", G.PROVIDER, "Brightside Day Services", leaves=7),
    Member("Anne Murphy", G.VOLUNTARY_SECTOR, "Northshire Older People's Forum", attends=0.7),
    Member("Yusuf Ali", G.VOLUNTARY_SECTOR, "Northshire Mental Health Network"),
    Member("Claire Hughes", G.VOLUNTARY_SECTOR, "Northshire Advocacy", joins=6),
    Member("Ben Taylor", G.ACADEMIA, UNIVERSITY, attends=0.5),
    Member("Lucy Green", G.ACADEMIA, "Northshire College (social care courses)", joins=4),
    Member("Sam Ellis", G.NOT_SAID, attends=0.5),
)


@dataclass(frozen=True)
class Meeting:
    title: str
    agenda: str
    notes: str
    guests: dict[str, int] = field(default_factory=dict)  # people who are not members, by group
    feedback: bool = True  # whether anybody filled in the feedback form


MEETINGS = (
    Meeting(
        "Getting started",
        "1. Welcome and introductions\n2. How we want to work together\n"
        "3. The ideas from the networking event\n4. Choosing topics for the year",
        "We agreed our ground rules: everyone's knowledge counts the same, plain words, no "
        "jargon, and anyone can say 'stop, explain that'. We chose topics for the year from the "
        "ideas at the networking event. Moving to adult services came first.",
        {"carer": 2, "frontline_practitioner": 1},
    ),
    Meeting(
        "Moving from children's to adults' services",
        "1. Actions from last time\n2. Tom and Tia from Pathways: what young people told us\n"
        "3. What makes it a cliff edge?\n4. What could we change?",
        "Pathways shared their joint meeting at 16 and their easy-read guide. Families said the "
        "hardest part is not knowing who to ask. We agreed to share the guide with every member.",
        {"expert_by_experience": 2, "carer": 1},
    ),
    Meeting(
        "Living with more than one condition",
        "1. Actions from last time\n2. Amina and Derek: what a good week looks like\n"
        "3. Who holds it all together?\n4. Questions for research",
        "People told us they see many professionals and none of them sees the whole picture. "
        "Grace explained how GP practices can name a care coordinator. Several people asked "
        "whether one named worker really makes a difference.",
        feedback=False,
    ),
    Meeting(
        "Carers' breaks and emergency plans",
        "1. Actions from last time\n2. Colin: why a one-page plan matters\n"
        "3. Carers Together's test of the one-page plan\n4. Breaks: what gets in the way",
        "Carers Together showed how a shorter emergency plan got more plans written. Carers "
        "said booking a break takes too many phone calls. Colin will share the plan template.",
        {"carer": 3},
    ),
    Meeting(
        "Research café with the University of Northshire",
        "1. Actions from last time\n2. Rosa and Ben: how research questions are chosen\n"
        "3. Small groups: what do we wish we knew?\n4. Next steps",
        "Rosa and Ben explained how a question becomes a study and how long it takes. In small "
        "groups we wrote down what we wish research could tell us. Rosa will turn them into "
        "short questions for the next meeting.",
        {"academia": 2, "frontline_practitioner": 2},
    ),
    Meeting(
        "Six months on: how is this working for you?",
        "1. Actions from last time\n2. What the six-month interviews found\n"
        "3. What should we change?\n4. The research questions so far",
        "Most people feel listened to and treated as equals. Some find evening meetings hard "
        "with caring; we will alternate daytime and evening. We will send papers a week before "
        "and try a shorter feedback form with pictures.",
    ),
    Meeting(
        "Making decisions together",
        "1. Actions from last time\n2. Mental capacity: what the law says, in plain words\n"
        "3. Claire from Northshire Advocacy\n4. Stories of decisions that went well",
        "We talked about supporting people to make their own decisions, even when their "
        "capacity changes from day to day. Evie asked how people can take part in their own "
        "reviews when they are having a bad day.",
        {"voluntary_sector": 1},
    ),
    Meeting(
        "Staying at home as needs change",
        "1. Actions from last time\n2. Housing and care together\n"
        "3. Oakwood Supported Living: what helps people stay\n4. Any other business",
        "Mark from Oakwood described small changes to homes that helped people stay. People "
        "said waits for equipment are the biggest problem. A short meeting: several people "
        "were unwell.",
        feedback=False,
    ),
    Meeting(
        "Leaving hospital",
        "1. Actions from last time\n2. Kezia and Helen: the discharge process\n"
        "3. What happened when people went home too soon\n4. Who to call",
        "People with complex needs often go home before their support is in place. Nobody is "
        "sure who to call in the first week. Sarah will map who to call and share it.",
        {"statutory_service": 2, "carer": 1},
    ),
    Meeting(
        "What the teams have tested",
        "1. Actions from last time\n2. Tests of change from the collaborative's teams\n"
        "3. What could other services try?\n4. Evidence behind the changes",
        "Teams shared tests that worked and some that did not. Members liked hearing about the "
        "ones that failed as much as the ones that worked. Mo will put the tested changes on "
        "one page for members.",
        {"manager": 2, "frontline_practitioner": 2},
    ),
    Meeting(
        "Research needs: choosing what to ask",
        "1. Actions from last time\n2. Rosa: the research questions so far\n"
        "3. Vote for the questions that matter most\n4. What the university can take up",
        "We went through every research question raised this year. Members voted for the ones "
        "that matter most. The university has taken one up and answered another from existing "
        "research.",
        {"academia": 1},
    ),
    Meeting(
        "Looking back on our first year",
        "1. Actions from last time\n2. What the year-one interviews found\n"
        "3. What we want from year two\n4. Thank you",
        "People said they are listened to here and learn from each other. The chance to name "
        "research needs matters to them. For year two: more people who draw on care, meetings "
        "in different places, and checking actions at the start of every meeting.",
        {"expert_by_experience": 2, "carer": 1, "manager": 1},
    ),
)


@dataclass(frozen=True)
class Action:
    meeting: int  # the meeting that agreed it
    text: str
    owner: str
    due: tuple[int, int]  # month, day
    status: ActionStatus = ActionStatus.DONE
    note: str = ""


S = START_MONTH
# Most done; two in progress and one not started, carried to later meetings; one overdue.
ACTIONS = (
    Action(
        0,
        "Write up the ground rules and send them to every member",
        "Chidi Coordinator",
        (S, 28),
        note="Sent by email and by post.",
    ),
    Action(
        1,
        "Share Pathways' easy-read 'Moving on' guide with every member",
        "Tom Tran",
        (S + 2, 5),
        note="Shared at the next meeting and by email.",
    ),
    Action(
        2,
        "Find out which GP practices name a care coordinator for people with several conditions",
        "Grace Okafor",
        (S + 3, 5),
        note="Four do; the list is in resources.",
    ),
    Action(
        3,
        "Share the one-page emergency plan template",
        "Colin Cole",
        (S + 4, 5),
        note="Added to our resources.",
    ),
    Action(
        4,
        "Turn the café's questions into short research questions",
        "Rosa Researcher",
        (S + 5, 5),
        note="Six questions, shared at the six-month meeting.",
    ),
    Action(
        5,
        "Try a shorter feedback form with pictures",
        "Chidi Coordinator",
        (S + 6, 5),
        note="In use since the next meeting.",
    ),
    Action(
        6,
        "Invite the advocacy service to talk about reviews",
        "Claire Hughes",
        (S + 8, 5),
        ActionStatus.DROPPED,
        "They could not come this year; Claire shared their leaflet.",
    ),
    Action(
        8,
        "Map who to call in the first week after leaving hospital",
        "Sarah Jones",
        (S + 13, 20),
        ActionStatus.IN_PROGRESS,
        "Draft shared; waiting for the NHS numbers.",
    ),
    Action(
        9,
        "Put the teams' tested changes on one page for members",
        "Mo Member",
        (S + 10, 28),
        ActionStatus.OPEN,
    ),
    Action(
        10,
        "Send the research needs list to the university's research panel",
        "Rosa Researcher",
        (S + 13, 10),
        ActionStatus.IN_PROGRESS,
        "On the panel's agenda for next month.",
    ),
    Action(
        11,
        "Plan year two with members: topics, places and times",
        "Chidi Coordinator",
        (S + 13, 25),
        ActionStatus.OPEN,
    ),
)


@dataclass(frozen=True)
class Resource:
    title: str
    note: str
    url: str = ""
    kind: EvidenceKind | None = None
    by: str = "coordinator"
    meeting: int = 0  # shared at


NICE = "https://www.nice.org.uk/guidance/"
RESOURCES = (
    Resource(
        "Transition from children's to adults' services (NICE guideline NG43)",
        "Start planning from school year 9, with the young person at the centre of it.",
        f"{NICE}ng43",
        E.RESEARCH,
        "researcher",
        1,
    ),
    Resource(
        "Co-production: what it is and how to do it (SCIE)",
        "How we try to work: as equals, sharing power, valuing every kind of knowledge.",
        "https://www.scie.org.uk/co-production/what-how",
    ),
    Resource(
        "What carers told us about emergency plans",
        "Carers at the Tuesday group said a plan only helps if it is short, kept by the "
        "phone or on the fridge, and someone else knows where it is. The one-page "
        "template is the result.",
        kind=E.LIVED_EXPERIENCE,
        by="carersexpert",
        meeting=3,
    ),
    Resource(
        "Supporting adult carers (NICE guideline NG150)",
        "Includes planning for emergencies and for the future with carers.",
        f"{NICE}ng150",
        E.RESEARCH,
        "researcher",
        3,
    ),
    Resource(
        "Decision-making and mental capacity (NICE guideline NG108)",
        "Supporting people to make their own decisions, before any assessment of capacity.",
        f"{NICE}ng108",
        E.RESEARCH,
        "researcher",
        6,
    ),
    Resource(
        "A good first week home from hospital: our checklist",
        "Written by frontline members: who visits on day one, medicines checked, "
        "equipment in place, a named person to call, and a carer who knows the plan.",
        kind=E.PRACTICE_KNOWLEDGE,
        by="member",
        meeting=8,
    ),
    Resource(
        "People's experience in adult social care services (NICE guideline NG86)",
        "What good care and support looks like to the people who use it.",
        f"{NICE}ng86",
        meeting=9,
    ),
)

# Comments people wrote on the feedback form, picked at random for some of the answers.
FEEDBACK_COMMENTS = (
    "I felt my views mattered as much as anyone's.",
    "Useful to hear from carers directly.",
    "Too much to get through in the time.",
    "I learned who to ask about adult services.",
    "Please send the papers earlier.",
    "Good to meet people from other services.",
    "The small groups made it easier to speak.",
    "Evening meetings are hard for me.",
)

# (title, month, day, interviews, who was interviewed, findings)
EVALUATIONS = (
    (
        "Interviews at six months",
        START_MONTH + 6,
        20,
        9,
        "Three people who draw on care, two carers, two frontline practitioners, a manager and "
        "a researcher, chosen so every group was heard. Interviews by the University of "
        "Northshire, about 30 minutes each.",
        "Most people said they felt listened to and treated as equals: 'nobody pulls rank here'. "
        "People who draw on care said the ground rules and plain words made it easier to speak "
        "up. Practitioners valued hearing from carers directly. Two people found evening "
        "meetings hard to fit around caring, and two found the meetings too long. People want "
        "to see what happens to the questions they raise.",
    ),
    (
        "Year one interviews",
        START_MONTH + 11,
        26,
        12,
        "Four people who draw on care, two carers, two frontline practitioners, a manager, a "
        "commissioner, someone from a voluntary group and a researcher.",
        "People said this is a place where they are listened to and treated as equals, and "
        "where every kind of knowledge counts. Practitioners said they gained insight into "
        "research: how questions are asked and how long answers take. People who draw on care "
        "and carers valued the chance to name research needs, and seeing one taken up by the "
        "university. To change: alternate daytime and evening meetings, send papers a week "
        "before, and check actions at the start of every meeting.",
    ),
)


@dataclass(frozen=True)
class Need:
    question: str
    raised_by: str
    group: StakeholderGroup
    shared_by: int
    meeting: int | None  # raised at this meeting, or:
    cycle: tuple[str, str] | None = None  # (team key, cycle title) whose Study stage raised it
    background: str = ""
    status: NeedStatus = NeedStatus.OPEN
    response: str = ""
    logged_by: str = "coordinator"


NEEDS = (
    Need(
        "What helps young people with a learning disability, and their families, feel ready "
        "for adult services?",
        "Joy Mensah",
        G.CARER,
        9,
        1,
        background="Families at the meeting said they did not know what to expect at 18.",
        status=NeedStatus.TAKEN_UP,
        response=(
            "Taken up by Rosa Researcher at the University of Northshire: it is now part of a "
            "study with Pathways, talking to young people and families before and after the "
            "move. First findings will come back to this community."
        ),
    ),
    Need(
        "Does having one named worker mean fewer crises for people living with several "
        "long-term conditions?",
        "Grace Okafor",
        G.STATUTORY_SERVICE,
        6,
        2,
    ),
    Need(
        "What makes an emergency plan get used when a carer is suddenly taken ill?",
        "Colin Cole",
        G.CARER,
        11,
        3,
        background="Carers Together's one-page plan is being written; is it being used?",
        status=NeedStatus.ANSWERED,
        response=(
            "Answered from existing research by Rosa Researcher: plans are used when they are "
            "short, kept where others will find them, shared with a named contact, and "
            "reviewed when things change (NICE guideline NG150 and the studies behind it). A "
            "summary is in our resources."
        ),
    ),
    Need(
        "How can people whose capacity changes from day to day take part in their own reviews?",
        "Evie Expert",
        G.EXPERT_BY_EXPERIENCE,
        7,
        6,
    ),
    Need(
        "What happens to people with complex needs in their first month after leaving hospital?",
        "Sarah Jones",
        G.MANAGER,
        5,
        8,
    ),
    Need(
        "What helps peer support work for young people moving to adult services?",
        "Tom Tran",
        G.VOLUNTARY_SECTOR,
        3,
        None,
        cycle=("pathways", "Three peer mentors, one month"),
        background=(
            "Our peer mentor test was hard to match in pairs; young people preferred a group. "
            "We would like to know what others have found."
        ),
        logged_by="pathwayslead",
    ),
    Need(
        "Which ways of arranging care at home give people with complex needs the most choice?",
        "Sam Ellis",
        G.NOT_SAID,
        4,
        10,
    ),
)
# Online votes for the research needs (by index), from members who take part.
NEED_VOTES = {
    "coordinator": (1, 4),
    "expert": (0, 3, 6),
    "member": (3, 4),
    "carersexpert": (2, 0, 3),
    "pathwayslead": (0, 5),
}

# Evidence behind the teams' change ideas ---------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    kind: EvidenceKind
    source: str
    account: str
    by: str = "lead"  # who added it: the team's "lead", "member" or "expert" (by experience)


R, P, L = E.RESEARCH, E.PRACTICE_KNOWLEDGE, E.LIVED_EXPERIENCE
SKILLS_FOR_CARE = (
    "Skills for Care (2023) The state of the adult social care sector and workforce in England"
)
# (team key, idea) -> its evidence. Some ideas have none; one adopted change (the academy's
# quick interviews) rests on nothing recorded, and four rest partly on lived experience.
EVIDENCE: dict[tuple[str, str], tuple[Piece, ...]] = {
    ("riverside", "Falls safety huddle at every handover"): (
        Piece(
            R,
            "NICE (2013) Falls in older people: assessing risk and prevention (CG161)",
            "Everyone at risk should have their risks looked at and acted on.",
        ),
        Piece(
            P,
            "Our shift leaders",
            "Most falls happen just after the staff who know the person best go off shift.",
        ),
    ),
    ("riverside", "Chair exercise to music after lunch"): (
        Piece(
            R,
            "Cameron I.D. et al. (2018) Interventions for preventing falls in older people "
            "in care facilities and hospitals. Cochrane Review",
            "Exercise may reduce falls in care homes; it works best when people keep at it.",
        ),
        Piece(
            L,
            "Our expert by experience",
            "When I visit, the afternoon is the longest part of the day. Moving to music with "
            "other people feels like company, not like exercise, so people keep coming.",
            "expert",
        ),
    ),
    ("riverside", "Afternoon drinks trolley"): (
        Piece(
            P,
            "Night staff",
            "People who drink little in the afternoon are more often dizzy at night.",
            "member",
        ),
    ),
    ("riverside", "Look at every fall within a day, with the person"): (
        Piece(P, "Team meeting", "After a week, nobody remembers what happened before a fall."),
        Piece(
            L,
            "Our expert by experience",
            "Ask the person what they were trying to do. They usually know why they fell.",
            "expert",
        ),
    ),
    ("north", "Same-day triage by the duty senior"): (
        Piece(
            P,
            "Duty seniors",
            "Contacts left in the queue for a week often need a full assessment by then.",
        ),
    ),
    ("north", "Drop-in assessment clinic at the library"): (
        Piece(
            P,
            "Another council's social workers",
            "A neighbouring council halved its waits with drop-in clinics.",
        ),
        Piece(
            L,
            "Our expert by experience",
            "A library is somewhere I would go anyway. It feels less like being judged than "
            "a visit to my home.",
            "expert",
        ),
    ),
    ("north", "'What to expect' leaflet sent before the visit"): (
        Piece(
            R,
            "NICE (2018) People's experience in adult social care services (NG86)",
            "People should get information about their assessment in a form they can use.",
        ),
    ),
    ("north", "A friendly call the day before the visit"): (
        Piece(
            L,
            "Our expert by experience",
            "A letter on its own made me anxious. A call from a real person meant I knew who "
            "was coming and could ask my family to be there.",
            "expert",
        ),
        Piece(
            P,
            "Social workers",
            "Second visits are mostly because the person was not expecting us.",
            "member",
        ),
    ),
    ("meadowbank", "Buddy for every new starter"): (
        Piece(R, SKILLS_FOR_CARE, "Many care workers who leave do so in their first year."),
        Piece(P, "Exit interviews", "New starters who left felt alone on their first runs."),
    ),
    ("meadowbank", "Manager check-in calls in weeks 2 and 6"): (
        Piece(
            P,
            "Branch managers",
            "What makes people leave starts early and is easy to fix if we hear it.",
            "member",
        ),
    ),
    ("meadowbank", "Guaranteed hours after induction"): (
        Piece(R, SKILLS_FOR_CARE, "Turnover is higher for care workers on zero-hours contracts."),
    ),
    ("carers", "One-page emergency plan"): (
        Piece(
            R,
            "NICE (2020) Supporting adult carers (NG150)",
            "Carers should be helped to plan for emergencies.",
        ),
        Piece(
            L,
            "Our expert by experience",
            "When I was taken ill, nobody at home knew which medicines the person I care for "
            "takes. One page on the fridge would have saved a frightening night.",
            "expert",
        ),
    ),
    ("carers", "Plan-writing at the Tuesday carers' group"): (
        Piece(
            P,
            "Carer support workers",
            "Carers put off writing a plan alone; in a group they help each other.",
        ),
    ),
    ("academy", "'Try a day in care' taster days"): (
        Piece(
            P,
            "Recruitment team",
            "People who know what the job is like before they start are more likely to stay.",
        ),
    ),
    ("academy", "Buddy for every new starter"): (
        Piece(
            P,
            "Meadowbank Home Care",
            "Meadowbank's new starters stayed longer once each had a buddy.",
        ),
    ),
    ("pathways", "Joint planning meeting at 16"): (
        Piece(
            R,
            "NICE (2016) Transition from children's to adults' services for young people "
            "using health or social care services (NG43)",
            "Start planning early, from school year 9, with the young person at the centre.",
        ),
        Piece(
            P,
            "Pathways workers",
            "Plans stall when the adults' team first meets the young person at 17.",
        ),
    ),
    ("pathways", "Easy-read 'Moving on' guide"): (
        Piece(
            L,
            "Our expert by experience",
            "I did not understand the letters about adult services. Pictures and short words "
            "helped me ask my own questions.",
            "expert",
        ),
    ),
    ("pathways", "Peer mentors who have made the move"): (
        Piece(
            L,
            "Young people's group",
            "Hearing from someone who has done it is better than being told by a professional.",
            "expert",
        ),
    ),
    ("pathways", "'Moving on' group evenings"): (
        Piece(
            P,
            "Youth club workers",
            "Young people come to evenings with friends more readily than to one-to-ones.",
        ),
    ),
}


# The builder -------------------------------------------------------------------------------------


def weekday_in_month(t: Timeline, month: int, weekday: int, nth: int) -> date:
    """The nth given weekday (Monday 0) of a month: meetings keep to one day of the week."""
    first = t.month(month)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def answer(rng: random.Random, yes: float, partly: float) -> Agreement:
    draw = rng.random()
    return Agreement.YES if draw < yes else Agreement.PARTLY if draw < partly else Agreement.NO


class CommunityBuilder:
    """Adds the round, the CoP and the evidence, after Builder.build() has made the teams."""

    def __init__(self, builder: Builder, collaborative: Collaborative) -> None:
        self.b = builder
        self.t = builder.t
        self.collaborative = collaborative
        self.users = builder.users
        self.facilitator = builder.users["coordinator"]
        self.meeting_days = [
            weekday_in_month(self.t, START_MONTH + n, 1, 2) for n in range(len(MEETINGS))
        ]
        self.meetings: list[CommunityMeeting] = []

    def build(self) -> Community:
        community = self.community()
        db.session.flush()
        self.priority_round(community)
        members = self.members(community)
        db.session.flush()
        self.add_meetings(community, members)
        db.session.flush()
        self.actions_and_resources(community)
        self.feedback(members)
        self.research_needs(community)
        self.evidence()
        db.session.flush()
        return community

    def capped(self, moment: datetime) -> datetime:
        """Nothing is recorded after the demo's last complete month."""
        return min(moment, self.t.data_cap)

    # The priority round that chose the CoP's theme -----------------------------------------------

    def priority_round(self, community: Community) -> PriorityRound:
        t = self.t
        event = weekday_in_month(t, ROUND_MONTH, 3, 2)  # the second Thursday
        opened, closed = at(t.month(ROUND_MONTH), 10), at(event + timedelta(days=14), 16)
        held = PriorityRound(
            collaborative_id=self.collaborative.id,
            event_on=event,
            stage=RoundStage.CLOSED,
            voting_method=VotingMethod.DOTS,
            dots_per_person=DOTS_PER_PERSON,
            max_dots_per_theme=MAX_DOTS_PER_THEME,
            created_by_id=self.facilitator.id,
            **ROUND,
        )
        db.session.add(stamp(held, opened, closed))
        db.session.flush()
        grouped = at(event + timedelta(days=3), 15)
        became = {
            COMMUNITY_THEME: {"community_id": community.id},
            MEASURE_THEME: {
                "measure_id": next(m.id for s, m in self.b.shared if m.name == THEME_MEASURE)
            },
            AIM_THEME: {"aim_id": self.b.aims[THEME_AIM].id},
        }
        themes = [
            PriorityTheme(
                round_id=held.id, name=name, description=text, position=n, **became.get(n, {})
            )
            for n, (name, text) in enumerate(THEMES)
        ]
        for n, theme in enumerate(themes):
            linked = at(t.month(START_MONTH), 11) if n == COMMUNITY_THEME else closed
            db.session.add(stamp(theme, grouped, linked if n in became else grouped))
        db.session.flush()
        seen = self.round_ideas(held, themes, event, grouped)
        self.round_votes(held, themes, event, seen)
        return held

    def round_ideas(
        self, held: PriorityRound, themes: list[PriorityTheme], event: date, grouped: datetime
    ) -> dict[str, datetime]:
        """Ideas sent online before the event and typed in from its cards the day after; returns
        when each person first sent one."""
        t = self.t
        seen: dict[str, datetime] = {}
        ideas = [(theme, idea) for theme, some in enumerate(IDEAS) for idea in some]
        for n, (theme, idea) in enumerate(ideas):
            if idea.by is None:
                sent, source = at(event + timedelta(days=1), 11), IdeaSource.EVENT
            else:
                sent, source = at(t.day(ROUND_MONTH, 3 + n % 8), 10 + n % 9), IdeaSource.ONLINE
                seen[idea.by] = min(seen.get(idea.by, sent), sent)
            row = PriorityIdea(
                round_id=held.id,
                theme_id=themes[theme].id,
                text=idea.text,
                stakeholder_group=idea.group,
                source=source,
                is_anonymous=idea.anonymous,
                submitted_by_id=self.users[idea.by].id if idea.by else None,
            )
            db.session.add(stamp(row, sent, grouped))
        return seen

    def round_votes(
        self,
        held: PriorityRound,
        themes: list[PriorityTheme],
        event: date,
        seen: dict[str, datetime],
    ) -> None:
        """Dots in the fortnight after the event; everyone who took part joined the round just
        before their first idea or vote, in the group they chose."""
        seen = dict(seen)
        for n, (who, dots) in enumerate(VOTES.items()):
            voted = at(event + timedelta(days=4 + n % 9), 12 + n % 7)
            seen[who] = min(seen.get(who, voted), voted)
            for theme, count in dots.items():
                vote = PriorityVote(
                    round_id=held.id,
                    theme_id=themes[theme].id,
                    user_id=self.users[who].id,
                    stakeholder_group=PARTICIPANTS[who],
                    dots=count,
                )
                db.session.add(stamp(vote, voted))
        for who, group in PARTICIPANTS.items():
            joined = RoundParticipant(
                round_id=held.id, user_id=self.users[who].id, stakeholder_group=group
            )
            db.session.add(stamp(joined, seen[who] - timedelta(minutes=5)))

    # The CoP, its members and meetings -----------------------------------------------------------

    def community(self) -> Community:
        started = self.t.month(START_MONTH)
        community = Community(
            collaborative_id=self.collaborative.id,
            started_on=started,
            created_by_id=self.facilitator.id,
            **COMMUNITY,
        )
        db.session.add(stamp(community, at(started, 10)))
        return community

    def member_dates(self, member: Member) -> tuple[date, date | None]:
        joined = self.t.month(START_MONTH) if member.joins == 0 else self.meeting_days[member.joins]
        left = None if member.leaves is None else self.meeting_days[member.leaves] + timedelta(7)
        return joined, left

    def members(self, community: Community) -> list[tuple[Member, CommunityMember]]:
        rows = []
        for spec in MEMBERS:
            joined, left = self.member_dates(spec)
            row = CommunityMember(
                community_id=community.id,
                user_id=self.users[spec.account].id if spec.account else None,
                name=spec.name,
                organisation=spec.organisation,
                stakeholder_group=spec.group,
                role=spec.role,
                joined_on=joined,
                left_on=left,
            )
            db.session.add(stamp(row, at(joined, 10), at(left, 10) if left else None))
            rows.append((spec, row))
        return rows

    def add_meetings(
        self, community: Community, members: list[tuple[Member, CommunityMember]]
    ) -> None:
        for n, (spec, held_on) in enumerate(zip(MEETINGS, self.meeting_days, strict=True)):
            rng = random.Random(f"{SEED}:meeting:{n}")
            came = []
            for member, row in members:
                joined, left = self.member_dates(member)
                current = joined <= held_on and (left is None or held_on < left)
                if current and (n == member.joins or rng.random() < member.attends):
                    came.append(row)
            meeting = CommunityMeeting(
                community_id=community.id,
                held_on=held_on,
                title=spec.title,
                agenda=spec.agenda,
                notes=spec.notes,
                guests=dict(spec.guests),
                recorded_by_id=self.facilitator.id,
                attendees=came,
            )
            written = at(held_on + timedelta(days=2), 11)
            db.session.add(stamp(meeting, at(held_on - timedelta(days=7), 10), written))
            self.meetings.append(meeting)

    def actions_and_resources(self, community: Community) -> None:
        for spec in ACTIONS:
            meeting = self.meetings[spec.meeting]
            agreed = at(meeting.held_on, 17)
            later = min(self.meeting_days[spec.meeting + 1 :] or [meeting.held_on])
            action = CommunityAction(
                community_id=community.id,
                meeting_id=meeting.id,
                description=spec.text,
                owner=spec.owner,
                due_on=self.t.day(*spec.due),
                status=spec.status,
                progress_note=spec.note,
                recorded_by_id=self.facilitator.id,
            )
            updated = at(later, 17) if spec.status != ActionStatus.OPEN else agreed
            db.session.add(stamp(action, agreed, self.capped(updated)))
        for shared in RESOURCES:
            resource = CommunityResource(
                community_id=community.id,
                title=shared.title,
                url=shared.url,
                note=shared.note,
                evidence_kind=shared.kind,
                added_by_id=self.users[shared.by].id,
            )
            added = at(self.meeting_days[shared.meeting] + timedelta(days=1), 14)
            db.session.add(stamp(resource, added))
        for title, month, day, interviews, who, findings in EVALUATIONS:
            evaluation = EvaluationNote(
                community_id=community.id,
                title=title,
                written_on=self.t.day(month, day),
                interviews=interviews,
                who_was_interviewed=who,
                findings=findings,
                added_by_id=self.facilitator.id,
            )
            db.session.add(stamp(evaluation, at(self.t.day(month, day), 16)))

    def feedback(self, members: list[tuple[Member, CommunityMember]]) -> None:
        """Online answers from members with an account who take part, paper forms typed in by
        the facilitator for some of the others. People feel more listened to as the year goes
        on (what the interviews found too)."""
        by_row = {id(row): spec for spec, row in members}
        for n, (spec, meeting) in enumerate(zip(MEETINGS, self.meetings, strict=True)):
            if not spec.feedback:
                continue
            rng = random.Random(f"{SEED}:feedback:{n}")
            listened = 0.6 + 0.025 * n
            for row in meeting.attendees:
                member = by_row[id(row)]
                if member.role != CommunityRole.MEMBER:
                    continue  # the facilitator runs it; a research partner does not answer
                online = member.account is not None
                if rng.random() > (0.85 if online else 0.5):
                    continue
                answered = at(meeting.held_on + timedelta(days=rng.randint(0, 4)), 19)
                feedback = MeetingFeedback(
                    meeting_id=meeting.id,
                    user_id=self.users[member.account].id if member.account else None,
                    entered_by_id=None if online else self.facilitator.id,
                    stakeholder_group=member.group,
                    listened_to=answer(rng, listened, 0.95),
                    learned_something=answer(rng, 0.6, 0.93),
                    will_use=answer(rng, 0.5, 0.88),
                    comment=rng.choice(FEEDBACK_COMMENTS) if rng.random() < 0.25 else "",
                )
                db.session.add(stamp(feedback, self.capped(answered)))

    def research_needs(self, community: Community) -> None:
        needs = []
        for need in NEEDS:
            cycle: Cycle | None = None
            if need.cycle:
                team, title = need.cycle
                cycle = self.b.find_cycle(team, title)
                raised = cycle.closed_at or at(cycle.ends_on, 16)
            else:
                assert need.meeting is not None
                raised = at(self.meetings[need.meeting].held_on + timedelta(days=1), 10)
            row = ResearchNeed(
                community_id=community.id,
                question=need.question,
                background=need.background,
                raised_by=need.raised_by,
                raised_by_group=need.group,
                shared_by=need.shared_by,
                meeting_id=self.meetings[need.meeting].id if need.meeting is not None else None,
                cycle_id=cycle.id if cycle else None,
                status=need.status,
                response=need.response,
                logged_by_id=self.users[need.logged_by].id,
            )
            # Taken up or answered at the meeting where members chose what to ask.
            decided = at(self.meeting_days[10] + timedelta(days=3), 15)
            db.session.add(stamp(row, raised, decided if need.response else raised))
            needs.append((row, raised))
        db.session.flush()
        groups = {spec.account: spec.group for spec in MEMBERS if spec.account}
        voted = at(self.meeting_days[10], 20)
        for user_key, chosen in NEED_VOTES.items():
            for n in chosen:
                row, raised = needs[n]
                vote = ResearchNeedVote(
                    need_id=row.id,
                    user_id=self.users[user_key].id,
                    stakeholder_group=groups[user_key],
                )
                db.session.add(stamp(vote, max(voted, raised + timedelta(days=1))))

    # Evidence behind the teams' change ideas ---------------------------------------------------

    def person(self, team_key: str, who: str) -> User:
        """The team's expert by experience (or its lead, if it has none), lead or member."""
        if who == "expert":
            expert = next(
                (u for u, r in self.b.people[team_key] if r == Role.EXPERT_BY_EXPERIENCE), None
            )
            return expert or self.b.person(team_key, "lead")
        return self.b.person(team_key, who)

    def evidence(self) -> None:
        for (team_key, title), pieces in EVIDENCE.items():
            idea = self.b.ideas[(team_key, title)]
            team = self.b.teams[team_key]
            for n, piece in enumerate(pieces):
                added = self.capped(idea.created_at + timedelta(days=2 + n, hours=n))
                row = IdeaEvidence(
                    team_id=team.id,
                    change_idea_id=idea.id,
                    kind=piece.kind,
                    source=piece.source,
                    account=piece.account,
                    added_by_id=self.person(team_key, piece.by).id,
                )
                db.session.add(stamp(row, added))


def build(builder: Builder, collaborative: Collaborative) -> Community:
    """Add the CoP, the round that chose its theme, and the evidence to the session."""
    return CommunityBuilder(builder, collaborative).build()
