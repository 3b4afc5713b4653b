"""Strict loading of the lexicon files in lexicons/.

Every file is validated against a small schema at start-up: an unknown key, a missing field or a
wrong type is a LexiconError naming the file and the entry, never a silent mismatch at run time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LexiconError
from .resources import data_dir, load_json

CANONICAL_MUSCLES = frozenset("""trapezius levator_scapulae rhomboid_major rhomboid_minor rhomboid supraspinatus
infraspinatus teres_major teres_minor subscapularis deltoid latissimus_dorsi serratus_anterior
serratus_posterior_superior pectoralis_major pectoralis_minor sternocleidomastoid scalene_anterior scalene_middle
scalene_posterior scalene splenius_capitis splenius_cervicis semispinalis_capitis semispinalis_cervicis iliocostalis
longissimus multifidus quadratus_lumborum iliopsoas psoas_major gluteus_maximus gluteus_medius gluteus_minimus
piriformis tensor_fasciae_latae biceps_femoris semitendinosus semimembranosus rectus_femoris vastus_lateralis
vastus_medialis adductor_longus gastrocnemius soleus tibialis_anterior masseter temporalis lateral_pterygoid
medial_pterygoid occipitalis biceps_brachii triceps_brachii brachioradialis rectus_abdominis external_oblique""".split())
THERAPY_CATEGORIES = frozenset({"physical_therapy", "medication", "home_exercise", "activity_modification",
                                "modality", "chiropractic", "other"})
PALPATION_KINDS = frozenset({"taut_band", "twitch_response", "referred_pain", "jump_sign", "nodule", "trigger_point"})
IMAGING_MODALITIES = frozenset({"ultrasound", "fluoroscopy", "ct", "mri", "landmark"})
CANONICAL_DRUGS = frozenset({"triamcinolone", "methylprednisolone", "dexamethasone", "betamethasone", "ketorolac",
                             "onabotulinumtoxinA", "lidocaine", "bupivacaine", "ropivacaine", "saline", "dextrose",
                             "sarapin"})
DRUG_CLASSES = frozenset({"corticosteroid", "nsaid", "botulinum_toxin", "local_anesthetic", "saline", "dextrose",
                          "botanical", "biologic"})


@dataclass(frozen=True)
class Term:
    """One matchable phrase and what it means."""

    text: str
    label: str  # target category (MUSCLE, THERAPY, ...)
    value: str  # canonical value (muscle name, therapy category, drug name, palpation kind, ...)
    extra: tuple = ()
    spell: bool = True  # its words feed the typo index (not the phrases a pattern was expanded into)


@dataclass(frozen=True)
class HcpcsCode:
    code: str
    per: float
    unit: str
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass
class Drug:
    name: str
    drug_class: str
    terms: list[str]
    hcpcs: list[HcpcsCode]
    concentration_mg_per_ml: dict[str, float] = field(default_factory=dict)

    def code_for(self, date_of_service: str | None) -> HcpcsCode | None:
        for c in self.hcpcs:
            if date_of_service and c.valid_from and date_of_service < c.valid_from:
                continue
            if date_of_service and c.valid_until and date_of_service > c.valid_until:
                continue
            if not date_of_service and c.valid_until:
                continue  # undated: the current code set
            return c
        return None


@dataclass
class Lexicons:
    terms: list[Term]
    drugs: dict[str, Drug]
    therapy_names: dict[str, str]  # category -> display name
    medication_classes: dict[str, str]  # lower term -> class
    anesthetic_codes: frozenset[str]
    anesthesia_range: tuple[str, str]
    source_dir: Path
    failed_outcomes: list = field(default_factory=list)  # compiled regexes

    def drug(self, name: str) -> Drug:
        return self.drugs[name]


def _check_keys(obj: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(obj, dict):
        raise LexiconError(f"{where}: expected an object, got {type(obj).__name__}")
    unknown = set(obj) - required - set(optional)
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = required - set(obj)
    if missing:
        raise LexiconError(f"{where}: missing key(s) {sorted(missing)}")


def _terms(obj: dict, where: str) -> list[str]:
    terms = obj.get("terms")
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
        raise LexiconError(f"{where}: 'terms' must be a non-empty list of non-empty strings")
    return terms


def _pattern_phrases(obj: dict, where: str) -> list[str]:
    """Optional word patterns, [{"name": ..., "pattern": [{"LOWER": ...}, ...]}, ...], as the phrases they
    match: the PhraseMatcher is far cheaper than a token pattern tried at every token of every note."""
    out = []
    for i, p in enumerate(obj.get("patterns", [])):
        _check_keys(p, f"{where} patterns[{i}]", {"name", "pattern"})
        pat = p["pattern"]
        if not isinstance(pat, list) or not pat or not all(isinstance(t, dict) and t for t in pat):
            raise LexiconError(f"{where} patterns[{i}]: 'pattern' must be a non-empty list of token objects")
        phrases = _phrases(pat)
        if phrases is None:
            raise LexiconError(f"{where} patterns[{i}]: each token must be a LOWER word or IN list, optionally "
                               f"\"OP\": \"?\", expanding to at most 5000 phrases")
        out += phrases
    return out


def _phrases(pattern: list[dict], limit: int = 5000) -> list[str] | None:
    """The phrases a token pattern of LOWER values (a word or an IN list, optionally "OP": "?") matches,
    or None when it uses anything else or would expand to more than `limit` phrases."""
    phrases = [""]
    for tok in pattern:
        if set(tok) - {"LOWER", "OP"} or tok.get("OP", "?") != "?":
            return None
        low = tok.get("LOWER")
        words = [low] if isinstance(low, str) else low.get("IN") if isinstance(low, dict) and set(low) == {"IN"} else None
        if not words or not all(isinstance(w, str) for w in words):
            return None
        options = words + ([None] if "OP" in tok else [])
        phrases = [f"{p} {w}".strip() if w else p for p in phrases for w in options]
        if len(phrases) > limit:
            return None
    return sorted(set(phrases))


def _file(directory: Path, name: str, top: set[str]) -> dict:
    path = directory / name
    if not path.exists():
        raise LexiconError(f"{path}: lexicon file not found")
    try:
        data = load_json(path)
    except ValueError as e:
        raise LexiconError(str(e)) from None
    _check_keys(data, name, top, {"description"})
    return data


def _check_section_rules(data: dict) -> None:
    """A title written twice with two categories ("cc:" as chief complaint and as carbon copy) would be
    decided by the sectionizer's match order, which moves whenever a rule is added: refuse it."""
    seen: dict[str, str] = {}
    for i, r in enumerate(data["section_rules"]):
        where = f"section_rules.json section_rules[{i}]"
        if not isinstance(r, dict) or not isinstance(r.get("literal"), str) or not isinstance(r.get("category"), str):
            raise LexiconError(f"{where}: expected an object with a 'literal' and a 'category'")
        key = r["literal"].lower()
        if seen.setdefault(key, r["category"]) != r["category"]:
            raise LexiconError(f"{where}: the title {r['literal']!r} is already a {seen[key]!r} section title")


