"""Injectates of the session with total dose (per-point dose x points, mL x concentration)."""
from __future__ import annotations

import math
import re

from ..facts import DrugFact
from ..lexicon import Lexicons
from .note import NUM, Mention, NoteView, injection_cue, to_number
from .procedure import dosed, earlier_session_sentence, past_cue, sentence_is_planning, today_done

DOSE = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|half an?|{NUM})\s*(?P<unit>mg|milligrams?|mL|ml|cc|cc's|ccs|cm3|units?|U|IU)\b"
    rf"(?!\s*/\s*(?:mL|ml|cc|L\b|\d+(?:\.\d+)?\s*(?:mL|ml|cc|L)\b))"  # not "40 mg/1 mL", but "40 mg / 1% lidocaine"
    # "Toradol 30 + 1% lido": ketorolac's doses (15, 30, 60) are milligrams even when the unit is left off
    rf"|(?<=toradol )(?P<num_k>15|30|60)\b(?!\s*(?:%|mL|ml|cc|mg|/))|(?<=ketorolac )(?P<num_k2>15|30|60)\b(?!\s*(?:%|mL|ml|cc|mg|/))"
    rf"|(?P<conc>\d+(?:\.\d+)?)\s*mg\s*/\s*(?:mL|ml|cc)",
    re.I)
# words of the same sentence and line ("mL." or a line break ends the search)
_WORDS = r"(?:[\w%+/(),-]+(?:\.[\w%]+)*[ \t]+)"
EACH = re.compile(rf"^[ \t]*{_WORDS}{{0,8}}?(?:at|in|into|to|per|for)?[ \t]*(?:each|every)\b(?:\s+of\s+(?:the\s+)?({NUM}))?"
                  rf"|^[ \t]*{_WORDS}{{0,4}}?per\s+(?:trigger\s+)?(?:point|site|injection|TP|TrP|muscle)\b", re.I)
SUBJECTIVE = {"history_of_present_illness", "past_medical_history", "medications", "review_of_systems", "plan"}


INJECTATE_CUE = re.compile(r"\b(mixture|mixed|solution|combination|injectate|used|drawn|syringe|cocktail|each|per "
                           r"(?:site|point)|total|divided)\b|\+", re.I)


DILUENT = re.compile(r"(?:reconstitut\w*|dilut\w*|mixed)\s+(?:\w+\s+){0,2}?(?:in|with)\s+(?:\d+(?:\.\d+)?\s*(?:mL|ml|cc)\s+(?:of\s+)?)?(?:[\w-]+\s+){0,2}$", re.I)


EACH_BEFORE = re.compile(r"\b(?:each|every)\s+(?:(?:site|point|trigger point|TP|TrP|pt|injection|muscle|location)s?\s+)?"
                         r"(?:received|receiving|got|getting|gets|was injected with|was given|with|:)\s*(?:a\s+)?$"
                         r"|\b(?:at|in|into|to|for)\s+(?:each|every)\s+(?:site|point|trigger point|TP|TrP|pt|injection)s?\s*[:,]?\s*(?:[A-Za-z-]+\s+){0,2}$|\b(?:each|every)\s+(?:site|point|trigger point|TP|TrP|pt|injection)s?\s*:?\s*$"
                         r"|,\s*each\s*$|\beach\s+(?:[^.;()]|\.(?=\d)){0,40}\(\s*$"
                         # "each 0.25 mL Kenalog-40 (10 mg) with 1 mL 1% lidocaine": the second drug of each point
                         r"|\beach\s+\d+(?:\.\d+)?\s*(?:mL|ml|cc|mg)\b(?:[^.;]|\.(?=\d)){0,50}\b(?:with|\+|plus)\s*$"
                         # "At each point I used two cc's of 1% Xylocaine mixed with half a cc of Kenalog-10"
                         r"|\b(?:at|in|into|to|for)\s+(?:each|every)\s+(?:site|point|trigger point|TP|TrP|pt|injection)s?\b(?:[^.;]|\.(?=\d)){0,60}"
                         r"(?:\d|\b(?:one|two|three|four|five|half an?))\s*(?:mL|ml|cc|cc's|mg)\b(?:[^.;]|\.(?=\d)){0,40}"
                         r"\b(?:mixed with|with|plus|and|\+)\s*(?:a\s+)?$"
                         # "each receiving 0.5 mL 1% lidocaine and 0.25 mL (10 mg) Kenalog-40"
                         r"|\b(?:each|every)\s+(?:\w+\s+)?(?:received|receiving|got|getting|gets)\b(?:(?!mix|solution|syringe)(?:[^.;]|\.(?=\d))){0,60}\b(?:and|\+|plus)\s*"
                         r"(?:\d+(?:\.\d+)?\s*(?:mL|ml|cc)\s*\(\s*)?$"
                         # "Each point: 0.5 mL 1% lidocaine + 5 mg triamcinolone": the heading covers every dose
                         r"|^\W*(?:each|every|per)\s+(?:site|point|trigger point|TP|TrP|injection)s?\s*:", re.I)
