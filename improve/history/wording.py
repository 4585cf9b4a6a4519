"""Audit rows and timestamps in plain words: relative times, field labels, values, event phrases.

Pure functions (no database, no Flask), registered as template filters in improve.history.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from improve.models import AuditAction, AuditEvent
from improve.models.collaborative import ORGANISATION_KIND_LABELS, PHASE_LABELS, ROLE_LABELS
from improve.models.measure import period_words

# What each kind of record is called on screen, after "the" or "a".
ENTITY_LABELS = {
    "Aim": "aim",
    "AimAssessment": "assessment",
    "Driver": "driver",
    "ChangeIdea": "change idea",
    "Cycle": "PDSA cycle",
    "CycleQuestion": "cycle question",
    "CycleTask": "cycle task",
    "Comment": "comment",
    "ExpertView": "expert by experience's view",
    "Team": "team",
    "Collaborative": "collaborative",
    "Membership": "role",
    "User": "account",
    "Measure": "measure",
    "MeasureRevision": "earlier definition",
    "DataPoint": "data point",
    "CollaborativePhase": "phase",
    "MonthlyReport": "monthly report",
    "ProgressScore": "progress score",
    "PanelReview": "panel review",
    "Evaluation": "evaluation",
    "PanelAction": "panel action",
    "IdeaEvidence": "evidence",
    "Community": "community of practice",
    "CommunityMember": "community member",
    "CommunityMeeting": "community meeting",
    "CommunityAction": "community action",
    "CommunityResource": "shared resource",
    "MeetingFeedback": "meeting feedback",
    "EvaluationNote": "evaluation note",
    "ResearchNeed": "research need",
    "ResearchNeedVote": "vote for a research need",
    "PriorityRound": "priority round",
    "PriorityTheme": "priority theme",
    "PriorityIdea": "priority idea",
    "PriorityVote": "priority vote",
    "RoundParticipant": "round participant",
}

# Column names as people would say them. Anything missing falls back to the column name with
# underscores as spaces, so a new column is never hidden, just less polished.
FIELD_LABELS = {
    # aims
    "what": "What",
    "for_whom": "For whom",
    "location": "Where",
    "unit": "Unit",
    "baseline_value": "Baseline",
    "target_value": "Target",
    "target_date": "Target date",
    "target_trajectory": "Target reached step by step",
    "stopped_reason": "Reason for stopping",
    "assessed_on": "Date of assessment",
    "where_are_we_now": "Where are we now?",
    "what_do_we_want_to_achieve": "What do we want to achieve?",
    "how_will_we_get_there": "How will we get there?",
    "who_needs_to_act": "Who needs to take what action?",
    "timescales": "Timescales",
    "learning_points": "Learning points",
    "action_points": "Action points",
    "kind": "Kind",
    "position": "Order",
    "driver_id": "Driver",
    "copied_from_id": "Copied from",
    # cycles
    "number": "Cycle number",
    "owner_id": "Owner",
    "starts_on": "Start date",
    "ends_on": "End date",
    "start_time": "Start time",
    "end_time": "End time",
    "calendar_link": "Private calendar link",
    "stage": "Stage",
    "objective": "Objective (what we want to learn)",
    "change_who": "Who",
    "change_what": "What we will change",
    "change_where": "Where",
    "change_when": "When",
    "data_plan": "How we will collect data",
    "data_collected_by": "Who collects the data",
    "expert_what_matters": "What matters to me",  # before views were signed (migration 0007)
    "carried_out_as_planned": "Carried out as planned?",
    "what_happened": "What happened",
    "problems_and_surprises": "Problems and surprises",
    "improved": "Did the change lead to improvement?",
    "why_improved": "Why we think so",
    "expert_difference": "Did this make a difference to me?",
    "decision": "Decision",
    "next_steps": "What next",
    "closed_at": "Closed",
    "question": "Question",
    "prediction": "Prediction",
    "result": "What actually happened",
    "learning": "What we learned",
    "owner_name": "Who",
    "due_on": "Due date",
    "done_at": "Done",
    # comments
    "body": "Comment",
    "edited_at": "Edited",
    "deleted_at": "Deleted",
    # teams, collaboratives, people
    "organisation": "Organisation",
    "organisation_kind": "Kind of organisation",
    "service": "Service",
    "collaborative_id": "Collaborative",
    "team_id": "Team",
    "user_id": "Person",
    "role": "Role",
    "display_name": "Name",
    "email": "Email address",
    "is_admin": "Site admin",
    "is_enabled": "Can sign in",
    "description": "Description",
    "topic": "Topic",
    "run_chart_rules": "Run chart rules",
    "sigma_method": "Control limits worked out by",
    "shift_length": "Points in a row for a shift",
    "trend_length": "Points in a row for a trend",
    "stall_weeks": "Weeks without news before a team is stalled",
    "suppression_threshold": "Smallest number shown",
    "reporting_cadence": "How often teams report",
    "report_due_day": "Reports due on day",
    # drivers and ideas
    "title": "Title",
    "name": "Name",
    "fed_by": "Feeds the primary drivers",
    "driver": "Driver",
    "copied_from_team": "Copied from team",
    "cycle_id": "PDSA cycle",
    "ramp_id": "Ramp",
    "notes": "Notes",
    # measures and data points
    "measure_type": "Kind of measure",
    "operational_definition": "What exactly is counted",
    "numerator_definition": "Top number",
    "denominator_definition": "Bottom number",
    "inclusions": "Included",
    "exclusions": "Left out",
    "data_source": "Where the numbers come from",
    "collected_by": "Who collects them",
    "frequency": "How often",
    "value_kind": "What each number is",
    "multiplier": "Rates multiplied by",
    "direction": "Which way is better",
    "baseline_start": "Baseline starts",
    "baseline_end": "Baseline ends",
    "chart_type": "Chart",
    "freeze_points": "Baseline points",
    "effective_from": "Applies from",
    "reason": "Reason",
    "linked_measure_ids": "Shared measures",
    "measure_id": "Measure",
    "period_start": "Period",
    "value": "Value",
    "denominator": "Out of",
    "note": "Note",
    "excluded": "Left out",
    "exclusion_reason": "Why it is left out",
    "starts_new_phase": "Starts a new phase",
    "phase_reason": "What changed",
    # reports and the panel
    "achievements": "Achievements",
    "barriers": "Barriers",
    "self_score": "Team's own score",
    "suggested_score": "Suggested score",
    "score": "Score",
    "justification": "Why this score",
    "suggestions": "Suggestions",
    "report_id": "Report",
    "revision": "Version",
    "supersedes_id": "Corrects",
    "reviewed_on": "Date of review",
    "decisions": "Decisions",
    "actions": "Actions",
    "organisational_changes": "Changes in the organisations",
    "outcomes_achieved": "Outcomes achieved",
    "did_the_method_work": "Did the method work?",
    "remaining_gaps": "Gaps that remain",
    "what_next_with_learning": "What next with the learning",
}

# Fields that hold the id of another record (or a list of them), by what that record is called:
# shown as its name (improve.history.queries.records_named_in), never as a number.
REFERENCE_FIELDS = {
    "owner_id": "person",
    "user_id": "person",
    "author_id": "person",
    "created_by_id": "person",
    "team_id": "team",
    "collaborative_id": "collaborative",
    "driver_id": "driver",
    "fed_by": "driver",
    "copied_from_id": "change idea",
    "cycle_id": "PDSA cycle",
    "ramp_id": "ramp",
    "measure_id": "measure",
    "linked_measure_ids": "measure",
    "report_id": "monthly report",
    "supersedes_id": "monthly report",
}

# Values of code fields as the forms put them, where "not_sure" -> "Not sure" is not enough.
CODE_LABELS: dict[str, dict[str, str]] = {
    "role": {str(role): label for role, label in ROLE_LABELS.items()},
    "organisation_kind": {str(kind): label for kind, label in ORGANISATION_KIND_LABELS.items()},
    "kind": {str(kind): label for kind, label in PHASE_LABELS.items()}
    | {"primary": "Primary driver", "secondary": "Secondary driver"},
    "frequency": {"weekly": "Every week", "monthly": "Every month"},
    "value_kind": {
        "continuous": "A measurement",
        "count": "A count of events",
        "proportion": "Some out of a total",
        "rate": "Events per amount of time or care",
        "events": "The date of each event",
    },
    "direction": {
        "increase": "Higher is better",
        "decrease": "Lower is better",
        "neutral": "Neither: we only watch it",
    },
    "chart_type": {
        "run": "Run chart",
        "i": "I chart",
        "mr": "Moving range chart",
        "c": "c chart",
        "p": "p chart",
        "u": "u chart",
        "g": "g chart (days between events)",
        "t": "t chart (time between events)",
    },
    "run_chart_rules": {"anhoej": "Anhøj rules", "ihi": "IHI rules"},
    "sigma_method": {"classic": "Average moving range / 1.128", "nhs": "NHS Making Data Count"},
    "reporting_cadence": {
        "monthly": "Every month",
        "fortnightly": "Every two weeks",
        "quarterly": "Every three months",
    },
    "stage": {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "closed": "Closed"},
    "decision": {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"},
    "improved": {"yes": "Yes", "no": "No", "not_sure": "Not sure"},
}

# Fields whose values are enum codes like "not_sure": shown as "Not sure".
CODE_FIELDS = frozenset(
    {
        "status",
        "stage",
        "frequency",
        "value_kind",
        "direction",
        "chart_type",
        "measure_type",
        "decision",
        "improved",
        "kind",
        "role",
        "organisation_kind",
        "run_chart_rules",
        "sigma_method",
        "reporting_cadence",
    }
)
# Fields that hold a person's account id; their values are shown as names.
PERSON_FIELDS = frozenset(key for key, kind in REFERENCE_FIELDS.items() if kind == "person")

VERBS = {AuditAction.CREATE: "added", AuditAction.UPDATE: "changed", AuditAction.DELETE: "deleted"}
NAME_FIELDS = ("title", "name", "display_name")
EMPTY = "(empty)"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Clock times, saved as "10:00:00": shown as the 24-hour clock without seconds, "10:00".
TIME_FIELDS = frozenset({"start_time", "end_time"})
_ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


#: Where a column means something else on one kind of record: an expert's view is not a comment.
ENTITY_FIELD_LABELS = {
    ("ExpertView", "body"): "Their view",
    ("ExpertView", "kind"): "Question answered",
}


def field_label(name: str, entity_type: str | None = None) -> str:
    """The plain label of a column: for this kind of record, else from FIELD_LABELS, else
    "target_value" -> "Target value"."""
    own = ENTITY_FIELD_LABELS.get((entity_type or "", name))
    return own or FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def entity_label(entity_type: str) -> str:
    return ENTITY_LABELS.get(entity_type, entity_type.lower())


def exact_utc(moment: datetime) -> str:
    """Like "27 March 2026 at 14:05 UTC"."""
    return moment.astimezone(UTC).strftime("%-d %B %Y at %H:%M UTC")


def iso_utc(moment: datetime) -> str:
    """The machine-readable form for <time datetime>."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in words a person would use: "just now", "5 minutes ago", "2 days ago"."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    # A moment slightly in the future (clocks differ) still reads as "just now".
    for limit, size, unit in (
        (60 * 60, 60, "minute"),
        (24 * 60 * 60, 60 * 60, "hour"),
        (30 * 24 * 60 * 60, 24 * 60 * 60, "day"),
        (365 * 24 * 60 * 60, 30 * 24 * 60 * 60, "month"),
        (float("inf"), 365 * 24 * 60 * 60, "year"),
    ):
        if seconds < limit:
            count = int(seconds // size)
            if count < 1:
                return "just now"
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    raise AssertionError("unreachable")  # pragma: no cover


def audit_value(
    value: Any,
    field: str = "",
    names: dict[int, str] | None = None,
    records: dict[str, dict[int, str]] | None = None,
) -> str:
    """One before/after value of an audit row as a person would read it: names for ids (people
    from `names`, other records from `records` by kind), labels for codes, dates in words."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in REFERENCE_FIELDS:
        return _reference(value, REFERENCE_FIELDS[field], names or {}, records or {})
    if isinstance(value, datetime):
        return exact_utc(value)
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, list):
        return ", ".join(audit_value(item, field) for item in value)
    if isinstance(value, str):
        if field in CODE_FIELDS:
            labels = CODE_LABELS.get(field, {})
            return labels.get(value) or value.replace("_", " ").capitalize()
        if field in TIME_FIELDS and _ISO_TIME.match(value):
            return value[:5]
        if _ISO_DATE.match(value):
            return date.fromisoformat(value).strftime("%-d %B %Y")
        if _ISO_DATETIME.match(value):
            try:
                return exact_utc(datetime.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


def _reference(
    value: Any, kind: str, names: dict[int, str], records: dict[str, dict[int, str]]
) -> str:
    ids = value if isinstance(value, list) else [value]
    known = names if kind == "person" else records.get(kind, {})
    gone = "A removed account" if kind == "person" else f"A {kind} that is no longer here"
    if kind == "monthly report":
        gone = "An earlier monthly report"  # reports have no name; never show their number
    words = [known.get(item, gone) if isinstance(item, int) else gone for item in ids]
    return ", ".join(words) or EMPTY


def record_name(event: AuditEvent) -> str | None:
    """The record's own title or name, if this row's before/after carry one."""
    for values in (event.after, event.before):
        for key in NAME_FIELDS:
            if values and isinstance(values.get(key), str) and values[key].strip():
                return str(values[key])
    return None


def event_phrase(event: AuditEvent) -> str:
    """What happened, to follow the actor's name: 'changed the aim "Fewer falls"'."""
    verb = VERBS.get(event.action, event.action.value.replace("_", " "))
    name = record_name(event)
    if name:
        return f"{verb} the {entity_label(event.entity_type)} “{name}”"
    if event.summary:
        # Summaries are written as sentences ("Added Jo as Team lead"); continue the actor's name.
        summary = event.summary
        return summary[:1].lower() + summary[1:] if summary[1:2].islower() else summary
    article = "an" if entity_label(event.entity_type)[:1] in "aeiou" else "a"
    return f"{verb} {article} {entity_label(event.entity_type)}"


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """For an update, (field, before, after) for each field whose value differs."""
    before, after = event.before or {}, event.after or {}
    names = list(before) + [name for name in after if name not in before]
    return [
        (name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


def recorded_values(event: AuditEvent) -> list[tuple[str, Any]]:
    """For a create or delete, the values the row recorded (after a create, before a delete)."""
    values = event.after if event.action == AuditAction.CREATE else event.before
    return list((values or {}).items())


def _number(value: Any) -> str:
    return audit_value(value) if value is not None else EMPTY


def _quoted(value: Any) -> str:
    return f"“{value}”" if value else EMPTY


def point_sentences(event: AuditEvent, frequency: str) -> list[str]:
    """What happened to one period's data point, in sentences: "Value for week of 3 August 2026
    changed from 12 to 14". One per change; the actor and time are said beside them."""
    after, before = event.after or {}, event.before or {}
    period = event.period_start or _date(after.get("period_start") or before.get("period_start"))
    when = period_words(period, frequency) if period else "a period"
    if event.action == AuditAction.DELETE:
        return [f"Value for {when} ({_number(before.get('value'))}) deleted"]
    if event.action == AuditAction.CREATE:
        out_of = after.get("denominator")
        entered = f"Value for {when} entered: {_number(after.get('value'))}"
        sentences = [entered + (f" out of {_number(out_of)}" if out_of is not None else "")]
        if after.get("note"):
            sentences.append(f"Note for {when}: {_quoted(after['note'])}")
        sentences += _flag_sentences(when, after, [flag for flag in FLAGS if after.get(flag)])
        return sentences
    changes = {name: (old, new) for name, old, new in changed_fields(event)}
    sentences = []
    for name, label in (("value", "Value"), ("denominator", "“Out of”")):
        if name in changes:
            old, new = changes[name]
            sentences.append(f"{label} for {when} changed from {_number(old)} to {_number(new)}")
    if "note" in changes:
        old, new = changes["note"]
        sentences.append(f"Note for {when} changed from {_quoted(old)} to {_quoted(new)}")
    sentences += _flag_sentences(when, after, [flag for flag in FLAGS if flag in changes])
    for flag, (reason, label) in FLAGS.items():
        if reason in changes and flag not in changes:
            old, new = changes[reason]
            sentences.append(f"{label} {when} changed from {_quoted(old)} to {_quoted(new)}")
    return sentences or [f"{when[:1].upper()}{when[1:]} saved with no change"]


# A data point's flags, each with its reason field and how a change of that reason is said.
FLAGS = {
    "excluded": ("exclusion_reason", "Why we left out"),
    "starts_new_phase": ("phase_reason", "What changed at the new phase of"),
}


def _flag_sentences(when: str, values: dict[str, Any], flags: Any) -> list[str]:
    sentences = []
    period = f"{when[:1].upper()}{when[1:]}"
    for flag in flags:
        reason = values.get(FLAGS[flag][0]) or ""
        if flag == "excluded":
            sentence = (
                f"{period} left out of the centre line and limits"
                if values.get(flag)
                else f"{period} put back into the centre line and limits"
            )
        else:
            sentence = (
                f"{period} starts a new phase"
                if values.get(flag)
                else f"{period} no longer starts a new phase"
            )
        sentences.append(f"{sentence}: {reason}" if values.get(flag) and reason else sentence)
    return sentences


def _date(value: Any) -> date | None:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)
    return None