def load_lexicons(directory: str | Path | None = None) -> Lexicons:
    d = Path(directory) if directory else data_dir("lexicons")
    terms: list[Term] = []

    muscles = _file(d, "muscles.json", {"muscles", "groups"})
    for i, m in enumerate(muscles["muscles"]):
        where = f"muscles.json muscles[{i}]"
        _check_keys(m, where, {"name", "terms"})
        if m["name"] not in CANONICAL_MUSCLES:
            raise LexiconError(f"{where}: {m['name']!r} is not a canonical muscle name (contract section 4)")
        terms += [Term(t, "MUSCLE", m["name"]) for t in _terms(m, where)]
    for i, g in enumerate(muscles["groups"]):
        where = f"muscles.json groups[{i}]"
        _check_keys(g, where, {"name", "terms"}, {"members"})
        members = g.get("members", [])
        if not isinstance(members, list) or any(x not in CANONICAL_MUSCLES for x in members):
            raise LexiconError(f"{where}: members must be a list of canonical muscle names (contract section 4)")
        terms += [Term(t, "MUSCLE_GROUP", g["name"], tuple(members)) for t in _terms(g, where)]

    therapies = _file(d, "therapies.json", {"therapies", "medications"})
    therapy_names = {}
    for i, t in enumerate(therapies["therapies"]):
        where = f"therapies.json therapies[{i}]"
        _check_keys(t, where, {"category", "name", "terms"})
        if t["category"] not in THERAPY_CATEGORIES:
            raise LexiconError(f"{where}: unknown therapy category {t['category']!r}")
        therapy_names[t["category"]] = t["name"]
        terms += [Term(x, "THERAPY", t["category"], (t["name"],)) for x in _terms(t, where)]
    med_classes: dict[str, str] = {}
    meds = therapies["medications"]
    if not isinstance(meds, dict):
        raise LexiconError("therapies.json medications: expected an object of class -> terms")
    for cls, names in meds.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LexiconError(f"therapies.json medications.{cls}: expected a list of strings")
        for n in names:
            med_classes[n.lower()] = cls
            terms.append(Term(n, "THERAPY", "medication", (n, cls)))
    therapy_names.setdefault("medication", "medication")

    drugs_file = _file(d, "drugs.json", {"drugs", "anesthetic_codes"})
    drugs: dict[str, Drug] = {}
    for i, x in enumerate(drugs_file["drugs"]):
        where = f"drugs.json drugs[{i}]"
        _check_keys(x, where, {"name", "class", "terms", "hcpcs"}, {"concentration_mg_per_ml"})
        if x["name"] not in CANONICAL_DRUGS:
            raise LexiconError(f"{where}: {x['name']!r} is not a canonical drug name (contract section 2)")
        if x["class"] not in DRUG_CLASSES:
            raise LexiconError(f"{where}: unknown drug class {x['class']!r}")
        codes = []
        for j, c in enumerate(x["hcpcs"]):
            cw = f"{where} hcpcs[{j}]"
            _check_keys(c, cw, {"code", "per", "unit"}, {"from", "until"})
            if not isinstance(c["per"], (int, float)) or c["per"] <= 0:
                raise LexiconError(f"{cw}: 'per' must be a positive number")
            if c["unit"] not in ("mg", "units", "mL"):
                raise LexiconError(f"{cw}: unit must be mg, units or mL")
            codes.append(HcpcsCode(c["code"], float(c["per"]), c["unit"], c.get("from"), c.get("until")))
        conc = x.get("concentration_mg_per_ml", {})
        if not isinstance(conc, dict) or not all(isinstance(v, (int, float)) for v in conc.values()):
            raise LexiconError(f"{where}: concentration_mg_per_ml must map term -> number")
        drugs[x["name"]] = Drug(x["name"], x["class"], _terms(x, where), codes, {k.lower(): v for k, v in conc.items()})
        terms += [Term(t, "DRUG", x["name"]) for t in x["terms"]]
    ac = drugs_file["anesthetic_codes"]
    _check_keys(ac, "drugs.json anesthetic_codes", {"codes", "anesthesia_code_range"}, {"description"})

    concepts = _file(d, "concepts.json", {"palpation", "imaging", "procedure"})
    for i, p in enumerate(concepts["palpation"]):
        where = f"concepts.json palpation[{i}]"
        _check_keys(p, where, {"kind", "terms"}, {"patterns"})
        if p["kind"] not in PALPATION_KINDS:
            raise LexiconError(f"{where}: unknown palpation kind {p['kind']!r}")
        terms += [Term(t, "PALPATION", p["kind"]) for t in _terms(p, where)]
        terms += [Term(ph, "PALPATION", p["kind"], spell=False) for ph in _pattern_phrases(p, where)]
    for i, p in enumerate(concepts["imaging"]):
        where = f"concepts.json imaging[{i}]"
        _check_keys(p, where, {"modality", "terms"})
        if p["modality"] not in IMAGING_MODALITIES:
            raise LexiconError(f"{where}: unknown imaging modality {p['modality']!r}")
        terms += [Term(t, "IMAGING", p["modality"]) for t in _terms(p, where)]
    proc = concepts["procedure"]
    _check_keys(proc, "concepts.json procedure", {"tpi", "dry_needling", "other"})
    for key, label in (("tpi", "TPI"), ("dry_needling", "DRY_NEEDLING"), ("other", "OTHER_PROCEDURE")):
        terms += [Term(t, label, key) for t in _terms({"terms": proc[key]}, f"concepts.json procedure.{key}")]

    outcomes = _file(d, "outcomes.json", {"failed"})
    failed = []
    for i, pat in enumerate(outcomes["failed"]):
        try:
            failed.append(re.compile(pat, re.I))
        except re.error as e:
            raise LexiconError(f"outcomes.json failed[{i}]: not a valid regular expression ({e})") from None

    _check_section_rules(_file(d, "section_rules.json", {"section_rules"}))

    return Lexicons(terms, drugs, therapy_names, med_classes, frozenset(ac["codes"]),
                    tuple(ac["anesthesia_code_range"]), d, failed)
