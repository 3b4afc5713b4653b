"""What a CDI lead asks for: findings by rule and payer over time, provider query response rate and
turnaround, hold rate by provider. Findings superseded by a later scan are not counted."""
from __future__ import annotations

from collections import defaultdict
from statistics import median

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .models import Encounter, Finding, ProviderQuery

SEVERITIES = ("hold", "review", "info")


def findings_over_time(s: Session, payer: str | None = None) -> dict:
    month = func.substr(Encounter.date_of_service, 1, 7)
    q = (select(month, Finding.severity, Finding.rule, Encounter.payer, func.count())
         .join(Encounter, Encounter.id == Finding.encounter_id)
         .where(Finding.status != "superseded")
         .group_by(month, Finding.severity, Finding.rule, Encounter.payer))
    if payer:
        q = q.where(Encounter.payer == payer)
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
    by_rule_payer: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_rule_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    payers: set[str] = set()
    for m, sev, rule, p, n in s.execute(q):
        m = m or "no date"
        p = p or "(none)"
        by_month[m][sev] = by_month[m].get(sev, 0) + n
        by_rule_payer[rule][p] += n
        by_rule_month[rule][m] += n
        payers.add(p)
    months = sorted(by_month)
    return {"months": months,
            "series": {sev: [by_month[m].get(sev, 0) for m in months] for sev in SEVERITIES},
            "payers": sorted(payers),
            "by_rule_payer": {r: dict(v) for r, v in sorted(by_rule_payer.items(), key=lambda kv: -sum(kv[1].values()))},
            "by_rule_month": {r: dict(v) for r, v in by_rule_month.items()}}


def query_stats(s: Session) -> dict:
    rows = s.execute(select(ProviderQuery.provider, ProviderQuery.status, ProviderQuery.sent_at,
                            ProviderQuery.response_at)).all()
    per: dict[str, list] = defaultdict(list)
    for prov, status, sent, resp in rows:
        per[prov or "(no provider)"].append((status, sent, resp))
        per["All providers"].append((status, sent, resp))

    def summarise(items):
        answered = [(sent, resp) for st, sent, resp in items if st == "answered" and resp and sent]
        days = [(resp - sent).total_seconds() / 86400 for sent, resp in answered]
        return {"sent": len(items), "answered": len(answered),
                "response_rate": len(answered) / len(items) if items else None,
                "median_days": median(days) if days else None,
                "mean_days": sum(days) / len(days) if days else None}

    return {k: summarise(v) for k, v in sorted(per.items(), key=lambda kv: (kv[0] != "All providers", kv[0]))}


def hold_rate_by_provider(s: Session) -> list[dict]:
    has_hold = (select(Finding.encounter_id).where(Finding.severity == "hold", Finding.status != "superseded")
                .distinct().subquery())
    q = (select(Encounter.provider, func.count(Encounter.id),
                func.sum(case((has_hold.c.encounter_id.is_not(None), 1), else_=0)))
         .outerjoin(has_hold, has_hold.c.encounter_id == Encounter.id)
         .group_by(Encounter.provider))
    out = []
    for prov, total, holds in s.execute(q):
        out.append({"provider": prov or "(no provider)", "encounters": total, "with_hold": int(holds or 0),
                    "rate": (holds or 0) / total if total else 0.0})
    return sorted(out, key=lambda r: (-r["rate"], r["provider"]))
