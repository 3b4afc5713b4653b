"""Provider queries following AHIMA/ACDIS compliant query practice (policy-research section 8).

Wording lives in policies/queries.json so a CDI lead can edit it. A query quotes the clinical
indicators from the note, asks open-ended or multiple-choice questions that always offer
"Other (please specify)" and "Unable to determine", and never mentions codes, payment or payer limits.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .errors import PolicyError
from .resources import data_dir, load_json

FORBIDDEN = re.compile(r"\b(\d{5}|J\d{4}|CPT|HCPCS|payment|reimburse\w*|paid|payer|denial|Medicare|Aetna|limit)\b", re.I)


@lru_cache(maxsize=4)
def load_templates(directory: str | None = None) -> dict:
    path = Path(directory or data_dir("policies")) / "queries.json"
    data = load_json(path)
    templates = data.get("queries")
    if not isinstance(templates, dict):
        raise PolicyError(f"{path.name}: expected an object 'queries' keyed by rule id")
    for rid, t in templates.items():
        if set(t) - {"question", "options"} or "question" not in t:
            raise PolicyError(f"{path.name}: queries.{rid} takes 'question' and optional 'options'")
        text = t["question"] + " " + " ".join(t.get("options") or [])
        if FORBIDDEN.search(text):
            raise PolicyError(f"{path.name}: queries.{rid} mentions codes, payment or payers (non-compliant)")
    return templates


def render_query(rule_id: str, ctx, evidence) -> str | None:
    t = load_templates().get(rule_id)
    if not t:
        return None
    lines = []
    quotes = [f'"{e.text.strip()}"' for e in evidence if e is not None and e.text.strip()][:4]
    if quotes:
        lines.append("Clinical indicators in the record: " + "; ".join(quotes) + ".")
    lines.append(t["question"])
    opts = list(t.get("options") or [])
    if opts:
        for o in opts + ["Other (please specify)", "Unable to determine"]:
            lines.append(f"[ ] {o}")
    return "\n".join(lines)
