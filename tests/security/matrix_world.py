"""The records the access matrix points its URLs at: one of every kind per team of the conftest
`world` (A and B in collaborative X, C in Y), per collaborative, and per community of practice
(K grown from X, L from Y, with their people: see `add_communities`), each named with a unique
marker so a response can be searched for another team's or community's data.

`url_variants` fills every variable of a URL rule for one owner, by the variable's name, so a
new route is covered as soon as it exists; a variable name it does not know fails the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from werkzeug.routing import AnyConverter, Rule

from improve.auditing import record_event, snapshot
from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.models import (
    Aim,
    AimAssessment,
    AuditAction,
    ChangeIdea,
    Collaborative,
    CollaborativePhase,
    Comment,
    Community,
    CommunityAction,
    CommunityMeeting,
    CommunityMember,
    CommunityResource,
    CommunityRole,
    Cycle,
    CycleQuestion,
    CycleTask,
    DataPoint,
    Driver,
    DriverKind,
    Evaluation,
    EvaluationNote,
    EvidenceKind,
    IdeaEvidence,
    IdeaSource,
    Measure,
    MeetingFeedback,
    Membership,
    MonthlyReport,
    OutboxMessage,
    OutboxStatus,
    PanelAction,
    PanelReview,
    PhaseKind,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    Ramp,
    ReportStatus,
    ResearchNeed,
    Role,
    RoundParticipant,
    RoundStage,
    Stage,
    StakeholderGroup,
    Team,
    User,
)
from tests.conftest import PASSWORD, cheap_password_hash
from tests.security.access_policy import (
    COLLABORATIVE_OF,
    COMMENT_AUTHOR,
    COMMUNITY_OF,
    EVIDENCE_AUTHOR,
    IDEA_AUTHOR,
    NEED_AUTHOR,
    OWNERS,
    PARENT_OF,
    PEOPLE,
    RESOURCE_AUTHOR,
)


def marker(kind: str, owner: str) -> str:
    """The unique text of one record, e.g. "zq-aim-a-7" for team A's aim: no page would contain
    it by chance, and no marker contains another ("zq-note-a-7" is not in "zq-ideanote-a-7")."""
    return f"zq-{kind}-{owner.lower()}-7"


def kind_of(secret: str) -> str:
    return secret.split("-")[1] if secret.startswith("zq-") else ""


TEAM_KINDS = (
    "aim",
    "assessment",
    "primary",
    "secondary",
    "idea",
    "ideanote",
    "ramp",
    "cycle",
    "question",
    "task",
    "measure",
    "note",
    "sharednote",
    "comment",
    "cyclecomment",
    "report",
    "answers",
    "evidence",
    "spare",
)
# A priority round's title, its first theme's name and its idea's words (collaboratives' and
# communities' rounds alike).
ROUND_KINDS = ("round", "theme", "ptidea")
COLLABORATIVE_KINDS = ("phase", "review", "action", "evaluation", "shared", "about", *ROUND_KINDS)
COMMUNITY_KINDS = (
    "community",  # its name
    "copabout",  # its description
    "person",  # a member without an account
    "meeting",  # a meeting's title
    "minutes",  # its notes
    "copaction",
    "resource",
    "need",
    "feedback",  # a comment after a meeting
    "evalnote",
    *ROUND_KINDS,
)
# What a community's research partners never read: comments are written to its members.
NOT_FOR_PARTNERS = ("feedback",)
COMMUNITIES = ("K", "L")
ROUND_VARIANTS = ("collaborative", "community")


@dataclass
class Records:
    """The ids one owner's URLs use, by URL variable name (and a few by purpose)."""

    ids: dict[str, int] = field(default_factory=dict)
    period: str = ""


