"""Facts: what a note documents, as plain data. The seam between the NLP and the rules.

Nothing here imports spaCy. Every fact that comes from the text carries its evidence as character
offsets into the original note (text[start:end] == evidence text).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

_ATOMIC = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _asdict(obj) -> dict[str, Any]:
    """dataclasses.asdict for the flat fact records: the same dict, without asdict's recursive deep copy
    (str/int/float/None values are returned as they are by it anyway)."""
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    d = {n: getattr(obj, n) for n in names}
    if all(type(v) in _ATOMIC for v in d.values()):
        return d
    return asdict(obj)


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Muscle:
    name: str
    laterality: str | None
    injections: int | None
    text: str
    start: int
    end: int


@dataclass
class Therapy:
    category: str
    name: str
    status: str  # failed | tried | current | planned | declined | negated
    text: str
    start: int
    end: int


@dataclass
class PalpationFinding:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class DrugFact:
    name: str
    total_dose: float | None
    dose_unit: str | None
    text: str
    start: int
    end: int
    drug_class: str = ""


@dataclass
class PriorResponse:
    relief_percent: int | None
    duration_days: int | None


@dataclass
class Facts:
    procedure: str | None = None  # trigger_point_injection | dry_needling | None
    muscles: list[Muscle] = field(default_factory=list)
    muscles_unspecified: bool = False
    group_terms: list[Evidence] = field(default_factory=list)
    injection_count: int | None = None
    therapies: list[Therapy] = field(default_factory=list)
    symptom_duration_days: int | None = None
    duration_evidence: Evidence | None = None
    palpation: list[PalpationFinding] = field(default_factory=list)
    imaging_guidance: str | None = None
    imaging_evidence: Evidence | None = None
    drugs: list[DrugFact] = field(default_factory=list)
    dry_needling: bool = False
    is_repeat: bool = False
    repeat_evidence: Evidence | None = None
    prior_response: PriorResponse | None = None
    pain_pre: int | None = None
    pain_post: int | None = None
    procedure_evidence: Evidence | None = None
    # a relief stated before the procedure without naming the injection ("about 40% better for three
    # weeks"): the prior response if the session turns out to be a repeat from the patient's history
    latent_prior_response: PriorResponse | None = field(default=None, repr=False)

    @property
    def muscle_count(self) -> int | None:
        if self.procedure is None:
            return None
        return len({(m.name, m.laterality) for m in self.muscles})

    @property
    def palpation_kinds(self) -> set[str]:
        return {p.kind for p in self.palpation}

    def therapies_with(self, *statuses: str) -> list[Therapy]:
        return [t for t in self.therapies if t.status in statuses]

    def to_dict(self) -> dict[str, Any]:
        """The contract's `facts` object (section 2)."""
        return {
            "muscles": [_asdict(m) for m in self.muscles],
            "muscle_count": self.muscle_count,
            "muscles_unspecified": self.muscles_unspecified,
            "injection_count": self.injection_count,
            "therapies": [_asdict(t) for t in self.therapies],
            "symptom_duration_days": self.symptom_duration_days,
            "palpation": {"documented": bool(self.palpation), "findings": [_asdict(p) for p in self.palpation]},
            "imaging_guidance": self.imaging_guidance,
            "drugs": [{k: v for k, v in _asdict(d).items() if k != "drug_class"} for d in self.drugs],
            "dry_needling": self.dry_needling,
            "is_repeat": self.is_repeat,
            "prior_response": _asdict(self.prior_response) if self.prior_response else None,
            "pain_scores": {"pre": self.pain_pre, "post": self.pain_post},
            "procedure": self.procedure,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Facts":
        """Rebuild Facts from a contract `facts` object (used for history files and rule tests)."""
        pr = d.get("prior_response")
        pain = d.get("pain_scores") or {}
        return cls(
            procedure=d.get("procedure"),
            muscles=[Muscle(**{k: m.get(k) for k in ("name", "laterality", "injections", "text", "start", "end")})
                     for m in d.get("muscles") or []],
            muscles_unspecified=bool(d.get("muscles_unspecified")),
            injection_count=d.get("injection_count"),
            therapies=[Therapy(**{k: t.get(k) for k in ("category", "name", "status", "text", "start", "end")})
                       for t in d.get("therapies") or []],
            symptom_duration_days=d.get("symptom_duration_days"),
            palpation=[PalpationFinding(**{k: p.get(k) for k in ("kind", "text", "start", "end")})
                       for p in (d.get("palpation") or {}).get("findings") or []],
            imaging_guidance=d.get("imaging_guidance"),
            drugs=[DrugFact(**{k: x.get(k) for k in ("name", "total_dose", "dose_unit", "text", "start", "end")})
                   for x in d.get("drugs") or []],
            dry_needling=bool(d.get("dry_needling")),
            is_repeat=bool(d.get("is_repeat")),
            prior_response=PriorResponse(pr.get("relief_percent"), pr.get("duration_days")) if pr else None,
            pain_pre=pain.get("pre"),
            pain_post=pain.get("post"),
        )
