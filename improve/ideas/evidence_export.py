"""The panel's download of what the adopted changes rest on: a sheet of the XLSX summary, made
from the same result as the panel page and its print (improve.analysis.evidence)."""

from __future__ import annotations

import pandas as pd

from improve.analysis.evidence import KINDS, AdoptedEvidence
from improve.models import EvidenceKind
from improve.models.community import EVIDENCE_KIND_LABELS

LABELS = [EVIDENCE_KIND_LABELS[EvidenceKind(kind)] for kind in KINDS]
COLUMNS = ["Change", "Team", *LABELS, "Kinds of evidence"]


def adopted_frame(evidence: AdoptedEvidence, team_names: dict[int, str]) -> pd.DataFrame:
    """A first row with the sentence, one row per adopted change ("Yes"/"No" per kind), then
    a row counting the changes resting on each kind."""
    note = dict.fromkeys(COLUMNS, "") | {"Change": "Summary", "Team": evidence.sentence}
    rows = [note]
    for change in evidence.changes:
        named = [EVIDENCE_KIND_LABELS[EvidenceKind(kind)] for kind in change.kinds]
        rows.append(
            {
                "Change": change.title,
                "Team": team_names.get(change.team_id, ""),
                **{
                    label: "Yes" if kind in change.kinds else "No"
                    for kind, label in zip(KINDS, LABELS, strict=True)
                },
                "Kinds of evidence": ", ".join(named) or "None recorded yet",
            }
        )
    rows.append(
        {
            "Change": f"All adopted changes ({evidence.total})",
            "Team": "",
            **{
                label: f"{evidence.counts.get(kind, 0)} of {evidence.total}"
                for kind, label in zip(KINDS, LABELS, strict=True)
            },
            "Kinds of evidence": f"{evidence.without} with no evidence recorded",
        }
    )
    return pd.DataFrame(rows, columns=COLUMNS)