@dataclass
class MatrixWorld:
    world: SimpleNamespace
    owners: dict[str, Records]
    invitation: str
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def team_secrets(self, owner: str) -> list[str]:
        return [marker(kind, owner) for kind in TEAM_KINDS]

    def collaborative_secrets(self, collaborative: str) -> list[str]:
        """Its own markers, its name, and its teams' names and markers."""
        teams = [t for t, c in COLLABORATIVE_OF.items() if c == collaborative]
        names = [f"Collaborative {collaborative}"] + [f"Team {t}" for t in teams]
        found = [marker(kind, collaborative) for kind in COLLABORATIVE_KINDS] + names
        return found + [s for t in teams for s in self.team_secrets(t)]

    def community_secrets(self, community: str) -> list[str]:
        """A community of practice's own markers (its records are no team's or collaborative's)."""
        return [marker(kind, community) for kind in COMMUNITY_KINDS]

    # Fresh records for requests that remove or use up what they point at --------------------

    def spare(self, variable: str, endpoint: str, owner: str, variant: str = "") -> int:
        """A new record for one destructive request, so later requests still find theirs."""
        records = self.owners[owner].ids
        team_id, aim_id, cycle_id = records["team_id"], records["aim_id"], records["cycle_id"]
        name = marker("spare", owner)
        number = next(self.counter)
        made = self._community_spare(variable, endpoint, owner, variant, str(number))
        if made is not None:
            db.session.add(made)
            db.session.commit()
            return made.id
        if variable == "comment_id":
            author = getattr(self.world, COMMENT_AUTHOR[owner])
            made: Any = Comment(team_id=team_id, aim_id=aim_id, author_id=author.id, body=name)
        elif variable == "driver_id":
            made = Driver(aim_id=aim_id, kind=DriverKind.PRIMARY, title=name, position=number)
        elif variable == "idea_id":
            made = ChangeIdea(aim_id=aim_id, title=name, position=number)
        elif variable == "task_id":
            made = CycleTask(cycle_id=cycle_id, description=name, due_on=date(2026, 5, 6))
        elif variable == "question_id":
            made = CycleQuestion(cycle_id=cycle_id, position=number, question=name, prediction=name)
        elif variable == "phase_id":
            made = CollaborativePhase(
                collaborative_id=records["collaborative_id"],
                kind=PhaseKind.ACTION_PERIOD,
                title=name,
                starts_on=date(2026, 3, 1),
            )
        elif variable in ("review_id", "action_id"):
            made = PanelReview(
                collaborative_id=records["collaborative_id"],
                reviewed_on=date(2026, 6, 1),
                decisions=name,
            )
            if variable == "action_id":
                db.session.add(made)
                db.session.flush()
                made = _panel_action(made, name)
        elif variable == "point_id":
            made = DataPoint(
                measure_id=records["measure_id"],
                team_id=team_id,
                period_start=date(2027 + number // 12, number % 12 + 1, 1),
                value=number,
            )
        elif variable in ("membership_id", "user_id"):
            made = _user(f"spare{number}@example.org", f"Spare person {number}")
            if variable == "membership_id":
                db.session.add(made)
                db.session.flush()
                if endpoint.startswith("collaboratives."):
                    scope: dict[str, Any] = {"collaborative_id": records["collaborative_id"]}
                    made = Membership(user_id=made.id, role=Role.PANEL_MEMBER, **scope)
                else:
                    made = Membership(user_id=made.id, role=Role.TEAM_MEMBER, team_id=team_id)
        else:
            raise AssertionError(f"{endpoint}: no spare record for <{variable}>")
        db.session.add(made)
        db.session.commit()
        return made.id

    def _community_spare(
        self, variable: str, endpoint: str, owner: str, variant: str, name: str
    ) -> Any:
        """A spare record of issue 20's kinds, made as the world's own (same author), or None.
        A community's is named by its community's marker (its records are no team's)."""
        records = self.owners[owner].ids
        community_id = records["community_id"]
        users = self.world
        if endpoint.startswith("priorities."):
            key = _round_owner(owner, variant)
            round_id, name = records[f"round_id@{variant}"], f"{marker('spare', key)} {name}"
            if variable == "theme_id":
                return PriorityTheme(round_id=round_id, name=name, position=next(self.counter))
            if variable == "idea_id":
                author = getattr(users, IDEA_AUTHOR[key]) if key in IDEA_AUTHOR else None
                return _priority_idea(round_id, name, author, None)
        if variable != "evidence_id":
            name = f"{marker('spare', COMMUNITY_OF[owner])} {name}"
        if variable == "member_id":
            return _member(community_id, name, None, CommunityRole.MEMBER)
        if variable == "action_id" and endpoint.startswith("communities."):
            return _community_action(community_id, records["meeting_id"], name)
        if variable == "resource_id":
            author = RESOURCE_AUTHOR.get(COMMUNITY_OF[owner])
            return _resource(community_id, name, getattr(users, author) if author else None)
        if variable == "need_id":
            return _need(community_id, name, None, None)
        if variable == "note_id":
            return _evaluation_note(community_id, name)
        if variable == "evidence_id":
            author = getattr(users, EVIDENCE_AUTHOR[owner])
            text = marker("spare", owner)  # a team's record
            return _evidence(records["team_id"], records["idea_id"], text, author)
        return None


# Requests that remove (or use up) the record in their URL: each gets a spare one.
DESTRUCTIVE_POSTS = {
    "comments.delete": "comment_id",
    "measures.delete_point": "point_id",
    "drivers.remove": "driver_id",
    "drivers.remove_idea": "idea_id",
    "cycles.remove_task": "task_id",
    "cycles.remove_question": "question_id",
    "teams.remove_member": "membership_id",
    "collaboratives.remove_member": "membership_id",
    "reports.remove_phase": "phase_id",
    "panel.delete_review": "review_id",
    "panel.delete_action": "action_id",
    "admin.edit_user": "user_id",
    "admin.reset_password": "user_id",
    "ideas.remove_evidence": "evidence_id",
    "communities.remove_member": "member_id",
    "communities.delete_action": "action_id",
    "communities.remove_resource": "resource_id",
    "research.remove": "need_id",
    "community_feedback.remove_note": "note_id",
    "priorities.withdraw_idea": "idea_id",
    "priorities.delete_theme": "theme_id",
    "priorities.merge_theme": "theme_id",
}


def _panel_action(review: PanelReview, description: str) -> PanelAction:
    return PanelAction(
        collaborative_id=review.collaborative_id,
        review_id=review.id,
        description=description,
        owner="Sam Patel",
        due_on=date(2026, 6, 30),
    )


def _user(email: str, name: str) -> User:
    return User(email=email, display_name=name, password_hash=cheap_password_hash("unused pw 1"))


def _audit(actor: User, entity: Any, team: Team | None, collaborative: Collaborative | None):
    """A history row as the app writes one, so the history pages have something to show."""
    record_event(
        actor.id,
        AuditAction.CREATE,
        entity,
        summary=f"Created {type(entity).__name__}",
        after=snapshot(entity, ("id",)),
        team_id=team.id if team else None,
        collaborative_id=collaborative.id if collaborative else None,
    )


def _round_owner(owner: str, variant: str) -> str:
    """Whose round a URL of this owner points at: its collaborative's or its community's."""
    return COLLABORATIVE_OF[owner] if variant == "collaborative" else COMMUNITY_OF[owner]


def _member(
    community_id: int,
    name: str,
    user: User | None,
    role: CommunityRole,
    group: StakeholderGroup = StakeholderGroup.CARER,
) -> CommunityMember:
    return CommunityMember(
        community_id=community_id,
        user_id=user.id if user else None,
        name=user.display_name if user else name,
        role=role,
        stakeholder_group=group,
        joined_on=date(2026, 1, 1),
    )


def _community_action(community_id: int, meeting_id: int, text: str) -> CommunityAction:
    return CommunityAction(
        community_id=community_id, meeting_id=meeting_id, description=text, owner="Sam Okafor"
    )


def _resource(community_id: int, title: str, by: User | None) -> CommunityResource:
    return CommunityResource(
        community_id=community_id,
        title=title,
        note="Short and practical.",
        added_by_id=by.id if by else None,
    )


def _need(community_id: int, text: str, meeting_id: int | None, cycle_id: int | None):
    return ResearchNeed(
        community_id=community_id,
        question=text,
        raised_by="Sam",
        raised_by_group=StakeholderGroup.CARER,
        meeting_id=meeting_id,
        cycle_id=cycle_id,
    )


def _evaluation_note(community_id: int, title: str) -> EvaluationNote:
    return EvaluationNote(
        community_id=community_id,
        title=title,
        written_on=date(2026, 6, 1),
        interviews=4,
        findings="People felt listened to.",
    )


def _evidence(team_id: int, idea_id: int, text: str, by: User) -> IdeaEvidence:
    return IdeaEvidence(
        team_id=team_id,
        change_idea_id=idea_id,
        kind=EvidenceKind.LIVED_EXPERIENCE,
        account=text,
        added_by_id=by.id,
    )


def _priority_idea(round_id: int, text: str, by: User | None, theme_id: int | None) -> PriorityIdea:
    """An idea sent in online, anonymously: only its author may change it."""
    return PriorityIdea(
        round_id=round_id,
        theme_id=theme_id,
        text=text,
        stakeholder_group=StakeholderGroup.EXPERT_BY_EXPERIENCE,
        source=IdeaSource.ONLINE,
        is_anonymous=True,
        submitted_by_id=by.id if by else None,
    )


# Communities of practice -------------------------------------------------------------------------

# Community K's people (access_policy.PEOPLE): with no team or collaborative role.
COMMUNITY_PEOPLE = {
    "facilitator_k": StakeholderGroup.MANAGER,
    "member_k": StakeholderGroup.EXPERT_BY_EXPERIENCE,
    "partner_k": StakeholderGroup.ACADEMIA,
    "expert_a": StakeholderGroup.CARER,  # also in team A
}


def add_communities(world: SimpleNamespace) -> None:
    """Communities K (of collaborative X) and L (of Y), and K's people as PEOPLE describes them,
    on top of the conftest `world` (which other tests use as it is: they expect no community).
    L has a member without an account only."""
    if hasattr(world, "k"):
        return
    password = cheap_password_hash(PASSWORD)
    for key in COMMUNITY_PEOPLE:
        if not hasattr(world, key):
            name = key.replace("_", " ").title()
            user = User(email=f"{key}@example.org", display_name=name, password_hash=password)
            db.session.add(user)
            setattr(world, key, user)
    for key, collaborative in (("K", world.x), ("L", world.y)):
        community = Community(
            collaborative_id=collaborative.id,
            name=marker("community", key),
            theme="Complex needs across the lifespan",
            description=marker("copabout", key),
            started_on=date(2026, 1, 1),
        )
        db.session.add(community)
        setattr(world, key.lower(), community)
    db.session.flush()
    for person, group in COMMUNITY_PEOPLE.items():
        for community, role in PEOPLE[person].community_roles.items():
            member = _member(
                getattr(world, community.lower()).id, "", getattr(world, person), role, group
            )
            db.session.add(member)
    db.session.commit()


def _community_records(w: SimpleNamespace, key: str, team: dict[str, int]) -> dict:
    """One of every kind of a community's records, each with its marker; its research need
    came from the Study stage of the cycle of a team of its collaborative (`team`)."""
    community = getattr(w, key.lower())
    m = lambda kind: marker(kind, key)  # noqa: E731
    walk_in = _member(community.id, m("person"), None, CommunityRole.MEMBER)
    meeting = CommunityMeeting(
        community_id=community.id,
        held_on=date.today() - timedelta(days=30),
        title=m("meeting"),
        agenda="Introductions; what we want to learn.",
        notes=m("minutes"),
    )
    db.session.add_all([walk_in, meeting])
    db.session.flush()
    # Who came is not recorded: once it is, only those ticked may give feedback online, and
    # the matrix checks the roles (tests/community_feedback checks the attendance rule).
    author = RESOURCE_AUTHOR.get(key)
    facilitator = w.facilitator_k if key == "K" else None
    action = _community_action(community.id, meeting.id, m("copaction"))
    resource = _resource(community.id, m("resource"), getattr(w, author) if author else None)
    need = _need(community.id, m("need"), None, team["cycle_id"])  # from a Study stage
    logger = NEED_AUTHOR.get(key)
    need.logged_by_id = getattr(w, logger).id if logger else None
    feedback = MeetingFeedback(
        meeting_id=meeting.id,
        user_id=None,  # a paper form, typed in
        entered_by_id=facilitator.id if facilitator else None,
        stakeholder_group=StakeholderGroup.CARER,
        listened_to="yes",
        learned_something="partly",
        will_use="yes",
        comment=m("feedback"),
    )
    note = _evaluation_note(community.id, m("evalnote"))
    db.session.add_all([action, resource, need, feedback, note])
    db.session.commit()
    return {
        "community_id": community.id,
        "member_id": walk_in.id,
        "meeting_id": meeting.id,
        "community_action_id": action.id,
        "resource_id": resource.id,
        "need_id": need.id,
        "note_id": note.id,
    }


def _round_records(
    w: SimpleNamespace, key: str, stage: RoundStage, team: dict[str, int], **owner: int
) -> dict[str, int]:
    """A round with two themes and one idea sent in anonymously (by IDEA_AUTHOR[key], who also
    voted), its first theme linked to the aim of a team of its collaborative and to a shared
    measure (what the theme became), for the pages to name only to those who may see them."""
    m = lambda kind: marker(kind, key)  # noqa: E731
    round_ = PriorityRound(
        title=m("round"),
        question="What should we work on together next year?",
        stage=stage,
        **owner,
    )
    db.session.add(round_)
    db.session.flush()
    chosen = PriorityTheme(
        round_id=round_.id,
        name=m("theme"),
        position=0,
        aim_id=team["aim_id"],
        measure_id=team["shared_measure_id"],
        community_id=team.get("became_community_id"),
    )
    other = PriorityTheme(round_id=round_.id, name="Getting out and about", position=1)
    db.session.add_all([chosen, other])
    db.session.flush()
    author = getattr(w, IDEA_AUTHOR[key]) if key in IDEA_AUTHOR else None
    idea = _priority_idea(round_.id, m("ptidea"), author, chosen.id)
    db.session.add(idea)
    if author is not None:
        group = StakeholderGroup.EXPERT_BY_EXPERIENCE
        db.session.add(
            RoundParticipant(round_id=round_.id, user_id=author.id, stakeholder_group=group)
        )
        db.session.add(
            PriorityVote(
                round_id=round_.id,
                theme_id=chosen.id,
                user_id=author.id,
                stakeholder_group=group,
                dots=2,
            )
        )
    db.session.commit()
    return {"round_id": round_.id, "theme_id": chosen.id, "idea_id": idea.id}


def build(world: SimpleNamespace) -> MatrixWorld:
    """Every kind of record, per team and per collaborative, with history rows."""
    admin = world.admin
    collaboratives = {"X": world.x, "Y": world.y}
    teams = {"A": world.team_a, "B": world.team_b, "C": world.team_c}
    per_collaborative: dict[str, dict[str, int]] = {}
    for key, collaborative in collaboratives.items():
        collaborative.description = marker("about", key)
        phase = CollaborativePhase(
            collaborative_id=collaborative.id,
            kind=PhaseKind.LEARNING_SESSION,
            title=marker("phase", key),
            starts_on=date(2026, 2, 1),
        )
        review = PanelReview(
            collaborative_id=collaborative.id,
            reviewed_on=date(2026, 6, 1),
            decisions=marker("review", key),
        )
        evaluation = Evaluation(
            collaborative_id=collaborative.id, outcomes_achieved=marker("evaluation", key)
        )
        shared = Measure(
            collaborative_id=collaborative.id,
            name=marker("shared", key),
            measure_type="outcome",
            value_kind="count",
            direction="decrease",
            frequency="monthly",
        )
        db.session.add_all([phase, review, evaluation, shared])
        db.session.flush()
        action = _panel_action(review, marker("action", key))
        db.session.add(action)
        db.session.flush()
        coordinator = getattr(world, f"coordinator_{key.lower()}")
        membership = db.session.query(Membership).filter_by(user_id=coordinator.id).one()
        _audit(admin, collaborative, None, collaborative)
        _audit(admin, membership, None, collaborative)
        per_collaborative[key] = {
            "collaborative_id": collaborative.id,
            "phase_id": phase.id,
            "review_id": review.id,
            "action_id": action.id,
            "shared_measure_id": shared.id,
            "collaborative_membership_id": membership.id,
        }
    add_communities(world)
    owners = {}
    for owner in OWNERS:
        team, key = teams[owner], COLLABORATIVE_OF[owner]
        records = Records(dict(per_collaborative[key]), period=date(2026, 1, 1).isoformat())
        records.ids |= _team_records(world, owner, team, records.ids["shared_measure_id"])
        owners[owner] = records
    _add_community_records(world, owners)
    invited = _user("invited@example.org", "Invited person")
    db.session.add(invited)
    # An email that failed, for the admin's "Send again" (admin pages belong to no owner).
    failed = OutboxMessage(
        kind="invitation",
        to_address="invited@example.org",
        subject="You are invited to improve",
        text_body="",
        status=OutboxStatus.FAILED,
    )
    db.session.add(failed)
    db.session.commit()
    for records in owners.values():
        records.ids["message_id"] = failed.id
    return MatrixWorld(world, owners, invitation_token(invited))


def _add_community_records(world: SimpleNamespace, owners: dict[str, Records]) -> None:
    """Each community's records for the owners that point at it (A and B at K, C at L), and
    the rounds: the collaborative's (voting; its chosen theme became the community) and the
    community's (closed), each's chosen theme linked to the first team's aim."""
    first = {
        community: min(o for o in OWNERS if COMMUNITY_OF[o] == community)
        for community in COMMUNITIES
    }
    made: dict[str, dict[str, int]] = {}
    for community in COMMUNITIES:
        team = owners[first[community]].ids
        records = _community_records(world, community, team)
        became = team | {"became_community_id": records["community_id"]}
        collaborative = PARENT_OF[community]
        for variant, key, stage, on, theme_of in (
            (
                "collaborative",
                collaborative,
                RoundStage.VOTING,
                {"collaborative_id": team["collaborative_id"]},
                became,
            ),
            (
                "community",
                community,
                RoundStage.CLOSED,
                {"community_id": records["community_id"]},
                team,
            ),
        ):
            round_ids = _round_records(world, key, stage, theme_of, **on)
            records |= {f"{name}@{variant}": value for name, value in round_ids.items()}
        made[community] = records
    for owner, records in owners.items():
        records.ids |= made[COMMUNITY_OF[owner]]


def _team_records(world: SimpleNamespace, owner: str, team: Team, shared_id: int) -> dict:
    author = getattr(world, COMMENT_AUTHOR[owner])
    m = lambda kind: marker(kind, owner)  # noqa: E731
    aim = Aim(
        team_id=team.id,
        title=m("aim"),
        what="Fewer falls",
        for_whom="Residents",
        location="Riverside",
        target_value=4,
        target_date=date(2026, 12, 31),
    )
    db.session.add(aim)
    db.session.flush()
    primary = Driver(aim_id=aim.id, kind=DriverKind.PRIMARY, title=m("primary"))
    secondary = Driver(aim_id=aim.id, kind=DriverKind.SECONDARY, title=m("secondary"))
    secondary.primaries = [primary]
    assessment = AimAssessment(
        aim_id=aim.id,
        assessed_on=date(2026, 2, 1),
        where_are_we_now=m("assessment"),
        what_do_we_want_to_achieve="Fewer falls",
        how_will_we_get_there="Huddles",
    )
    db.session.add_all([primary, secondary, assessment])
    db.session.flush()
    idea = ChangeIdea(aim_id=aim.id, driver_id=secondary.id, title=m("idea"))
    idea.description = m("ideanote")
    db.session.add(idea)
    db.session.flush()
    evidence = _evidence(team.id, idea.id, m("evidence"), getattr(world, EVIDENCE_AUTHOR[owner]))
    ramp = Ramp(change_idea_id=idea.id, title=m("ramp"))
    db.session.add(ramp)
    db.session.flush()
    cycle = Cycle(
        team_id=team.id,
        ramp_id=ramp.id,
        number=1,
        title=m("cycle"),
        starts_on=date(2026, 5, 4),
        ends_on=date(2026, 5, 8),
        objective="Learn whether a huddle helps",
        stage=Stage.PLAN,
    )
    db.session.add(cycle)
    db.session.flush()
    question = CycleQuestion(cycle_id=cycle.id, position=0, question=m("question"), prediction="?")
    task = CycleTask(cycle_id=cycle.id, description=m("task"), due_on=date(2026, 5, 6))
    measure = Measure(
        collaborative_id=team.collaborative_id,
        team_id=team.id,
        aim_id=aim.id,
        name=m("measure"),
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        frequency="monthly",
    )
    comment = Comment(team_id=team.id, aim_id=aim.id, author_id=author.id, body=m("comment"))
    on_cycle = Comment(
        team_id=team.id, cycle_id=cycle.id, author_id=author.id, body=m("cyclecomment")
    )
    report = MonthlyReport(
        team_id=team.id,
        period_start=date(2026, 1, 1),
        status=ReportStatus.SUBMITTED,
        achievements=m("report"),
        self_score=2.0,
        submitted_by_id=author.id,
    )
    answers = Evaluation(
        collaborative_id=team.collaborative_id, team_id=team.id, outcomes_achieved=m("answers")
    )
    db.session.add_all([question, task, measure, comment, on_cycle, report, answers, evidence])
    db.session.flush()
    points = []
    for month, value in ((1, 9), (2, 7), (3, 6)):
        day = date(2026, month, 1)
        note = m("note") if month == 3 else ""
        points.append(
            DataPoint(
                measure_id=measure.id, team_id=team.id, period_start=day, value=value, note=note
            )
        )
        db.session.add(points[-1])
        shared_note = m("sharednote") if month == 3 else ""
        db.session.add(
            DataPoint(
                measure_id=shared_id,
                team_id=team.id,
                period_start=day,
                value=value,
                note=shared_note,
            )
        )
    membership = db.session.query(Membership).filter_by(user_id=author.id).one()
    for record in (aim, assessment, primary, idea, cycle, question, task, comment, membership):
        _audit(author, record, team, team.collaborative)
    _audit(world.admin, team, team, team.collaborative)
    _audit(world.admin, author, None, None)  # an account's history: admins only
    db.session.commit()
    return {
        "team_id": team.id,
        "aim_id": aim.id,
        "assessment_id": assessment.id,
        "driver_id": primary.id,
        "idea_id": idea.id,
        "ramp_id": ramp.id,
        "cycle_id": cycle.id,
        "question_id": question.id,
        "task_id": task.id,
        "measure_id": measure.id,
        "point_id": points[-1].id,
        "comment_id": comment.id,
        "report_id": report.id,
        "membership_id": membership.id,
        "user_id": author.id,
        "evidence_id": evidence.id,
    }


# Filling URLs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One way to fill a rule's URL for one owner: its label (for ByVariant requirements), the
    URL values, and the query string."""

    label: str
    values: dict[str, Any]
    query: dict[str, Any] = field(default_factory=dict)


# Variables whose value is not an owner's record.
FIXED = {
    "fmt": "csv",
    "topic": "charts",
    "filename": "css/app.css",
}

# History pages: one per kind of record, with the id the owner's URL uses.
HISTORY = {
    "Aim": "aim_id",
    "AimAssessment": "assessment_id",
    "Driver": "driver_id",
    "ChangeIdea": "idea_id",
    "Cycle": "cycle_id",
    "CycleQuestion": "question_id",
    "CycleTask": "task_id",
    "Comment": "comment_id",
    "Team": "team_id",
    "Membership@team": "membership_id",
    "Collaborative": "collaborative_id",
    "Membership@collaborative": "collaborative_membership_id",
    "User": "user_id",
}


def owns_records(rule: Rule) -> bool:
    """Whether the rule's URL points at someone's records (else it is checked once per role)."""
    return any(name.endswith("_id") for name in rule.arguments)


def url_variants(mw: MatrixWorld, rule: Rule, owner: str | None) -> list[Variant]:
    """Every way the matrix fills this rule's URL for this owner."""
    records = mw.owners[owner].ids if owner else {}
    endpoint = rule.endpoint
    if endpoint == "history.record":
        return [
            Variant(label, {"entity_type": label.split("@")[0], "entity_id": records[key]})
            for label, key in HISTORY.items()
        ]
    choices: list[list[tuple[str, Any]]] = []
    for name in sorted(rule.arguments):
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            choices.append([(name, item) for item in converter.items])
        else:
            choices.append([(name, _value(mw, endpoint, name, owner, records))])
    variants = [Variant("", dict(combination)) for combination in itertools.product(*choices)]
    return [
        extra
        for variant in variants
        for extra in _extra_variants(endpoint, variant, owner, records)
    ]


def _value(mw: MatrixWorld, endpoint: str, name: str, owner: str | None, records: dict) -> Any:
    if name in FIXED:
        return FIXED[name]
    if name == "token":
        return mw.invitation
    if name == "period":
        assert owner is not None
        return mw.owners[owner].period
    if name == "membership_id" and endpoint.startswith("collaboratives."):
        return records["collaborative_membership_id"]
    if name == "action_id" and endpoint.startswith("communities."):
        return records["community_action_id"]
    if name in ROUND_VARIABLES and endpoint.startswith("priorities."):
        return records[f"{name}@collaborative"]  # _extra_variants adds the community's
    if name not in records:
        raise AssertionError(f"{endpoint}: the matrix cannot fill <{name}>; teach matrix_world")
    return records[name]


# A priority round's, theme's or idea's id: one of the collaborative's rounds, or the community's.
ROUND_VARIABLES = ("round_id", "theme_id", "idea_id")


def _extra_variants(endpoint: str, variant: Variant, owner: str | None, records: dict):
    """A shared measure's data for one team (?team=) beside the team's own measure; one team's
    evaluation answers (?team=) beside the whole collaborative's; a community's priority round
    beside the collaborative's."""
    in_round = [name for name in ROUND_VARIABLES if name in variant.values]
    if in_round and endpoint.startswith("priorities."):
        for label in ROUND_VARIANTS:
            values = variant.values | {name: records[f"{name}@{label}"] for name in in_round}
            yield Variant(label, values)
    elif "measure_id" in variant.values:
        yield Variant("team", variant.values)
        shared = variant.values | {"measure_id": records["shared_measure_id"]}
        yield Variant("shared", shared, {"team": records["team_id"]})
    elif endpoint == "panel.evaluation":
        yield Variant("whole", variant.values)
        yield Variant("team", variant.values, {"team": records["team_id"]})
    else:
        yield variant
