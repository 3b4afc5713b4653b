"""Suggested codes: what the documentation supports (contract section 2), independent of the claim."""
from __future__ import annotations

import math

from .facts import Facts
from .lexicon import Lexicons

GUIDANCE_CODES = {"ultrasound": "76942", "fluoroscopy": "77002", "ct": "77012", "mri": "77021"}
TPI_CODES = ("20552", "20553")
NEEDLING_CODES = ("20560", "20561")


def jcode_for(drug, lex: Lexicons, date_of_service: str | None):
    """(code, units) for a documented drug with a dose, or None when it is not separately billable."""
    d = lex.drugs.get(drug.name)
    if d is None or drug.total_dose is None:
        return None
    code = d.code_for(date_of_service)
    if code is None:
        return None
    dose = float(drug.total_dose)
    if code.unit == "mg" and drug.dose_unit != "mg":
        return None
    if code.unit == "units" and drug.dose_unit != "units":
        return None
    return code.code, max(1, math.ceil(round(dose / code.per, 6)))


def suggest_codes(facts: Facts, lex: Lexicons, date_of_service: str | None = None) -> list[dict]:
    if facts.procedure is None:
        return []
    out = []
    n = facts.muscle_count or 0
    if n > 0:
        low, high = NEEDLING_CODES if facts.procedure == "dry_needling" else TPI_CODES
        out.append({"code": low if n <= 2 else high, "units": 1})
    if facts.imaging_guidance in GUIDANCE_CODES:
        out.append({"code": GUIDANCE_CODES[facts.imaging_guidance], "units": 1})
    for drug in facts.drugs:
        j = jcode_for(drug, lex, date_of_service)
        if j:
            out.append({"code": j[0], "units": j[1]})
    return out
