import sqlalchemy as sa

from improve.auditing import update_audited
from improve.extensions import db
from improve.models import AuditAction, AuditEvent, OrganisationKind


def _audit_rows() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def test_an_update_records_only_the_fields_that_changed(make_team, make_user):
    actor = make_user()
    team = make_team(name="Old name", organisation="Same organisation")

    changed = update_audited(
        actor.id,
        team,
        ("name", "organisation", "organisation_kind"),
        {
            "name": "New name",
            "organisation": "Same organisation",
            "organisation_kind": OrganisationKind.CARE_HOME,
        },
        summary="Changed team",
        team_id=team.id,
    )
    db.session.commit()

    assert changed
    [row] = _audit_rows()
    assert row.action == AuditAction.UPDATE
    assert (row.actor_id, row.entity_type, row.entity_id, row.team_id) == (
        actor.id,
        "Team",
        team.id,
        team.id,
    )
    assert row.before == {"name": "Old name", "organisation_kind": "other"}
    assert row.after == {"name": "New name", "organisation_kind": "care_home"}


def test_saving_without_changes_writes_no_audit_row(make_team, make_user):
    team = make_team(name="Unchanged")
    assert not update_audited(make_user().id, team, ("name",), {"name": "Unchanged"}, "x")
    db.session.commit()
    assert _audit_rows() == []