NOT_GIVEN_BEFORE = re.compile(r"allergic to\s+$|allergies:\s*$|\b(?:reaction|allergy|anaphylaxis|sensitivity|intolerance)\s+to\s+$|"
                              r"\b(?:avoid|avoids|avoiding|without|no|not)\s+(?:any\s+)?$", re.I)
ALLERGY = re.compile(r"^\W{0,3}(?:allergy|allergies|allergic|intoleran\w+|sensitivity|reaction)\b", re.I)


LAB_GLUCOSE = re.compile(r"\b(?:elevated|high|raised|increased|blood|serum|fasting|check|monitor|spike|rise|levels?|"
                         r"hyperglyc\w*|mg/dL|A1c)\b", re.I)


# an aside in parentheses ("(patient prefers to avoid lidocaine - prior palpitations)") does not date the injection
PARENTHESIS = re.compile(r"\([^()]*\)")


PER_POINT_THEN_TOTAL = re.compile(r"\s*/\s*(?:pt|point|site|TP|TrP|injection)s?\b\s*\(\s*\d+(?:\.\d+)?\s*(?:mg|mL|ml|cc|units?)\s*\)", re.I)
PRODUCT_AFTER = re.compile(r"[ \t]*(?:injection|inj\b|vial|suspension|kit)\b", re.I)
ORAL_MED = re.compile(r"\b(?:tablets?|tabs?|capsules?|caps|by mouth|dose ?pa(?:c)?k|package directions|p\.?o\.?|orally)\b", re.I)
RESPONSE_TO = re.compile(r"\b(?:response|responded|relief|benefit)\s+(?:to|from|with|after)\b", re.I)
MIXTURE_AFTER = re.compile(r"^\s*(?:of\s+)?(?:a|an|the|this)\s+(?:mixture|mix|solution|combination|cocktail)\b", re.I)


