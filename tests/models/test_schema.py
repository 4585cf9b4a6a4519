"""The database itself refuses records that break the domain's rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from improve.extensions import db
from improve.models import (
    Aim,
    AimStatus,
    Assessor,
    AuditAction,
    AuditEvent,
    ChangeIdea,
    Cycle,
    DataPoint,
    Direction,
    Measure,
    MeasureType,
    Membership,
    ProgressScore,
    Ramp,
    Role,
    Stage,
    Team,
    ValueKind,
)


def _refused(record) -> None:
    db.session.add(record)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _aim(team: Team, **overrides) -> Aim:
    fields = dict(
        team_id=team.id,
        title="Fewer falls",
        what="Reduce falls",
        for_whom="Residents",
        location="Riverside",
        target_value=4,
        target_date=date(2026, 12, 31),
    )
    fields.update(overrides)
    return Aim(**fields)


def test_a_team_role_must_belong_to_a_team_and_a_coordinator_to_a_collaborative(
    make_user, make_team
):
    team = make_team()
    user = make_user()
    _refused(
        Membership(user_id=user.id, role=Role.TEAM_MEMBER, collaborative_id=team.collaborative_id)
    )
    _refused(Membership(user_id=user.id, role=Role.COORDINATOR, team_id=team.id))
    _refused(
        Membership(
            user_id=user.id,
            role=Role.COORDINATOR,
            team_id=team.id,
            collaborative_id=team.collaborative_id,
        )
    )


def test_one_role_per_person_per_team(make_user, make_team, grant):
    team = make_team()
    user = make_user()
    grant(user, Role.TEAM_MEMBER, team)
    _refused(Membership(user_id=user.id, role=Role.TEAM_LEAD, team_id=team.id))


def test_foreign_keys_are_enforced(make_collaborative):
    _refused(Team(collaborative_id=999_999, name="Ghost", organisation="Nobody"))


def test_an_aim_needs_a_numeric_target_and_a_date(make_team):
    team = make_team()
    _refused(_aim(team, target_value=None))
    _refused(_aim(team, target_date=None))


def test_a_stopped_aim_needs_a_reason(make_team):
    team = make_team()
    _refused(_aim(team, status=AimStatus.STOPPED, stopped_reason=""))
    db.session.add(_aim(team, status=AimStatus.STOPPED, stopped_reason="Service closed"))
    db.session.flush()


def _measure(team: Team) -> Measure:
    measure = Measure(
        collaborative_id=team.collaborative_id,
        team_id=team.id,
        name="Falls per month",
        measure_type=MeasureType.OUTCOME,
        value_kind=ValueKind.COUNT,
        direction=Direction.DECREASE,
    )
    db.session.add(measure)
    db.session.flush()
    return measure


def test_a_data_point_is_unique_per_measure_team_and_period(make_team):
    team = make_team()
    measure = _measure(team)
    period = date(2026, 3, 1)
    db.session.add(DataPoint(measure_id=measure.id, team_id=team.id, period_start=period, value=3))
    db.session.flush()
    _refused(DataPoint(measure_id=measure.id, team_id=team.id, period_start=period, value=4))


def test_an_excluded_point_needs_a_reason_and_a_denominator_must_be_positive(make_team):
    team = make_team()
    measure = _measure(team)
    _refused(
        DataPoint(
            measure_id=measure.id,
            team_id=team.id,
            period_start=date(2026, 4, 1),
            value=1,
            excluded=True,
        )
    )
    _refused(
        DataPoint(
            measure_id=measure.id,
            team_id=team.id,
            period_start=date(2026, 5, 1),
            value=1,
            denominator=0,
        )
    )


@pytest.mark.parametrize(
    ("score", "allowed"),
    [(0.5, True), (4.5, True), (5.0, True), (0.0, False), (0.75, False), (5.5, False)],
)
def test_progress_scores_are_on_the_half_point_scale(make_team, score, allowed):
    team = make_team()
    record = ProgressScore(
        team_id=team.id, period_start=date(2026, 3, 1), assessor=Assessor.SELF, score=score
    )
    if allowed:
        db.session.add(record)
        db.session.flush()
    else:
        _refused(record)


def test_a_cycle_closes_only_with_a_decision(make_team):
    team = make_team()
    aim = _aim(team)
    db.session.add(aim)
    db.session.flush()
    idea = ChangeIdea(aim_id=aim.id, title="Night-time checks")
    ramp = Ramp(change_idea=idea, title="Night-time checks")
    db.session.add_all([idea, ramp])
    db.session.flush()
    _refused(
        Cycle(
            team_id=team.id,
            ramp_id=ramp.id,
            number=1,
            title="First test",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 8),
            stage=Stage.CLOSED,
        )
    )


def test_timestamps_come_back_in_utc(make_team):
    team = make_team()
    db.session.expire_all()
    reloaded = db.session.get(Team, team.id)
    assert reloaded.created_at.tzinfo is not None
    assert reloaded.created_at.utcoffset() == UTC.utcoffset(None)


def test_a_stale_edit_is_refused_rather_than_overwriting(app, make_team):
    team = make_team(name="Original")
    other_session = sa.orm.Session(db.engine)
    try:
        theirs = other_session.get(Team, team.id)
        team.name = "Saved first"
        db.session.commit()
        theirs.name = "Saved second, from an old copy"
        with pytest.raises(StaleDataError):
            other_session.commit()
    finally:
        other_session.rollback()
        other_session.close()
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "Saved first"


def test_audit_rows_outlive_the_account_that_made_them(make_user):
    user = make_user()
    db.session.add(
        AuditEvent(
            actor_id=user.id, action=AuditAction.SIGN_IN, entity_type="User", entity_id=user.id
        )
    )
    db.session.commit()
    db.session.delete(user)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1
