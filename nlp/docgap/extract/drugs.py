"""Injectates of the session with total dose (per-point dose x points, mL x concentration)."""
from __future__ import annotations

import math
import re

from ..facts import DrugFact
from ..lexicon import Lexicons
from .note import INJECTION_CUE, NUM, Mention, NoteView, to_number
from .procedure import sentence_is_planning

DOSE = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|{NUM})\s*(?P<unit>mg|milligrams?|mL|ml|cc|cc's|ccs|cm3|units?|U|IU)\b(?!\s*/)"
    rf"|(?P<conc>\d+(?:\.\d+)?)\s*mg\s*/\s*(?:mL|ml|cc)",
    re.I)
EACH = re.compile(rf"^\s*(?:[\w%.+/-]+\s+){{0,4}}?(?:at|in|into|to|per|for)?\s*(?:each|every)\b(?:\s+of\s+(?:the\s+)?({NUM}))?|^\s*(?:[\w%.+/-]+\s+){{0,4}}?per\s+(?:trigger\s+)?(?:point|site|injection|TP|TrP|muscle)\b", re.I)
SUBJECTIVE = {"history_of_present_illness", "past_medical_history", "medications", "review_of_systems", "plan"}


INJECTATE_CUE = re.compile(r"\b(mixture|mixed|solution|combination|injectate|used|drawn|syringe|cocktail|each|per "
                           r"(?:site|point)|total|divided)\b|\+", re.I)


def _session_drug(view: NoteView, m: Mention) -> bool:
    if m.has("HYPOTHETICAL", "HISTORICAL", "NEGATED_EXISTENCE", "DECLINED"):
        return False
    s = m.sent
    if s.section == "plan":
        if sentence_is_planning(view, s):
            return False
    elif s.section in SUBJECTIVE:
        # a medication list is not the injectate, unless the line describes the injected solution
        if not (s.section == "medications" and INJECTATE_CUE.search(s.text) and DOSE.search(s.text)
                and not re.search(r"\b(daily|bid|tid|qid|qhs|prn|po|tabs?|tablets?|caps?)\b", s.text, re.I)):
            return False
    if s.section == "procedure" or INJECTION_CUE.search(s.text) or INJECTATE_CUE.search(s.text):
        return True
    return bool(DOSE.search(s.text)) and s.section in (None, "physical_exam", "assessment", "indication", "plan")


def extract_drugs(view: NoteView, lex: Lexicons, injection_count: int | None) -> list[DrugFact]:
    mentions = [m for m in view.of("DRUG") if _session_drug(view, m)]
    if not mentions:
        return []
    # assign every dose expression of a sentence to its nearest drug mention in that sentence
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent.index, []).append(m)
    assigned: dict[int, list[tuple[re.Match, int]]] = {id(m): [] for m in mentions}
    for idx, ms in by_sent.items():
        s = ms[0].sent
        for d in DOSE.finditer(s.text):
            ds, de = s.start + d.start(), s.start + d.end()
            best, best_dist = None, 10 ** 9
            for m in ms:
                if de <= m.start:
                    between = view.text[de:m.start]
                    dist = len(between)
                    if re.search(r"[;,+]|\band\b|\bwith\b", between):
                        dist += 60
                else:
                    between = view.text[m.end:ds]
                    dist = len(between) + 5
                    if re.search(r"[;]|\band\b", between):
                        dist += 60
                if any(o is not m and (min(de, m.start) <= o.start < max(ds, m.end)) for o in ms):
                    dist += 200
                if dist < best_dist:
                    best, best_dist = m, dist
            if best is not None and best_dist < 90:
                assigned[id(best)].append((d, s.start))
    out: dict[str, DrugFact] = {}
    for m in mentions:
        drug = lex.drug(m.value)
        mg = ml = units = conc = None
        multiplier = 1
        for d, base in assigned[id(m)]:
            if d.group("conc"):
                conc = float(d.group("conc"))
                continue
            n = to_number(d.group("num"))
            if n is None:
                continue
            unit = d.group("unit").lower()
            tail = view.text[base + d.end():base + d.end() + 60]
            each = EACH.match(tail)
            mult = 1
            if each:
                k = to_number(each.group(1)) if each.group(1) else injection_count
                if k:
                    mult = int(k)
            if unit.startswith(("mg", "milligram")):
                mg = (mg or 0) + n * mult
            elif unit in ("ml", "cc", "cc's", "ccs", "cm3"):
                ml = (ml or 0) + n * mult
            else:
                units = (units or 0) + n * mult
        if conc is None:
            key = m.text.lower()
            conc = drug.concentration_mg_per_ml.get(key)
            if conc is None:
                nxt = re.match(r"\s*-?\s*(\d+)\b", view.text[m.end:m.end + 6])
                base_conc = drug.concentration_mg_per_ml.get(m.text.lower() + "-" + (nxt.group(1) if nxt else ""))
                conc = base_conc
        total, unit = None, None
        if drug.drug_class == "botulinum_toxin" and units:
            total, unit = units, "units"
        elif mg:
            total, unit = mg, "mg"
        elif ml and conc:
            total, unit = ml * conc, "mg"
        elif units:
            total, unit = units, "units"
        elif ml:
            total, unit = ml, "mL"
        if total is not None and not math.isfinite(total):
            total = None
        prev = out.get(m.value)
        if prev is None:
            out[m.value] = DrugFact(m.value, _num(total), unit, m.text, m.start, m.end, drug.drug_class)
        elif total is not None and prev.total_dose is None:
            prev.total_dose, prev.dose_unit = _num(total), unit
    return list(out.values())


def _num(x: float | None):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 2)
