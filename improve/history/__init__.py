from flask import Blueprint

bp = Blueprint("history", __name__)

from improve.history import queries, views, wording  # noqa: E402, F401

# Every page shows times and audit rows the same way, so these are app-wide.
for _name, _filter in (
    ("time_ago", wording.time_ago),
    ("exact_utc", wording.exact_utc),
    ("iso_utc", wording.iso_utc),
    ("field_label", wording.field_label),
    ("audit_value", wording.audit_value),
    ("event_phrase", wording.event_phrase),
    ("entity_label", wording.entity_label),
    ("history_changes", wording.changed_fields),
    ("history_values", wording.recorded_values),
    ("point_sentences", wording.point_sentences),
):
    bp.add_app_template_filter(_filter, _name)
bp.add_app_template_global(queries.actor_names, "audit_actor_names")