def _session_drug(view: NoteView, m: Mention) -> bool:
    if m.has("HYPOTHETICAL", "HISTORICAL", "NEGATED_EXISTENCE", "DECLINED"):
        return False
    if ALLERGY.match(view.text[m.end:m.end + 20]) or NOT_GIVEN_BEFORE.search(view.text[max(0, m.start - 40):m.start]):
        return False  # "(lidocaine allergy)", "anaphylactic reaction to lidocaine", "prefers to avoid lidocaine"
    if m.text.lower() == "glucose" and LAB_GLUCOSE.search(view.text[max(0, m.start - 25):m.end + 25]):
        return False  # "elevated glucose for 1-3 days from the steroid": a lab value, not the injectate
    if m.value == "saline" and DILUENT.search(view.text[max(0, m.start - 60):m.start]):
        return False  # "Botox 100 units reconstituted in 4 mL preservative-free saline": the diluent
    if view.in_sentence(m.sent, "TPI", "DRY_NEEDLING") and past_cue(PARENTHESIS.sub("", m.sent.text)) \
            and not today_done(m.sent.text):
        return False  # "she had trigger point injections with lidocaine and Kenalog at another clinic"
    if view.in_sentence(m.sent, "TPI", "DRY_NEEDLING") and RESPONSE_TO.search(m.sent.text) and not today_done(m.sent.text):
        return False  # "Given the brief response to lidocaine TPIs, we agreed on onabotulinumtoxinA"
    if view.in_sentence(m.sent, "TPI", "DRY_NEEDLING") and earlier_session_sentence(view, m.sent):
        return False  # copied forward: "PROCEDURE (11/12/2024): TPI bilateral upper trapezius, Kenalog 10 mg per point"
    s = m.sent
    if s.section == "plan":
        if sentence_is_planning(view, s):
            return False
    elif s.section in SUBJECTIVE:
        # a medication list is not the injectate, unless the line describes the injected solution
        if not (s.section == "medications" and INJECTATE_CUE.search(s.text) and DOSE.search(s.text)
                and not re.search(r"\b(daily|bid|tid|qid|qhs|prn|po|tabs?|tablets?|caps?)\b", s.text, re.I)):
            return False
    if s.section != "procedure" and ORAL_MED.search(s.text) and not injection_cue(s.text):
        return False  # a medication list line: "methylPREDNISolone (MEDROL DOSEPAK) 4 MG tablet  Follow package directions."
    if s.section == "procedure" or injection_cue(s.text) or INJECTATE_CUE.search(s.text):
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
        one_drug = len({o.value for o in ms}) == 1
        for d in DOSE.finditer(s.text):
            ds, de = s.start + d.start(), s.start + d.end()
            if PER_POINT_THEN_TOTAL.match(s.text, d.end()):
                continue  # "triamcinolone 10 mg/pt (40 mg)": the parenthesis is the session total
            if PRODUCT_AFTER.match(s.text, d.end()) and DOSE.search(s.text, d.end() + 1):
                continue  # "ONABOTULINUMTOXINA 100 UNIT INJECTION -- 100 units": the product's strength, then the dose
            if MIXTURE_AFTER.match(s.text[d.end():d.end() + 30]):
                continue  # "1 mL of a mixture of 4 mL 1% lidocaine and 20 mg triamcinolone": the mixture's volume
            before_drugs = [o for o in ms if o.end <= ds]
            mixture_total = (len(before_drugs) >= 2 and TOTAL_AFTER.match(s.text[d.end():d.end() + 15])
                             and re.search(r"\bmix\w*|\+|\bwith\b|\bcombined\b", s.text[:d.start()], re.I)
                             and re.search(r"[,()]", view.text[before_drugs[-1].end:ds]))  # "..., 10 mL total", "(5 mL total)"
            if (re.search(r"=\s*$|\btotal (?:volume )?(?:of )?$", s.text[:d.start()][-20:], re.I) and len(ms) > 1
                    or mixture_total) and (d.group("unit") or "").lower() in VOLUME_UNITS:
                continue  # "8 mL bupivacaine + 1 mL dexamethasone = 9 mL": the mixture, not one drug
            best, best_dist = None, 10 ** 9
            stated_total = one_drug and _stated_total(view, d, s.start)
            for m in ms:
                if de <= m.start:
                    between = view.text[de:m.start]
                    dist = len(between)
                    if re.search(r"[;,+/]|\band\b|\bwith\b", between):
                        dist += 60
                else:
                    between = view.text[m.end:ds]
                    dist = len(between) + 5
                    if re.search(r"[;]|\band\b", between) and not (one_drug and stated_total):
                        dist += 60  # (but "Botox 100-unit vial ...; total 100 units injected" is Botox's total)
                if any(o is not m and (min(de, m.start) <= o.start < max(ds, m.end)) for o in ms):
                    dist += 200
                if dist < best_dist:
                    best, best_dist = m, dist
            if best is not None and best_dist < 90:
                assigned[id(best)].append((d, s.start))
    out: dict[str, DrugFact] = {}
    explicit: set[str] = set()
    for m in mentions:
        drug = lex.drug(m.value)
        doses = assigned[id(m)]
        stated = [(d, base) for d, base in doses if d.group("conc") or _stated_total(view, d, base)]
        is_total = any(not d.group("conc") for d, _ in stated)
        if is_total:
            doses = stated  # "ketorolac 30 mg total", "Total triamcinolone 20 mg": the note did the sum
        else:
            doses = _drop_mixture_volume(view, doses)
        mg = ml = units = conc = None
        unknown_points = False
        for d, base in doses:
            if d.group("conc"):
                conc = float(d.group("conc"))
                continue
            n = to_number(d.group("num") or d.group("num_k") or d.group("num_k2"))
            if n is None:
                continue
            unit = (d.group("unit") or "mg").lower()
            tail = view.text[base + d.end():base + d.end() + 60]
            each = None if is_total else (_each_after(tail, unit) or EACH_BEFORE.search(view.text[base:base + d.start()]))
            mult = 1
            if each:
                k = to_number(each.group(1)) if each.re is EACH and each.group(1) else injection_count
                if not k:
                    unknown_points = True  # "4 cc ... into each trigger point", points never counted
                    continue
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
        if unknown_points and not (mg or ml or units):
            pass  # a per-point dose with no number of points: the session total is not documented
        elif drug.drug_class == "botulinum_toxin" and units:
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
        elif total is not None and (prev.total_dose is None or (is_total and m.value not in explicit)):
            prev.total_dose, prev.dose_unit = _num(total), unit
        if is_total and total is not None:
            explicit.add(m.value)
    _apply_sentence_totals(view, out)
    return list(out.values())


SENTENCE_TOTAL = re.compile(r"^\W*total(?:\s+(?:dose|amount))?\s*(?:of\s+|:\s*|=\s*)?(\d+(?:\.\d+)?)\s*(units?|U|mg)\b", re.I)


def _apply_sentence_totals(view: NoteView, out: dict[str, DrugFact]) -> None:
    """'Total 100 units.' with no drug named: the total of the one injectate dosed in that unit."""
    for s in view.sentences:
        t = SENTENCE_TOTAL.match(s.text)
        if not t or view.in_sentence(s, "DRUG"):
            continue
        unit = "mg" if t.group(2).lower() == "mg" else "units"
        same = [d for d in out.values() if d.dose_unit == unit or (unit == "units" and d.drug_class == "botulinum_toxin")]
        if len(same) == 1:
            same[0].total_dose, same[0].dose_unit = _num(float(t.group(1))), unit


