"""Every model, importable from one place (and so known to Alembic's autogenerate)."""

from improve.models.aim import Aim, AimAssessment, AimStatus, ChangeIdea, Driver, DriverKind
from improve.models.audit import AuditAction, AuditEvent
from improve.models.base import Base, utcnow
from improve.models.collaborative import (
    COLLABORATIVE_ROLES,
    DEFAULT_PROGRESS_LABELS,
    TEAM_ROLES,
    Collaborative,
    CollaborativePhase,
    Membership,
    OrganisationKind,
    PhaseKind,
    ReportingCadence,
    Role,
    RunChartRules,
    SigmaMethod,
    Team,
)
from improve.models.comment import Comment
from improve.models.cycle import Cycle, CycleQuestion, CycleTask, Decision, Improved, Ramp, Stage
from improve.models.measure import (
    ChartType,
    DataPoint,
    Direction,
    Frequency,
    Measure,
    MeasureRevision,
    MeasureType,
    ValueKind,
)
from improve.models.report import (
    Assessor,
    Evaluation,
    MonthlyReport,
    PanelReview,
    ProgressScore,
    ReportStatus,
)
from improve.models.submission import UsedSubmission
from improve.models.throttle import SignInAttempt
from improve.models.user import User

__all__ = [
    "COLLABORATIVE_ROLES",
    "DEFAULT_PROGRESS_LABELS",
    "TEAM_ROLES",
    "Aim",
    "AimAssessment",
    "AimStatus",
    "Assessor",
    "AuditAction",
    "AuditEvent",
    "Base",
    "ChangeIdea",
    "ChartType",
    "Collaborative",
    "CollaborativePhase",
    "Comment",
    "Cycle",
    "CycleQuestion",
    "CycleTask",
    "DataPoint",
    "Decision",
    "Direction",
    "Driver",
    "DriverKind",
    "Evaluation",
    "Frequency",
    "Improved",
    "Measure",
    "MeasureRevision",
    "MeasureType",
    "Membership",
    "MonthlyReport",
    "OrganisationKind",
    "PanelReview",
    "PhaseKind",
    "ProgressScore",
    "Ramp",
    "ReportStatus",
    "ReportingCadence",
    "Role",
    "RunChartRules",
    "SigmaMethod",
    "SignInAttempt",
    "Stage",
    "Team",
    "UsedSubmission",
    "User",
    "ValueKind",
    "utcnow",
]
