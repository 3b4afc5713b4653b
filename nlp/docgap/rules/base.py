"""The rule framework: each rule is a small class over plain data (Facts, claim, profile, history).

A rule declares its id, category, default severity and the profile parameters it reads; its
docstring carries fixed sections (What it checks / Why payers deny / Insufficient note / Sufficient
note / References), enforced at class creation, from which docs/rules.md is generated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..facts import Evidence, Facts

CATEGORIES = ("medical_necessity", "documentation", "coding", "frequency")
SEVERITIES = ("hold", "review", "info")
SEVERITY_RANK = {"hold": 0, "review": 1, "info": 2}
DOC_SECTIONS = ("What it checks", "Why payers deny", "Insufficient note", "Sufficient note", "References")
RULES: dict[str, type["Rule"]] = {}


@dataclass
class ClaimLine:
    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()


@dataclass
class Session:
    """An earlier session of the same patient (from the same run or a history file)."""

    note_id: str
    date_of_service: str
    facts: Facts


@dataclass
class RuleContext:
    facts: Facts
    profile: Any  # profiles.Profile
    lexicons: Any  # lexicon.Lexicons
    suggested: list[dict]
    billed: list[ClaimLine] | None = None
    diagnoses: list[str] | None = None
    date_of_service: str | None = None
    history: list[Session] = field(default_factory=list)
    note_id: str = ""

    def billed_codes(self) -> set[str]:
        return {b.code for b in self.billed or []}


@dataclass
class Finding:
    rule: str
    category: str
    severity: str
    message: str
    evidence: list[Evidence]
    policy: str
    query: str | None = None
    searched: str | None = None  # what was looked for and not found

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "category": self.category, "severity": self.severity, "message": self.message,
                "evidence": [e.to_dict() for e in self.evidence], "policy": self.policy, "query": self.query,
                "searched": self.searched}


class Rule:
    id: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[str]
    parameters: ClassVar[tuple[str, ...]] = ()
    needs_claim: ClassVar[bool] = False
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", cls.id):
            raise TypeError(f"{cls.__name__}: rule id {cls.id!r} must be kebab-case")
        if cls.category not in CATEGORIES or cls.severity not in SEVERITIES:
            raise TypeError(f"{cls.__name__}: bad category or severity")
        doc = cls.__doc__ or ""
        missing = [s for s in DOC_SECTIONS if f"{s}:" not in doc]
        if missing:
            raise TypeError(f"{cls.__name__}: docstring lacks section(s) {missing}")
        if cls.id in RULES:
            raise TypeError(f"duplicate rule id {cls.id}")
        RULES[cls.id] = cls

    # -- documentation ------------------------------------------------------------------------------
    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        doc = re.sub(r"\n[ \t]+", "\n", cls.__doc__ or "").strip()
        parts = re.split(r"^(" + "|".join(DOC_SECTIONS) + r"):", doc, flags=re.M)
        out = {"Summary": parts[0].strip()}
        for i in range(1, len(parts) - 1, 2):
            out[parts[i]] = parts[i + 1].strip()
        return out

    # -- evaluation ---------------------------------------------------------------------------------
    def check(self, ctx: RuleContext) -> list[Finding]:
        raise NotImplementedError

    def finding(self, ctx: RuleContext, message: str, evidence: list[Evidence] | None = None,
                policy: str | None = None, searched: str | None = None) -> Finding:
        from ..queries import render_query

        sev = ctx.profile.severity_of(self.id, self.severity)
        pol = policy or self.policy_text(ctx)
        ev = [e for e in evidence or [] if e is not None]
        return Finding(self.id, self.category, sev, message, ev, pol, render_query(self.id, ctx, ev), searched)

    def policy_text(self, ctx: RuleContext) -> str:
        srcs = [ctx.profile.sources.get(p) for p in self.parameters if ctx.profile.sources.get(p)]
        name = ctx.profile.name
        return f"{name}: " + "; ".join(dict.fromkeys(srcs)) if srcs else self.doc_sections().get("References", "")


def run_rules(ctx: RuleContext) -> list[Finding]:
    # A note with no procedure and no TPI or needling code billed is out of scope (contract section 3).
    procedure_codes = {"20552", "20553", "20560", "20561"}
    if ctx.facts.procedure is None and not (ctx.billed_codes() & procedure_codes):
        return []
    out: list[Finding] = []
    for rid, cls in RULES.items():
        if not ctx.profile.enabled(rid):
            continue
        if cls.needs_claim and ctx.billed is None:
            continue
        if ctx.facts.procedure is None and rid != "procedure-not-documented":
            continue
        out.extend(cls().check(ctx))
    out.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.rule))
    return out