VOLUME_UNITS = ("ml", "cc", "cc's", "ccs", "cm3")


# a dose divided among the points, or a new line / a stated total before the "each": the dose is a total
DIVIDED = re.compile(r"\b(?:divided|split|distributed|spread|shared)\b|\n|\btotal\b", re.I)


def _each_after(tail: str, unit: str | None = None):
    """'each' after a dose, unless another dose of the same kind comes first ('1 mL Kenalog-40 was
    prepared and 1 mL was injected at each point': that 'each' belongs to the second volume; in
    'lidocaine 0.5 mL + Kenalog 10 mg per site' it applies to both)."""
    e = EACH.match(tail)
    if e and DIVIDED.search(tail[:e.start(0) + len(e.group(0))]):
        return None  # "0.5 mL of Kenalog-40 was divided between four injections, two into each trapezius"
    if e and unit and unit.lower().startswith("mg") and re.search(
            r"\d+(?:\.\d+)?\s*(?:mL|ml|cc)\s+(?:at\s+|in\s+|into\s+|per\s+|to\s+)?(?:each|every|per)\b", tail[:e.end()], re.I):
        return None  # "Kenalog 40 mg / 1% lidocaine 4 mL, 2.5 mL each site": the volume of the mixture is per site
    if e and unit:
        kind = unit.lower() in VOLUME_UNITS
        for d in DOSE.finditer(tail[:e.end()]):
            if d.group("unit") and (d.group("unit").lower() in VOLUME_UNITS) == kind:
                return None
    return e


def _drop_mixture_volume(view: NoteView, doses):
    """'1% lidocaine 3 mL + 0.25% bupivacaine 3 mL, 2 mL per site': the per-site volume is the mixture's,
    not a second dose of the drug written next to it."""
    def per_site(d, base):
        return bool(_each_after(view.text[base + d.end():base + d.end() + 60], d.group("unit")))

    vols = [(d, b) for d, b in doses if not d.group("conc") and (d.group("unit") or "").lower() in VOLUME_UNITS]
    if any(per_site(d, b) for d, b in vols) and any(not per_site(d, b) for d, b in vols):
        return [(d, b) for d, b in doses if (d, b) not in vols or not per_site(d, b)]
    return doses


TOTAL_AFTER = re.compile(r"^\s*(?:total|tot|in total|in all|overall|altogether)\b", re.I)
TOTAL_BEFORE = re.compile(r"\btotals?\b(?!\s*(?:of\s*)?:?\s*\d+\s*(?:trigger|points?|sites?|injections?|TrPs?|TPs?)\b)", re.I)
COUNT_TOTAL = re.compile(r"\b(?:points?|sites?|injections?|TrPs?|TPs?)\s+total\b", re.I)


def _stated_total(view: NoteView, d: re.Match, base: int) -> bool:
    """Is this dose written as the session total ("30 mg total", "Total triamcinolone 20 mg",
    "Totals: ...; triamcinolone 40 mg")?"""
    if TOTAL_AFTER.match(view.text[base + d.end():base + d.end() + 15]) or re.match(
            r"^\s*(?:of\s+)?[\w-]+\s+(?:total|in total)\b", view.text[base + d.end():base + d.end() + 30], re.I):
        return True  # "30 mg total", "(20 mg triamcinolone total"
    before = view.text[base:base + d.start()]
    if re.search(r"\b(?:dose|amount) (?:given|administered)?\s*:\s*$|\bdose\s*:\s*$", before, re.I):
        return True  # a medication-administration line: "... 40 mg/mL injection 40 mg   Dose: 40 mg   Route: IM"
    if re.match(r"\s*totals?\b[^:\n]{0,30}:", before, re.I):
        return True  # "Totals: ...", "Total 4 points: triamcinolone 40 mg, lidocaine 2 mL"
    if EACH.match(view.text[base + d.end():base + d.end() + 40]):
        # "Botox 100 units total, ..., 25 units per point", "(triamcinolone 10 mg per point, 40 mg total)": the
        # per-point dose is not another total
        return False
    opened = before.rfind("(")
    if opened > before.rfind(")") and re.match(r"[^()]*\b(?:total|tot|in all|altogether)\b[^()]*\)",
                                                view.text[base + d.start():base + d.start() + 80], re.I):
        return True  # "(ketorolac 30 mg, lidocaine 2 mL in total)": a parenthesis of totals
    seg = re.split(r"[;(]", before)[-1]
    return bool(TOTAL_BEFORE.search(seg)) and not COUNT_TOTAL.search(seg)


def _num(x: float | None):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(x, 2)
