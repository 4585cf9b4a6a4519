"""A valid request for every route that changes something, to send in security tests.

SAMPLES maps each non-GET endpoint of the URL map to a builder. A builder takes the conftest
`world` (collaborative X with teams A and B, Y with team C, one person per role), makes the records
its request needs (fresh ones on every call, so it can be called several times in one world), and
returns a Sample: who sends it (someone allowed to), where, the form data the view accepts and
saves, and the audit rows that saving must write. tests/security/test_*.py check that every rule
of the URL map has a builder here, so a new route without one fails a test that names it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import Rule

from improve.auth.operations import invitation_token
from improve.extensions import db
from improve.measures.import_views import SALT
from improve.models import (
    Aim,
    ApiToken,
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
    EvaluationNote,
    EvidenceKind,
    IdeaEvidence,
    IdeaSource,
    Improved,
    Measure,
    Membership,
    MonthlyReport,
    PanelAction,
    PanelReview,
    PhaseKind,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    Ramp,
    ReportStatus,
    ResearchNeed,
    ResearchNeedVote,
    Role,
    RoundStage,
    Stage,
    StakeholderGroup,
    Team,
    User,
    VotingMethod,
)
from improve.reports import queries as report_queries
from tests.conftest import PASSWORD, cheap_password_hash
from tests.cycles.posts import act_data, do_data, plan_data, study_data

CREATE, UPDATE, DELETE = AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY = "any"  # a scope id that is not known before the request (a new team's id)
TODAY = date.today()
_PASSWORD_HASH = cheap_password_hash(PASSWORD)
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Row:
    """One audit row a request must write: what happened to which type of record, and the team
    and collaborative it is filed under (ANY: a new record's own id)."""

    action: AuditAction
    entity_type: str
    team_id: int | str | None = None
    collaborative_id: int | str | None = None


def _shown(record: Any) -> dict[str, str]:
    """A removal's "yes": the version of the record the question showed."""
    return {"version": str(record.version)}


@dataclass
class Sample:
    actor: User | None  # None: sent signed out
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    audit: list[Row] = field(default_factory=list)
    # Whom the rows name, when not the sender (signing in names the account signed in to).
    audit_actor: User | None = None
    status: int = 303

    @property
    def writes(self) -> bool:
        return bool(self.audit)

    @property
    def named_actor(self) -> User | None:
        return self.audit_actor or self.actor


def non_get_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) that can change something, in a stable order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) - SAFE_METHODS):
            yield rule, method


# Records ----------------------------------------------------------------------------------------


def _n() -> int:
    return next(_numbers)


def _saved(*records: Any) -> None:
    db.session.add_all(records)
    db.session.commit()


def team_scope(team: Team) -> dict[str, int]:
    return {"team_id": team.id, "collaborative_id": team.collaborative_id}


def collaborative_scope(collaborative: Collaborative) -> dict[str, Any]:
    return {"team_id": None, "collaborative_id": collaborative.id}


def person(**overrides: Any) -> User:
    number = _n()
    fields = {
        "email": f"sample{number}@example.org",
        "display_name": f"Sample Person {number}",
        "password_hash": _PASSWORD_HASH,
    }
    user = User(**(fields | overrides))
    _saved(user)
    return user


def aim(team: Team, **overrides: Any) -> Aim:
    fields = {
        "title": f"Fewer falls {_n()}",
        "what": "Reduce falls at night",
        "for_whom": "People who live at Riverside",
        "location": "Riverside",
        "target_value": 4.0,
        "target_date": date(2027, 3, 31),
    }
    record = Aim(team_id=team.id, **(fields | overrides))
    _saved(record)
    return record


def driver(on: Aim, position: int = 0, kind: DriverKind = DriverKind.PRIMARY) -> Driver:
    record = Driver(aim_id=on.id, kind=kind, title=f"Driver {_n()}", position=position)
    _saved(record)
    return record


def idea(on: Aim, position: int = 0) -> ChangeIdea:
    record = ChangeIdea(aim_id=on.id, title=f"Idea {_n()}", position=position)
    _saved(record)
    return record


def cycle(team: Team, stage: Stage = Stage.PLAN, questions: int = 1, **overrides: Any) -> Cycle:
    """A cycle of a new aim's idea; from Study on, the Do stage is recorded, from Act on the
    Study stage too, as the worksheet's rules require."""
    tested = idea(aim(team))
    ramp = Ramp(change_idea_id=tested.id, title="Huddle test")
    _saved(ramp)
    fields: dict[str, Any] = {
        "title": f"Huddle test {_n()}",
        "number": 1,
        "starts_on": date(2026, 5, 4),
        "ends_on": date(2026, 5, 8),
        "objective": "Learn whether a huddle helps",
        "stage": stage,
    }
    if stage in (Stage.STUDY, Stage.ACT):
        fields |= {"carried_out_as_planned": True, "what_happened": "We held it daily."}
    if stage == Stage.ACT:
        fields |= {"improved": Improved.YES, "why_improved": "Fewer falls."}
    record = Cycle(team_id=team.id, ramp_id=ramp.id, **(fields | overrides))
    _saved(record)
    for position in range(questions):
        db.session.add(
            CycleQuestion(
                cycle_id=record.id,
                position=position,
                question=f"Question {position + 1}?",
                prediction="Yes, on 4 days of 5.",
            )
        )
    db.session.commit()
    return record


def task(of: Cycle) -> CycleTask:
    record = CycleTask(cycle_id=of.id, description=f"Print the sheet {_n()}", due_on=of.starts_on)
    _saved(record)
    return record


def comment(on: Aim, author: User) -> Comment:
    record = Comment(team_id=on.team_id, aim_id=on.id, author_id=author.id, body="First words.")
    _saved(record)
    return record


def measure(
    on: Aim | None = None, collaborative: Collaborative | None = None, **changes: Any
) -> Measure:
    """An aim's monthly count measure, or (collaborative=) a shared one; baseline from January."""
    fields: dict[str, Any] = {
        "name": f"Falls a month {_n()}",
        "measure_type": "outcome",
        "value_kind": "count",
        "direction": "decrease",
        "frequency": "monthly",
        "baseline_start": date(2026, 1, 1),
    }
    if on is not None:
        fields |= {"collaborative_id": on.team.collaborative_id, "team_id": on.team_id}
        fields["aim_id"] = on.id
    else:
        assert collaborative is not None
        fields |= {"collaborative_id": collaborative.id, "team_id": None}
    record = Measure(**(fields | changes))
    _saved(record)
    return record


def membership(user: User, role: Role, scope: Team | Collaborative) -> Membership:
    key = "team_id" if isinstance(scope, Team) else "collaborative_id"
    record = Membership(user_id=user.id, role=role, **{key: scope.id})
    _saved(record)
    return record


def phase(collaborative: Collaborative) -> CollaborativePhase:
    record = CollaborativePhase(
        collaborative_id=collaborative.id,
        kind=PhaseKind.LEARNING_SESSION,
        title=f"Learning session {_n()}",
        starts_on=date(2026, 3, 1),
    )
    _saved(record)
    return record


def panel_review(collaborative: Collaborative, **overrides: Any) -> PanelReview:
    fields = {"reviewed_on": date(2026, 3, 3), "decisions": f"Decision {_n()}"}
    record = PanelReview(collaborative_id=collaborative.id, **(fields | overrides))
    _saved(record)
    return record


def panel_action(review: PanelReview) -> PanelAction:
    record = PanelAction(
        collaborative_id=review.collaborative_id,
        review_id=review.id,
        description=f"Action {_n()}",
        owner="Sam Patel",
        due_on=date(2026, 6, 30),
    )
    _saved(record)
    return record


def free_period(team: Team) -> date:
    """A started report period of the team's collaborative that has no report yet."""
    taken = set(
        db.session.scalars(
            sa.select(MonthlyReport.period_start).where(MonthlyReport.team_id == team.id)
        )
    )
    periods = report_queries.all_periods(team.collaborative)
    return next(p for p in periods if p <= TODAY and p not in taken)


def submitted_report(team: Team) -> MonthlyReport:
    record = MonthlyReport(
        team_id=team.id,
        period_start=free_period(team),
        revision=1,
        status=ReportStatus.SUBMITTED,
        achievements="Huddles every morning.",
        self_score=2.0,
    )
    _saved(record)
    return record


def day_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


# Builders, by endpoint ---------------------------------------------------------------------------

Builder = Callable[[SimpleNamespace], Sample]
SAMPLES: dict[str, Builder] = {}


def sample(endpoint: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        assert endpoint not in SAMPLES, endpoint
        SAMPLES[endpoint] = builder
        return builder

    return register


# Accounts

NEW_PASSWORD = "a brand new password for tests"


@sample("auth.sign_in")
def _sign_in(w: SimpleNamespace) -> Sample:
    user = person()
    data = {"email": user.email, "password": PASSWORD}
    return Sample(None, "/sign-in", data, [Row(AuditAction.SIGN_IN, "User")], audit_actor=user)


@sample("auth.sign_out")
def _sign_out(w: SimpleNamespace) -> Sample:
    return Sample(person(), "/sign-out", {}, [Row(AuditAction.SIGN_OUT, "User")])


@sample("auth.change_password")
def _change_password(w: SimpleNamespace) -> Sample:
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    return Sample(person(), "/account/password", data, [Row(UPDATE, "User")])


@sample("auth.account")
def _account(w: SimpleNamespace) -> Sample:
    user = person()
    data = {"phone": "01632 960 001", "version": str(user.version)}  # reminders ticked off
    return Sample(user, "/account", data, [Row(UPDATE, "User")])


@sample("api_tokens.index")
def _make_api_token(w: SimpleNamespace) -> Sample:
    """The new token's secret is shown on the answer itself (201), never again."""
    data = {"name": f"Power BI board pack {_n()}"}
    rows = [Row(CREATE, "ApiToken")]
    return Sample(person(), "/account/api-tokens", data, rows, status=201)


@sample("api_tokens.revoke")
def _revoke_api_token(w: SimpleNamespace) -> Sample:
    from improve.api.operations import secret_hash

    owner = person()
    number = _n()
    token = ApiToken(
        user_id=owner.id,
        name=f"Board pack {number}",
        prefix="imp_sample00",
        secret_hash=secret_hash(f"imp_sample-secret-{number}"),
        expires_on=TODAY,
    )
    _saved(token)
    data = {"token": str(token.id)}
    return Sample(owner, "/account/api-tokens/revoke", data, [Row(UPDATE, "ApiToken")])


@sample("auth.accept_invitation")
def _accept_invitation(w: SimpleNamespace) -> Sample:
    invited = person(password_hash=None)
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    rows = [Row(UPDATE, "User"), Row(AuditAction.SIGN_IN, "User")]
    url = f"/invitation/{invitation_token(invited)}"
    return Sample(None, url, data, rows, audit_actor=invited)


@sample("auth.forgotten_password")
def _forgotten_password(w: SimpleNamespace) -> Sample:
    """The request only queues a job, the same for every address; the worker writes the email
    and its audit row (tests/auth/test_forgotten_password.py)."""
    user = person()
    return Sample(None, "/forgotten-password", {"email": user.email}, [], audit_actor=user)


@sample("admin.new_user")
def _new_user(w: SimpleNamespace) -> Sample:
    data = {"display_name": "New Colleague", "email": f"new{_n()}@example.org"}
    return Sample(w.admin, "/admin/users/new", data, [Row(CREATE, "User")])


def saved_version(record: Any) -> int:
    """The version now saved (an earlier sample may have changed the record since it loaded)."""
    db.session.refresh(record)
    return int(record.version)


@sample("admin.edit_user")
def _edit_user(w: SimpleNamespace) -> Sample:
    user = person()
    data = {
        "display_name": "Renamed Person",
        "email": user.email,
        "is_enabled": "y",
        "version": str(user.version),
    }
    return Sample(w.admin, f"/admin/users/{user.id}", data, [Row(UPDATE, "User")])


@sample("admin.reset_password")
def _reset_password(w: SimpleNamespace) -> Sample:
    user = person()
    return Sample(w.admin, f"/admin/users/{user.id}/reset-password", {}, [Row(UPDATE, "User")])


@sample("admin.send_again")
def _send_again(w: SimpleNamespace) -> Sample:
    from improve.models import OutboxMessage, OutboxStatus

    message = OutboxMessage(
        kind="invitation",
        to_address="someone@example.org",
        subject="You are invited to improve",
        text_body="",
        status=OutboxStatus.FAILED,
        attempts=7,
    )
    _saved(message)
    url = f"/admin/outbox/{message.id}/send-again"
    return Sample(w.admin, url, {}, [Row(UPDATE, "OutboxMessage")])


# Collaboratives, teams and their people


def _collaborative_data(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "topic": "Fewer falls at home",
        "starts_on": ["1", "1", "2026"],
        "ends_on": ["31", "12", "2026"],
        "run_chart_rules": "anhoej",
        "sigma_method": "classic",
        "shift_length": "7",
        "trend_length": "7",
        "stall_weeks": "6",
        "suppression_threshold": "5",
        "reporting_cadence": "monthly",
        "report_due_day": "10",
    }


@sample("collaboratives.new")
def _new_collaborative(w: SimpleNamespace) -> Sample:
    rows = [
        Row(CREATE, "Collaborative", None, ANY),
        Row(CREATE, "Membership", None, ANY),  # its starter coordinates it
    ]
    data = _collaborative_data(f"Collaborative Z{_n()}")
    return Sample(w.coordinator_x, "/collaboratives/new", data, rows)


@sample("collaboratives.edit")
def _edit_collaborative(w: SimpleNamespace) -> Sample:
    data = _collaborative_data(w.x.name) | {
        "topic": f"Fewer falls at night {_n()}",
        "version": str(saved_version(w.x)),
    }
    rows = [Row(UPDATE, "Collaborative", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/collaboratives/{w.x.id}/edit", data, rows)


@sample("collaboratives.score_labels")
def _score_labels(w: SimpleNamespace) -> Sample:
    from improve.models import DEFAULT_PROGRESS_LABELS

    data = {
        "score_" + score.replace(".", "_"): f"{words} {_n()}"
        for score, words in DEFAULT_PROGRESS_LABELS.items()
    } | {"version": str(saved_version(w.x))}
    rows = [Row(UPDATE, "Collaborative", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/collaboratives/{w.x.id}/score-labels", data, rows)


@sample("collaboratives.add_team")
def _add_team(w: SimpleNamespace) -> Sample:
    data = {
        "name": f"Team D{_n()}",
        "organisation": "Eastshire Council",
        "organisation_kind": "other",
    }
    rows = [Row(CREATE, "Team", ANY, w.x.id)]
    return Sample(w.coordinator_x, f"/collaboratives/{w.x.id}/teams", data, rows)


@sample("collaboratives.add_member")
def _add_collaborative_member(w: SimpleNamespace) -> Sample:
    data = {"email": person().email, "role": Role.PANEL_MEMBER.value}
    rows = [Row(CREATE, "Membership", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/collaboratives/{w.x.id}/members", data, rows)


@sample("collaboratives.remove_member")
def _remove_collaborative_member(w: SimpleNamespace) -> Sample:
    held = membership(person(), Role.PANEL_MEMBER, w.x)
    url = f"/collaboratives/{w.x.id}/members/{held.id}/remove"
    data = {"version": str(held.version)}
    rows = [Row(DELETE, "Membership", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, url, data, rows)


@sample("teams.edit")
def _edit_team(w: SimpleNamespace) -> Sample:
    data = {
        "name": w.team_a.name,
        "organisation": f"Westshire Council {_n()}",
        "organisation_kind": "other",
        "version": str(saved_version(w.team_a)),
    }
    rows = [Row(UPDATE, "Team", **team_scope(w.team_a))]
    return Sample(w.lead_a, f"/teams/{w.team_a.id}/edit", data, rows)


@sample("teams.add_member")
def _add_team_member(w: SimpleNamespace) -> Sample:
    # Someone with no account yet: the account is created too.
    data = {
        "email": f"joiner{_n()}@example.org",
        "display_name": "New Joiner",
        "role": "team_member",
    }
    rows = [Row(CREATE, "User"), Row(CREATE, "Membership", **team_scope(w.team_a))]
    return Sample(w.lead_a, f"/teams/{w.team_a.id}/members", data, rows)


@sample("teams.remove_member")
def _remove_team_member(w: SimpleNamespace) -> Sample:
    held = membership(person(), Role.TEAM_MEMBER, w.team_a)
    url = f"/teams/{w.team_a.id}/members/{held.id}/remove"
    data = {"version": str(held.version)}
    return Sample(w.lead_a, url, data, [Row(DELETE, "Membership", **team_scope(w.team_a))])


# Aims and the driver diagram


def _aim_data(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "what": "Reduce falls in our home",
        "for_whom": "People who live at Riverside",
        "location": "Riverside Care Home",
        "target_value": "4",
        "target_date": ["31", "3", "2027"],
    }


@sample("aims.new")
def _new_aim(w: SimpleNamespace) -> Sample:
    rows = [Row(CREATE, "Aim", **team_scope(w.team_a))]
    url = f"/teams/{w.team_a.id}/aims/new"
    return Sample(w.member_a, url, _aim_data(f"Fewer falls {_n()}"), rows)


@sample("aims.edit")
def _edit_aim(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    data = _aim_data(f"Renamed aim {_n()}") | {"version": str(record.version)}
    rows = [Row(UPDATE, "Aim", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{record.id}/edit", data, rows)


@sample("aims.change_status")
def _change_status(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    data = {"status-status": "achieved", "status-version": str(record.version)}
    rows = [Row(UPDATE, "Aim", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{record.id}/status", data, rows)


@sample("aims.add_assessment")
def _add_assessment(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    data = {
        "assessment-assessed_on": day_parts(TODAY),
        "assessment-where_are_we_now": "Nine falls last month.",
        "assessment-what_do_we_want_to_achieve": "Four a month.",
        "assessment-how_will_we_get_there": "Night checks.",
    }
    rows = [Row(CREATE, "AimAssessment", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{record.id}/assessments", data, rows)


@sample("drivers.create")
def _create_driver(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    rows = [Row(CREATE, "Driver", **team_scope(w.team_a))]
    data = {"primary-title": "Staff know who is at risk"}
    return Sample(w.member_a, f"/aims/{record.id}/drivers/primary", data, rows)


@sample("drivers.edit")
def _edit_driver(w: SimpleNamespace) -> Sample:
    record = driver(aim(w.team_a))
    data = {"edit-title": "Renamed driver", "edit-version": str(record.version)}
    rows = [Row(UPDATE, "Driver", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/drivers/{record.id}/edit", data, rows)


@sample("drivers.move")
def _move_driver(w: SimpleNamespace) -> Sample:
    on = aim(w.team_a)
    driver(on, 0)
    second = driver(on, 1)
    rows = [Row(UPDATE, "Driver", **team_scope(w.team_a))] * 2  # the two swap places
    return Sample(w.member_a, f"/drivers/{second.id}/move", {"direction": "up"}, rows)


@sample("drivers.remove")
def _remove_driver(w: SimpleNamespace) -> Sample:
    record = driver(aim(w.team_a))
    rows = [Row(DELETE, "Driver", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/drivers/{record.id}/remove", _shown(record), rows)


@sample("drivers.create_idea")
def _create_idea(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    data = {"idea-title": "Night lights", "idea-description": "In every room", "idea-driver_id": ""}
    rows = [Row(CREATE, "ChangeIdea", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{record.id}/ideas", data, rows)


@sample("drivers.edit_idea")
def _edit_idea(w: SimpleNamespace) -> Sample:
    record = idea(aim(w.team_a))
    data = {
        "edit-title": "Renamed idea",
        "edit-description": "",
        "edit-driver_id": "",
        "edit-version": str(record.version),
    }
    rows = [Row(UPDATE, "ChangeIdea", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/ideas/{record.id}/edit", data, rows)


@sample("drivers.move_idea")
def _move_idea(w: SimpleNamespace) -> Sample:
    on = aim(w.team_a)
    idea(on, 0)
    second = idea(on, 1)
    rows = [Row(UPDATE, "ChangeIdea", **team_scope(w.team_a))] * 2
    return Sample(w.member_a, f"/ideas/{second.id}/move", {"direction": "up"}, rows)


@sample("drivers.remove_idea")
def _remove_idea(w: SimpleNamespace) -> Sample:
    record = idea(aim(w.team_a))
    rows = [Row(DELETE, "ChangeIdea", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/ideas/{record.id}/remove", _shown(record), rows)


@sample("ideas.copy")
def _copy_idea(w: SimpleNamespace) -> Sample:
    source = idea(aim(w.team_b))
    into = aim(w.team_a)
    prefix = f"copy-{source.id}"
    data = {f"{prefix}-aim_id": str(into.id), f"{prefix}-driver_id": ""}
    rows = [Row(CREATE, "ChangeIdea", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/collaboratives/{w.x.id}/ideas/{source.id}/copy", data, rows)


# Comments


@sample("comments.add_to_aim")
def _comment_on_aim(w: SimpleNamespace) -> Sample:
    record = aim(w.team_a)
    rows = [Row(CREATE, "Comment", **team_scope(w.team_a))]
    data = {"comment-body": "Night checks worked."}
    return Sample(w.member_a, f"/aims/{record.id}/comments", data, rows)


@sample("comments.add_to_cycle")
def _comment_on_cycle(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    rows = [Row(CREATE, "Comment", **team_scope(w.team_a))]
    data = {"comment-body": "Good test."}
    return Sample(w.expert_a, f"/cycles/{record.id}/comments", data, rows)


@sample("comments.edit")
def _edit_comment(w: SimpleNamespace) -> Sample:
    record = comment(aim(w.team_a), w.member_a)
    data = {"comment-edit-body": "Better words.", "comment-edit-version": str(record.version)}
    rows = [Row(UPDATE, "Comment", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/comments/{record.id}/edit", data, rows)


@sample("comments.delete")
def _delete_comment(w: SimpleNamespace) -> Sample:
    record = comment(aim(w.team_a), w.member_a)
    rows = [Row(DELETE, "Comment", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/comments/{record.id}/delete", _shown(record), rows)


# PDSA cycles


@sample("cycles.new")
def _new_cycle(w: SimpleNamespace) -> Sample:
    on = aim(w.team_a)
    tested = idea(on)
    data = {
        "change_idea": str(tested.id),
        "title": "Morning huddle",
        "owner": "",
        "starts_on": ["4", "5", "2026"],
        "ends_on": ["8", "5", "2026"],
        "objective": "Learn whether a huddle helps",
    }
    rows = [Row(CREATE, "Cycle", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{on.id}/cycles/new", data, rows)


@sample("cycles.edit")
def _edit_cycle(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    data = {
        "version": str(record.version),
        "title": "Renamed test",
        "owner": "",
        "starts_on": ["4", "5", "2026"],
        "ends_on": ["9", "5", "2026"],
    }
    rows = [Row(UPDATE, "Cycle", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/cycles/{record.id}/edit", data, rows)


@sample("cycles.save_plan")
def _save_plan(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    data = plan_data(record, objective="Learn whether a shorter huddle helps")
    rows = [Row(UPDATE, "Cycle", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/cycles/{record.id}/plan", data, rows)


@sample("cycles.save_do")
def _save_do(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a, Stage.DO)
    rows = [Row(UPDATE, "Cycle", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/cycles/{record.id}/do", do_data(record.do_version), rows)


@sample("cycles.save_study")
def _save_study(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a, Stage.STUDY)
    scope = team_scope(w.team_a)
    rows = [Row(UPDATE, "Cycle", **scope), Row(UPDATE, "CycleQuestion", **scope)]
    data = study_data(record, record.study_version)
    return Sample(w.member_a, f"/cycles/{record.id}/study", data, rows)


@sample("cycles.save_act")
def _save_act(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a, Stage.ACT)
    rows = [Row(UPDATE, "Cycle", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/cycles/{record.id}/act", act_data(record.act_version), rows)


@sample("cycles.save_expert_plan")
def _save_expert_plan(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    data = {"expert_plan-version": "", "expert_plan-body": "That people sleep well."}
    rows = [Row(CREATE, "ExpertView", **team_scope(w.team_a))]
    return Sample(w.expert_a, f"/cycles/{record.id}/plan/expert", data, rows)


@sample("cycles.save_expert_study")
def _save_expert_study(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a, Stage.STUDY)
    data = {"expert_study-version": "", "expert_study-body": "I slept better."}
    rows = [Row(CREATE, "ExpertView", **team_scope(w.team_a))]
    return Sample(w.expert_a, f"/cycles/{record.id}/study/expert", data, rows)


@sample("cycles.add_task")
def _add_task(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    data = {
        "task-description": "Print the huddle sheet",
        "task-owner_name": "Sam",
        "task-due_on": day_parts(record.starts_on),
    }
    rows = [Row(CREATE, "CycleTask", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/cycles/{record.id}/tasks", data, rows)


@sample("cycles.tick_task")
def _tick_task(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    to_do = task(record)
    rows = [Row(UPDATE, "CycleTask", **team_scope(w.team_a))]
    url = f"/cycles/{record.id}/tasks/{to_do.id}/done"
    return Sample(w.member_a, url, {"done": "yes"}, rows)


@sample("cycles.remove_task")
def _remove_task(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a)
    to_do = task(record)
    rows = [Row(DELETE, "CycleTask", **team_scope(w.team_a))]
    url = f"/cycles/{record.id}/tasks/{to_do.id}/remove"
    return Sample(w.member_a, url, _shown(to_do), rows)


@sample("cycles.remove_question")
def _remove_question(w: SimpleNamespace) -> Sample:
    record = cycle(w.team_a, questions=2)
    question = record.questions[-1]
    rows = [Row(DELETE, "CycleQuestion", **team_scope(w.team_a))]
    url = f"/cycles/{record.id}/questions/{question.id}/remove"
    return Sample(w.member_a, url, _shown(question), rows)


# Measures and their data


def _measure_data(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "measure_type": "outcome",
        "frequency": "monthly",
        "value_kind": "count",
        "direction": "decrease",
        "chart_type": "run",
    }


@sample("measures.new")
def _new_measure(w: SimpleNamespace) -> Sample:
    on = aim(w.team_a)
    rows = [Row(CREATE, "Measure", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/aims/{on.id}/measures/new", _measure_data("Falls a month"), rows)


@sample("measures.new_shared")
def _new_shared_measure(w: SimpleNamespace) -> Sample:
    rows = [Row(CREATE, "Measure", **collaborative_scope(w.x))]
    url = f"/collaboratives/{w.x.id}/measures/new"
    return Sample(w.coordinator_x, url, _measure_data("Falls across homes"), rows)


@sample("measures.link")
def _link_measure(w: SimpleNamespace) -> Sample:
    shared = measure(collaborative=w.x)
    on = aim(w.team_a)
    rows = [Row(UPDATE, "Aim", **team_scope(w.team_a))]
    data = {"measure_id": str(shared.id)}
    return Sample(w.member_a, f"/aims/{on.id}/measures/link", data, rows)


@sample("measures.edit")
def _edit_measure(w: SimpleNamespace) -> Sample:
    record = measure(aim(w.team_a))
    data = _measure_data("Falls at night a month") | {
        "baseline_start": ["1", "1", "2026"],
        "version": str(record.version),
        "effective_from": ["1", "4", "2026"],
        "reason": "Night falls only",
    }
    scope = team_scope(w.team_a)
    rows = [Row(UPDATE, "Measure", **scope), Row(CREATE, "MeasureRevision", **scope)]
    return Sample(w.member_a, f"/measures/{record.id}/edit", data, rows)


@sample("measures.save_point")
def _save_point(w: SimpleNamespace) -> Sample:
    record = measure(aim(w.team_a))
    rows = [Row(CREATE, "DataPoint", **team_scope(w.team_a))]
    data = {"period": "2026-01-01", "value": "3"}
    return Sample(w.member_a, f"/measures/{record.id}/points", data, rows)


@sample("measures.save_events")
def _save_events(w: SimpleNamespace) -> Sample:
    record = measure(aim(w.team_a), value_kind="events", chart_type="g")
    rows = [Row(CREATE, "DataPoint", **team_scope(w.team_a))]
    data = {"day": ["3", "1", "2026"], "count": "1"}
    return Sample(w.member_a, f"/measures/{record.id}/events", data, rows)


@sample("measures.delete_point")
def _delete_point(w: SimpleNamespace) -> Sample:
    point = DataPoint(
        measure_id=measure(aim(w.team_a)).id,
        team_id=w.team_a.id,
        period_start=date(2026, 1, 1),
        value=3,
    )
    _saved(point)
    rows = [Row(DELETE, "DataPoint", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/points/{point.id}/delete", {"version": str(point.version)}, rows)


@sample("measures.import_data")
def _import_preview(w: SimpleNamespace) -> Sample:
    # Only shows the preview: the rows are saved by confirm_import.
    record = measure(aim(w.team_a))
    data = {"pasted": "date\tvalue\n2026-01-01\t3\n2026-02-01\t4"}
    return Sample(w.member_a, f"/measures/{record.id}/import", data, [], status=200)


@sample("measures.confirm_import")
def _confirm_import(w: SimpleNamespace) -> Sample:
    record = measure(aim(w.team_a))
    rows = [[2, "2026-01-01", 3.0, None, ""], [3, "2026-02-01", 4.0, None, ""]]
    # The preview's confirmation: this person's, made when the team had no points (data {}).
    payload = {
        "measure": record.id,
        "team": w.team_a.id,
        "user": w.member_a.id,
        "definition": record.version,
        "once": f"sample-{record.id}-{w.member_a.id}",
        "data": {},
        "care_data": [],
        "rows": rows,
    }
    from flask import current_app

    signed = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(payload)
    audit = [Row(CREATE, "DataPoint", **team_scope(w.team_a))] * 2
    return Sample(w.member_a, f"/measures/{record.id}/import/confirm", {"payload": signed}, audit)


# The calendar, reports, the panel


@sample("reports.new_phase")
def _new_phase(w: SimpleNamespace) -> Sample:
    data = {
        "kind": "learning_session",
        "title": "Learning session 1",
        "starts_on": ["1", "3", "2026"],
        "start_time": "10:00",
        "end_time": "3:30pm",
    }
    rows = [Row(CREATE, "CollaborativePhase", **collaborative_scope(w.x))]
    url = f"/collaboratives/{w.x.id}/calendar/phases/new"
    return Sample(w.coordinator_x, url, data, rows)


@sample("reports.edit_phase")
def _edit_phase(w: SimpleNamespace) -> Sample:
    record = phase(w.x)
    data = {
        "kind": "learning_session",
        "title": "Renamed session",
        "starts_on": ["2", "3", "2026"],
        "version": str(record.version),
    }
    rows = [Row(UPDATE, "CollaborativePhase", **collaborative_scope(w.x))]
    url = f"/collaboratives/{w.x.id}/calendar/phases/{record.id}/edit"
    return Sample(w.coordinator_x, url, data, rows)


@sample("reports.remove_phase")
def _remove_phase(w: SimpleNamespace) -> Sample:
    record = phase(w.x)
    rows = [Row(DELETE, "CollaborativePhase", **collaborative_scope(w.x))]
    url = f"/collaboratives/{w.x.id}/calendar/phases/{record.id}/remove"
    return Sample(w.coordinator_x, url, _shown(record), rows)


@sample("reports.new_calendar_link")
def _new_calendar_link(w: SimpleNamespace) -> Sample:
    rows = [Row(UPDATE, "Collaborative", **collaborative_scope(w.x))]
    # The page names the link it replaces, as it is now: a stale page changes nothing.
    from improve.reports.operations import calendar_link_fingerprint

    db.session.refresh(w.x)
    data = {"replaces": calendar_link_fingerprint(w.x)}
    return Sample(w.coordinator_x, f"/collaboratives/{w.x.id}/calendar/new-link", data, rows)


@sample("reports.detail")
def _save_report(w: SimpleNamespace) -> Sample:
    period = free_period(w.team_a)
    data = {"action": "save", "achievements": "Huddles every morning.", "version": ""}
    rows = [Row(CREATE, "MonthlyReport", **team_scope(w.team_a))]
    url = f"/teams/{w.team_a.id}/reports/{period.isoformat()}"
    return Sample(w.member_a, url, data, rows)


@sample("coordination.send_reminder")
def _send_reminder(w: SimpleNamespace) -> Sample:
    # Team A's lead is emailed; a team lead is always someone to remind.
    rows = [Row(CREATE, "ReportReminder", **team_scope(w.team_a))]
    url = f"/collaboratives/{w.x.id}/coordinator/teams/{w.team_a.id}/reminders"
    return Sample(w.coordinator_x, url, {}, rows)


@sample("reports.score")
def _score_report(w: SimpleNamespace) -> Sample:
    report = submitted_report(w.team_a)
    data = {"score": "3.0", "justification": "Falls are down."}
    rows = [Row(CREATE, "ProgressScore", **team_scope(w.team_a))]
    return Sample(w.coordinator_x, f"/reports/{report.id}/score", data, rows)


@sample("panel.reviews")
def _record_review(w: SimpleNamespace) -> Sample:
    data = {"reviewed_on": day_parts(TODAY), "is_held": "yes", "decisions": "Spread night checks."}
    rows = [Row(CREATE, "PanelReview", **collaborative_scope(w.x))]
    return Sample(w.panel_x, f"/collaboratives/{w.x.id}/panel/reviews", data, rows)


def _review_url(review: PanelReview, page: str = "") -> str:
    return f"/collaboratives/{review.collaborative_id}/panel/reviews/{review.id}{page}"


def _action_url(action: PanelAction, page: str) -> str:
    return f"/collaboratives/{action.collaborative_id}/panel/actions/{action.id}{page}"


@sample("panel.edit_review")
def _edit_review(w: SimpleNamespace) -> Sample:
    review = panel_review(w.x)
    data = {
        "reviewed_on": day_parts(review.reviewed_on),
        "is_held": "yes",
        "decisions": "Spread night checks to every home.",
        **_shown(review),
    }
    rows = [Row(UPDATE, "PanelReview", **collaborative_scope(w.x))]
    return Sample(w.panel_x, _review_url(review, "/edit"), data, rows)


@sample("panel.mark_held")
def _mark_held(w: SimpleNamespace) -> Sample:
    review = panel_review(w.x, is_held=False)
    rows = [Row(UPDATE, "PanelReview", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, _review_url(review, "/held"), _shown(review), rows)


@sample("panel.delete_review")
def _delete_review(w: SimpleNamespace) -> Sample:
    review = panel_review(w.x)
    panel_action(review)
    rows = [
        Row(DELETE, kind, **collaborative_scope(w.x)) for kind in ("PanelAction", "PanelReview")
    ]
    return Sample(w.panel_x, _review_url(review, "/delete"), _shown(review), rows)


@sample("panel.add_action")
def _add_action(w: SimpleNamespace) -> Sample:
    review = panel_review(w.x)
    data = {"description": "Share the checklist.", "owner": "Sam", "due_on": ["30", "6", "2026"]}
    rows = [Row(CREATE, "PanelAction", **collaborative_scope(w.x))]
    return Sample(w.panel_x, _review_url(review, "/actions"), data, rows)


@sample("panel.edit_action")
def _edit_action(w: SimpleNamespace) -> Sample:
    action = panel_action(panel_review(w.x))
    data = {
        "description": action.description,
        "owner": "Jo Bloggs",
        "due_on": ["31", "7", "2026"],
        "status": "in_progress",
        "progress_note": "Shared with 6 of 9 homes.",
        **_shown(action),
    }
    rows = [Row(UPDATE, "PanelAction", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, _action_url(action, "/edit"), data, rows)


@sample("panel.delete_action")
def _delete_action(w: SimpleNamespace) -> Sample:
    action = panel_action(panel_review(w.x))
    rows = [Row(DELETE, "PanelAction", **collaborative_scope(w.x))]
    return Sample(w.panel_x, _action_url(action, "/delete"), _shown(action), rows)


@sample("panel.evaluation")
def _record_evaluation(w: SimpleNamespace) -> Sample:
    # One evaluation per collaborative: a new collaborative each time keeps calls independent.
    fresh = Collaborative(
        name=f"Collaborative E{_n()}",
        topic="Fewer falls",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    _saved(fresh)
    membership(w.panel_x, Role.PANEL_MEMBER, fresh)
    data = {"outcomes_achieved": "Falls halved.", "version": ""}
    rows = [Row(CREATE, "Evaluation", **collaborative_scope(fresh))]
    return Sample(w.panel_x, f"/collaboratives/{fresh.id}/evaluation", data, rows)


# The evidence behind a change idea (issue 20, point 3)


def evidence(of: ChangeIdea, by: User) -> IdeaEvidence:
    record = IdeaEvidence(
        team_id=of.aim.team_id,
        change_idea_id=of.id,
        kind=EvidenceKind.RESEARCH,
        source="NICE guideline NG86",
        added_by_id=by.id,
    )
    _saved(record)
    return record


def _evidence_data(account: str) -> dict[str, Any]:
    return {"kind": "research", "source": "NICE guideline NG86", "account": account}


@sample("ideas.add_evidence")
def _add_evidence(w: SimpleNamespace) -> Sample:
    record = idea(aim(w.team_a))
    rows = [Row(CREATE, "IdeaEvidence", **team_scope(w.team_a))]
    data = _evidence_data("Night checks halved falls in two homes.")
    return Sample(w.member_a, f"/change-ideas/{record.id}/evidence", data, rows)


@sample("ideas.edit_evidence")
def _edit_evidence(w: SimpleNamespace) -> Sample:
    record = evidence(idea(aim(w.team_a)), w.member_a)
    data = _evidence_data("Night checks halved falls in three homes.") | _shown(record)
    rows = [Row(UPDATE, "IdeaEvidence", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/idea-evidence/{record.id}/edit", data, rows)


@sample("ideas.remove_evidence")
def _remove_evidence(w: SimpleNamespace) -> Sample:
    record = evidence(idea(aim(w.team_a)), w.member_a)
    rows = [Row(DELETE, "IdeaEvidence", **team_scope(w.team_a))]
    return Sample(w.member_a, f"/idea-evidence/{record.id}/remove", _shown(record), rows)


# Communities of practice (issue 20): each sample starts its own community of collaborative X,
# with a facilitator of its own; their audit rows are filed under X.

LAST_WEEK = TODAY - timedelta(days=7)


def cop_member(
    of: Community,
    user: User | None,
    role: CommunityRole = CommunityRole.MEMBER,
    group: StakeholderGroup = StakeholderGroup.CARER,
) -> CommunityMember:
    record = CommunityMember(
        community_id=of.id,
        user_id=user.id if user else None,
        name=user.display_name if user else f"Walk-in {_n()}",
        role=role,
        stakeholder_group=group,
        joined_on=of.started_on,
    )
    _saved(record)
    return record


def community(w: SimpleNamespace) -> tuple[Community, User]:
    """A new community of collaborative X and its facilitator."""
    record = Community(
        name=f"Community {_n()}",
        theme="Complex needs across the lifespan",
        started_on=date(2026, 1, 1),
        collaborative_id=w.x.id,
    )
    _saved(record)
    facilitator = person()
    cop_member(record, facilitator, CommunityRole.FACILITATOR, StakeholderGroup.MANAGER)
    return record, facilitator


def cop_member_account(of: Community) -> User:
    """A new person who takes part in the community (a member, with an account)."""
    user = person()
    cop_member(of, user)
    return user


def cop_meeting(of: Community, held_on: date = LAST_WEEK) -> CommunityMeeting:
    record = CommunityMeeting(
        community_id=of.id, held_on=held_on, title=f"Meeting {_n()}", guests={}, notes=""
    )
    _saved(record)
    return record


def cop_action(at: CommunityMeeting) -> CommunityAction:
    record = CommunityAction(
        community_id=at.community_id,
        meeting_id=at.id,
        description=f"Ask the council for the protocol {_n()}",
        owner="Sam Okafor",
    )
    _saved(record)
    return record


def cop_resource(of: Community, by: User) -> CommunityResource:
    record = CommunityResource(
        community_id=of.id, title=f"A guide {_n()}", note="Short and practical.", added_by_id=by.id
    )
    _saved(record)
    return record


def cop_scope(w: SimpleNamespace) -> dict[str, Any]:
    return collaborative_scope(w.x)


def _community_data(name: str, w: SimpleNamespace) -> dict[str, Any]:
    return {
        "name": name,
        "theme": "Moving from children's to adults' services",
        "description": "Families, social workers and providers together.",
        "started_on": day_parts(TODAY - timedelta(days=30)),
        "collaborative_id": str(w.x.id),
    }


@sample("communities.new")
def _new_community(w: SimpleNamespace) -> Sample:
    data = _community_data(f"Moving on well {_n()}", w) | {"your_group": "carer"}
    rows = [
        Row(CREATE, "Community", **cop_scope(w)),
        Row(CREATE, "CommunityMember", **cop_scope(w)),
    ]
    return Sample(w.coordinator_x, "/communities/new", data, rows)


@sample("communities.edit")
def _edit_community(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    data = _community_data(record.name, w) | {
        "started_on": day_parts(record.started_on),
        "version": str(record.version),
    }
    rows = [Row(UPDATE, "Community", **cop_scope(w))]
    return Sample(facilitator, f"/communities/{record.id}/edit", data, rows)


def _member_data(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "organisation": "Westshire Carers' Centre",
        "stakeholder_group": "carer",
        "role": "member",
        "joined_on": day_parts(TODAY),
    }


@sample("communities.add_member")
def _add_community_member(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    data = _member_data("Priya Carer") | {"email": ""}  # someone without an account
    rows = [Row(CREATE, "CommunityMember", **cop_scope(w))]
    return Sample(facilitator, f"/communities/{record.id}/members", data, rows)


@sample("communities.edit_member")
def _edit_community_member(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    member = cop_member(record, None)
    data = _member_data(member.name) | {
        "joined_on": day_parts(member.joined_on),
        "left_on": ["", "", ""],
        "version": str(member.version),
    }
    rows = [Row(UPDATE, "CommunityMember", **cop_scope(w))]
    return Sample(facilitator, f"/community-members/{member.id}/edit", data, rows)


@sample("communities.remove_member")
def _remove_community_member(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    member = cop_member(record, None)  # never came to a meeting: added by mistake
    rows = [Row(DELETE, "CommunityMember", **cop_scope(w))]
    return Sample(facilitator, f"/community-members/{member.id}/remove", _shown(member), rows)


@sample("communities.new_meeting")
def _new_meeting(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    data = {"held_on": day_parts(LAST_WEEK), "title": "Spring meeting", "agenda": "Introductions"}
    rows = [Row(CREATE, "CommunityMeeting", **cop_scope(w))]
    return Sample(facilitator, f"/communities/{record.id}/meetings/new", data, rows)


@sample("communities.edit_meeting")
def _edit_meeting(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    meeting = cop_meeting(record)
    data = {
        "held_on": day_parts(meeting.held_on),
        "title": meeting.title,
        "agenda": "Introductions",
        "notes": "Twelve came; carers asked for evening meetings.",
        "version": str(meeting.version),
    }
    rows = [Row(UPDATE, "CommunityMeeting", **cop_scope(w))]
    return Sample(facilitator, f"/community-meetings/{meeting.id}/edit", data, rows)


@sample("communities.attendance")
def _record_attendance(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    meeting = cop_meeting(record)
    came = cop_member(record, None)
    data: dict[str, Any] = {f"guests_{group.value}": "0" for group in StakeholderGroup}
    data |= {"present": [str(came.id)], "guests_carer": "2", "version": str(meeting.version)}
    rows = [Row(UPDATE, "CommunityMeeting", **cop_scope(w))]
    return Sample(facilitator, f"/community-meetings/{meeting.id}/attendance", data, rows)


def _action_data(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "owner": "Sam Okafor",
        "due_on": day_parts(TODAY + timedelta(days=14)),
        "status": "open",
    }


@sample("communities.add_action")
def _add_community_action(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    meeting = cop_meeting(record)
    data = _action_data("Ask the council for the transition protocol")
    rows = [Row(CREATE, "CommunityAction", **cop_scope(w))]
    return Sample(facilitator, f"/community-meetings/{meeting.id}/actions", data, rows)


@sample("communities.edit_action")
def _edit_community_action(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    action = cop_action(cop_meeting(record))
    data = _action_data(action.description) | {
        "status": "in_progress",
        "progress_note": "Asked; waiting for an answer.",
        "version": str(action.version),
    }
    rows = [Row(UPDATE, "CommunityAction", **cop_scope(w))]
    return Sample(facilitator, f"/community-actions/{action.id}/edit", data, rows)


@sample("communities.delete_action")
def _delete_community_action(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    action = cop_action(cop_meeting(record))
    rows = [Row(DELETE, "CommunityAction", **cop_scope(w))]
    return Sample(facilitator, f"/community-actions/{action.id}/delete", _shown(action), rows)


def _resource_data(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "url": "https://www.scie.org.uk/co-production",
        "note": "Short and practical.",
        "evidence_kind": "research",
    }


@sample("communities.add_resource")
def _add_resource(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    rows = [Row(CREATE, "CommunityResource", **cop_scope(w))]
    data = _resource_data("SCIE guide to co-production")
    return Sample(cop_member_account(record), f"/communities/{record.id}/resources", data, rows)


@sample("communities.edit_resource")
def _edit_resource(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    member = cop_member_account(record)  # whoever shared it changes it
    resource = cop_resource(record, member)
    data = _resource_data("SCIE guide, second edition") | _shown(resource)
    rows = [Row(UPDATE, "CommunityResource", **cop_scope(w))]
    return Sample(member, f"/community-resources/{resource.id}/edit", data, rows)


@sample("communities.remove_resource")
def _remove_resource(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    resource = cop_resource(record, cop_member_account(record))
    rows = [Row(DELETE, "CommunityResource", **cop_scope(w))]
    url = f"/community-resources/{resource.id}/remove"
    return Sample(facilitator, url, _shown(resource), rows)


# Research needs


def research_need(of: Community) -> ResearchNeed:
    record = ResearchNeed(
        community_id=of.id,
        question=f"What helps people stay at home after a fall? {_n()}",
        raised_by="Sam",
        raised_by_group=StakeholderGroup.CARER,
    )
    _saved(record)
    return record


def _need_data(question: str) -> dict[str, Any]:
    return {
        "question": question,
        "background": "Three carers said the same at the last meeting.",
        "raised_by": "Sam",
        "raised_by_group": "carer",
        "shared_by": "4",
    }


@sample("research.new")
def _new_need(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    data = _need_data("What helps people stay at home after a fall?") | {"meeting_id": ""}
    rows = [Row(CREATE, "ResearchNeed", **cop_scope(w))]
    url = f"/communities/{record.id}/research-needs/new"
    return Sample(cop_member_account(record), url, data, rows)


@sample("research.from_cycle")
def _need_from_cycle(w: SimpleNamespace) -> Sample:
    """A team member (in no community) sends it to a community of the team's collaborative."""
    record, _ = community(w)
    tested = cycle(w.team_a, Stage.STUDY)
    data = _need_data("Do night checks help people with dementia?")
    data["community_id"] = str(record.id)
    rows = [Row(CREATE, "ResearchNeed", **cop_scope(w))]
    return Sample(w.member_a, f"/cycles/{tested.id}/research-need", data, rows)


@sample("research.edit")
def _edit_need(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    need = research_need(record)
    data = _need_data(need.question) | {
        "meeting_id": "",
        "status": "taken_up",
        "response": "Taken up by the University of Kent.",
        "version": str(need.version),
    }
    rows = [Row(UPDATE, "ResearchNeed", **cop_scope(w))]
    return Sample(facilitator, f"/research-needs/{need.id}/edit", data, rows)


@sample("research.remove")
def _remove_need(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    need = research_need(record)
    rows = [Row(DELETE, "ResearchNeed", **cop_scope(w))]
    return Sample(facilitator, f"/research-needs/{need.id}/remove", _shown(need), rows)


@sample("research.vote")
def _vote_for_need(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    need = research_need(record)
    rows = [Row(CREATE, "ResearchNeedVote", **cop_scope(w))]
    url = f"/research-needs/{need.id}/vote"
    return Sample(cop_member_account(record), url, {"stakeholder_group": "carer"}, rows)


@sample("research.take_back_vote")
def _take_back_vote(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    need = research_need(record)
    voter = cop_member_account(record)
    _saved(
        ResearchNeedVote(
            need_id=need.id, user_id=voter.id, stakeholder_group=StakeholderGroup.CARER
        )
    )
    rows = [Row(DELETE, "ResearchNeedVote", **cop_scope(w))]
    return Sample(voter, f"/research-needs/{need.id}/vote/remove", {}, rows)


# A community's evaluation


def _answers(comment: str) -> dict[str, Any]:
    return {
        "listened_to": "yes",
        "learned_something": "partly",
        "will_use": "yes",
        "comment": comment,
        "stakeholder_group": "carer",
    }


@sample("community_feedback.give")
def _give_feedback(w: SimpleNamespace) -> Sample:
    record, _ = community(w)
    meeting = cop_meeting(record)
    rows = [Row(CREATE, "MeetingFeedback", **cop_scope(w))]
    url = f"/community-meetings/{meeting.id}/feedback"
    return Sample(cop_member_account(record), url, _answers("Felt welcome."), rows)


@sample("community_feedback.paper")
def _paper_feedback(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    meeting = cop_meeting(record)
    rows = [Row(CREATE, "MeetingFeedback", **cop_scope(w))]
    url = f"/community-meetings/{meeting.id}/feedback/paper"
    return Sample(facilitator, url, _answers("Good to meet other carers."), rows)


def evaluation_note(of: Community) -> EvaluationNote:
    record = EvaluationNote(
        community_id=of.id,
        title=f"Interviews after the first year {_n()}",
        written_on=date(2026, 6, 1),
        interviews=4,
        findings="People felt listened to.",
    )
    _saved(record)
    return record


def _note_data(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "written_on": day_parts(TODAY),
        "interviews": "21",
        "who_was_interviewed": "6 carers, 4 people who draw on care, 11 practitioners",
        "findings": "People valued feeling listened to.",
    }


@sample("community_feedback.add_note")
def _add_note(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    rows = [Row(CREATE, "EvaluationNote", **cop_scope(w))]
    url = f"/communities/{record.id}/evaluation/notes/new"
    return Sample(facilitator, url, _note_data("Interviews after the first year"), rows)


@sample("community_feedback.edit_note")
def _edit_note(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    note = evaluation_note(record)
    data = _note_data("Interviews after a year and a half") | _shown(note)
    rows = [Row(UPDATE, "EvaluationNote", **cop_scope(w))]
    return Sample(facilitator, f"/evaluation-notes/{note.id}/edit", data, rows)


@sample("community_feedback.remove_note")
def _remove_note(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    note = evaluation_note(record)
    rows = [Row(DELETE, "EvaluationNote", **cop_scope(w))]
    return Sample(facilitator, f"/evaluation-notes/{note.id}/remove", _shown(note), rows)


# Priority rounds: collaborative X's, run by its coordinator (one sample runs a community's)


def priority_round(w: SimpleNamespace, stage: RoundStage, **fields: Any) -> PriorityRound:
    values: dict[str, Any] = {
        "collaborative_id": w.x.id,
        "title": f"Our priorities for 2027 {_n()}",
        "question": "What should we work on together next year?",
        "stage": stage,
        "voting_method": VotingMethod.DOTS,
    }
    record = PriorityRound(**(values | fields))
    _saved(record)
    return record


def priority_theme(of: PriorityRound, position: int = 0) -> PriorityTheme:
    record = PriorityTheme(round_id=of.id, name=f"Transport {_n()}", position=position)
    _saved(record)
    return record


def priority_idea(of: PriorityRound, by: User | None = None) -> PriorityIdea:
    """Sent in online by `by` (named), or typed in from the event."""
    record = PriorityIdea(
        round_id=of.id,
        text=f"Lifts to clinics {_n()}",
        stakeholder_group=StakeholderGroup.EXPERT_BY_EXPERIENCE,
        source=IdeaSource.ONLINE if by else IdeaSource.EVENT,
        is_anonymous=by is None,
        submitted_by_id=by.id if by else None,
    )
    _saved(record)
    return record


def _round_data(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "question": "What should we work on together next year?",
        "event_name": "Spring learning event",
        "event_on": ["14", "3", "2027"],
        "voting_method": "dots",
        "dots_per_person": "5",
        "max_dots_per_theme": "3",
        "ranks_per_person": "3",
    }


@sample("priorities.new_collaborative_round")
def _new_collaborative_round(w: SimpleNamespace) -> Sample:
    rows = [Row(CREATE, "PriorityRound", **collaborative_scope(w.x))]
    url = f"/collaboratives/{w.x.id}/priorities/new"
    return Sample(w.coordinator_x, url, _round_data("Our priorities for 2027"), rows)


@sample("priorities.new_community_round")
def _new_community_round(w: SimpleNamespace) -> Sample:
    record, facilitator = community(w)
    rows = [Row(CREATE, "PriorityRound", **cop_scope(w))]  # filed under its collaborative
    url = f"/communities/{record.id}/priorities/new"
    return Sample(facilitator, url, _round_data("What we take on next"), rows)


@sample("priorities.edit")
def _edit_round(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.COLLECTING)
    data = _round_data("Our priorities for 2028") | _shown(record)
    rows = [Row(UPDATE, "PriorityRound", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-rounds/{record.id}/edit", data, rows)


@sample("priorities.stage")
def _move_stage(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.COLLECTING)
    data = {"to": "theming"} | _shown(record)
    rows = [Row(UPDATE, "PriorityRound", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-rounds/{record.id}/stage", data, rows)


@sample("priorities.add_idea")
def _add_priority_idea(w: SimpleNamespace) -> Sample:
    """The first idea: the person joins the round in their group (sent with their name: an
    anonymous idea's rows name nobody)."""
    record = priority_round(w, RoundStage.COLLECTING)
    data = {"text": "Lifts to clinics", "group": "expert_by_experience"}
    scope = collaborative_scope(w.x)
    rows = [Row(CREATE, "RoundParticipant", **scope), Row(CREATE, "PriorityIdea", **scope)]
    return Sample(w.expert_a, f"/priority-rounds/{record.id}/ideas", data, rows)


@sample("priorities.edit_idea")
def _edit_priority_idea(w: SimpleNamespace) -> Sample:
    record = priority_idea(priority_round(w, RoundStage.COLLECTING), w.member_a)
    data = {"text": "Buses to clinics"} | _shown(record)
    rows = [Row(UPDATE, "PriorityIdea", **collaborative_scope(w.x))]
    return Sample(w.member_a, f"/priority-ideas/{record.id}/edit", data, rows)


@sample("priorities.withdraw_idea")
def _withdraw_priority_idea(w: SimpleNamespace) -> Sample:
    record = priority_idea(priority_round(w, RoundStage.COLLECTING), w.member_a)
    rows = [Row(DELETE, "PriorityIdea", **collaborative_scope(w.x))]
    return Sample(w.member_a, f"/priority-ideas/{record.id}/withdraw", _shown(record), rows)


@sample("priorities.event_ideas")
def _event_idea(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.COLLECTING)
    data = {"text": "More respite for carers", "stakeholder_group": "carer"}
    rows = [Row(CREATE, "PriorityIdea", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-rounds/{record.id}/event-ideas", data, rows)


@sample("priorities.themes")
def _add_priority_theme(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.THEMING)
    data = {"name": "Respite", "description": "Breaks for carers"}
    rows = [Row(CREATE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-rounds/{record.id}/themes", data, rows)


@sample("priorities.move_idea")
def _move_priority_idea(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.THEMING)
    into = priority_theme(record)
    moved = priority_idea(record)
    data = {"theme": str(into.id)} | _shown(moved)
    rows = [Row(UPDATE, "PriorityIdea", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-ideas/{moved.id}/theme", data, rows)


@sample("priorities.edit_theme")
def _edit_priority_theme(w: SimpleNamespace) -> Sample:
    theme = priority_theme(priority_round(w, RoundStage.THEMING))
    data = {"name": f"Getting about {_n()}", "description": "Buses and lifts"} | _shown(theme)
    rows = [Row(UPDATE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/edit", data, rows)


@sample("priorities.merge_theme")
def _merge_priority_theme(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.THEMING)
    theme, into = priority_theme(record, 0), priority_theme(record, 1)
    data = {"into": str(into.id)} | _shown(theme)
    rows = [Row(DELETE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/merge", data, rows)


@sample("priorities.reorder_theme")
def _reorder_priority_theme(w: SimpleNamespace) -> Sample:
    record = priority_round(w, RoundStage.THEMING)
    priority_theme(record, 0)
    second = priority_theme(record, 1)
    rows = [Row(UPDATE, "PriorityTheme", **collaborative_scope(w.x))] * 2  # the two swap places
    url = f"/priority-themes/{second.id}/position"
    return Sample(w.coordinator_x, url, {"direction": "up"}, rows)


@sample("priorities.delete_theme")
def _delete_priority_theme(w: SimpleNamespace) -> Sample:
    theme = priority_theme(priority_round(w, RoundStage.THEMING))
    rows = [Row(DELETE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/delete", _shown(theme), rows)


@sample("priorities.vote")
def _priority_vote(w: SimpleNamespace) -> Sample:
    """A first vote: the person joins in their group, then their dots are saved."""
    record = priority_round(w, RoundStage.VOTING)
    first, second = priority_theme(record, 0), priority_theme(record, 1)
    data = {f"theme_{first.id}": "2", f"theme_{second.id}": "1", "group": "carer"}
    scope = collaborative_scope(w.x)
    rows = [Row(CREATE, "RoundParticipant", **scope)] * 2  # joining, then the vote
    return Sample(w.expert_a, f"/priority-rounds/{record.id}/vote", data, rows)


@sample("priorities.count_dots")
def _count_dots(w: SimpleNamespace) -> Sample:
    """Saves nothing: counts the dots as the person types (htmx); a plain post goes to the
    voting page."""
    record = priority_round(w, RoundStage.VOTING)
    theme = priority_theme(record)
    url = f"/priority-rounds/{record.id}/vote/count"
    return Sample(w.expert_a, url, {f"theme_{theme.id}": "2"}, [])


@sample("priorities.start_community")
def _start_community(w: SimpleNamespace) -> Sample:
    theme = priority_theme(priority_round(w, RoundStage.CLOSED))
    data = {"name": f"Out and about {_n()}", "theme": theme.name, "description": ""}
    data |= {"group": "statutory_service"} | _shown(theme)
    scope = collaborative_scope(w.x)
    rows = [
        Row(CREATE, "Community", **scope),
        Row(CREATE, "CommunityMember", **scope),  # who started it facilitates it
        Row(UPDATE, "PriorityTheme", **scope),
    ]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/community", data, rows)


@sample("priorities.link_aim")
def _link_aim(w: SimpleNamespace) -> Sample:
    theme = priority_theme(priority_round(w, RoundStage.CLOSED))
    data = {"record": str(aim(w.team_a).id)} | _shown(theme)
    rows = [Row(UPDATE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/aim", data, rows)


@sample("priorities.link_measure")
def _link_measure(w: SimpleNamespace) -> Sample:
    theme = priority_theme(priority_round(w, RoundStage.CLOSED))
    data = {"record": str(measure(collaborative=w.x).id)} | _shown(theme)
    rows = [Row(UPDATE, "PriorityTheme", **collaborative_scope(w.x))]
    return Sample(w.coordinator_x, f"/priority-themes/{theme.id}/measure", data, rows)
