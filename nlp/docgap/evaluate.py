"""`docgap eval`: score results against gold annotations (contract section 6).

Agrees with ../shared/contract/score.py: field accuracy (duration within 10% or 7 days), micro
P/R/F1 for the set-valued fields (scikit-learn), and the share of notes with a hold the gold does not
expect. Every disagreement is listed with the evidence docgap used, so a reviewer can see why.
"""
from __future__ import annotations

from collections import defaultdict

from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from .rules import RULES

FIELDS = ("muscle_count", "injection_count", "symptom_duration", "palpation", "imaging_guidance", "dry_needling",
          "conservative_failed")
SETS = ("muscles", "therapies_tried", "drugs", "suggested_codes", "findings")


def close_days(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(7, 0.10 * b)


def _codes(codes):
    return {(c["code"].upper(), int(c.get("units", 1) or 1)) for c in codes or []}


def _got_sets(r: dict) -> dict[str, set]:
    f = r.get("facts") or {}
    return {
        "muscles": {(m.get("name"), m.get("laterality")) for m in f.get("muscles") or []},
        "therapies_tried": {t["category"] for t in f.get("therapies") or [] if t["status"] in ("failed", "tried", "current")},
        "drugs": {d["name"] for d in f.get("drugs") or []},
        "suggested_codes": _codes(r.get("suggested_codes")),
        "findings": {x["rule"] for x in r.get("findings") or []} & set(RULES),
    }


def _want_sets(e: dict) -> dict[str, set]:
    return {
        "muscles": {(m["name"], m.get("laterality")) for m in e.get("muscles") or []},
        "therapies_tried": set(e.get("therapies_tried") or []),
        "drugs": {d["name"] for d in e.get("drugs") or []},
        "suggested_codes": _codes(e.get("suggested_codes")),
        "findings": set(e.get("findings") or []),
    }


def _field_checks(r: dict, e: dict) -> dict[str, tuple[bool, object, object]]:
    f = r.get("facts") or {}
    got_failed = any(t.get("status") == "failed" for t in f.get("therapies") or [])
    return {
        "muscle_count": (f.get("muscle_count") == e.get("muscle_count"), f.get("muscle_count"), e.get("muscle_count")),
        "injection_count": (f.get("injection_count") == e.get("injection_count"), f.get("injection_count"),
                            e.get("injection_count")),
        "symptom_duration": (close_days(f.get("symptom_duration_days"), e.get("symptom_duration_days")),
                             f.get("symptom_duration_days"), e.get("symptom_duration_days")),
        "palpation": (bool((f.get("palpation") or {}).get("documented")) == bool(e.get("palpation_documented")),
                      bool((f.get("palpation") or {}).get("documented")), bool(e.get("palpation_documented"))),
        "imaging_guidance": (f.get("imaging_guidance") == e.get("imaging_guidance"), f.get("imaging_guidance"),
                             e.get("imaging_guidance")),
        "dry_needling": (bool(f.get("dry_needling")) == bool(e.get("dry_needling")), bool(f.get("dry_needling")),
                         bool(e.get("dry_needling"))),
        "conservative_failed": (got_failed == bool(e.get("conservative_failed")), got_failed,
                                bool(e.get("conservative_failed"))),
    }


def _evidence_for(name: str, r: dict) -> str:
    f = r.get("facts") or {}
    if name in ("muscles", "muscle_count"):
        return "; ".join(f"{m['text']!r}@{m['start']}" for m in f.get("muscles") or [])
    if name in ("therapies_tried", "conservative_failed"):
        return "; ".join(f"{t['text']!r}={t['status']}" for t in f.get("therapies") or [])
    if name == "drugs":
        return "; ".join(f"{d['text']!r}={d['total_dose']}{d['dose_unit'] or ''}" for d in f.get("drugs") or [])
    if name == "palpation":
        return "; ".join(f"{p['text']!r}={p['kind']}" for p in (f.get("palpation") or {}).get("findings") or [])
    if name == "findings":
        return "; ".join(f"{x['rule']}: {x['message']}" for x in r.get("findings") or [])
    return ""


def evaluate(gold: list[dict], results: dict[str, dict]) -> dict:
    n = len(gold)
    y_true: dict[str, list] = defaultdict(list)
    y_pred: dict[str, list] = defaultdict(list)
    sets_true: dict[str, list] = defaultdict(list)
    sets_pred: dict[str, list] = defaultdict(list)
    disagreements = []
    per_rule = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    false_hold = 0
    missing = errors = 0
    for g in gold:
        e = g["expected"]
        r = results.get(g["note_id"])
        if r is None:
            missing += 1
            r = {}
        elif r.get("status") != "ok":
            errors += 1
        wrong = []
        for k, (ok, got, want) in _field_checks(r, e).items():
            y_true[k].append(1)
            y_pred[k].append(int(ok))
            if not ok:
                wrong.append({"field": k, "got": got, "want": want, "evidence": _evidence_for(k, r)})
        got_s, want_s = _got_sets(r), _want_sets(e)
        for k in SETS:
            sets_true[k].append(want_s[k])
            sets_pred[k].append(got_s[k])
            if got_s[k] != want_s[k]:
                wrong.append({"field": k, "extra": sorted(map(str, got_s[k] - want_s[k])),
                              "missing": sorted(map(str, want_s[k] - got_s[k])), "evidence": _evidence_for(k, r)})
        for rule in got_s["findings"] | want_s["findings"]:
            s = per_rule[rule]
            s["tp"] += rule in got_s["findings"] and rule in want_s["findings"]
            s["fp"] += rule in got_s["findings"] and rule not in want_s["findings"]
            s["fn"] += rule in want_s["findings"] and rule not in got_s["findings"]
        holds = {x["rule"] for x in r.get("findings") or [] if x["severity"] == "hold" and x["rule"] in RULES}
        if holds - want_s["findings"]:
            false_hold += 1
        if wrong:
            disagreements.append({"note_id": g["note_id"], "problems": wrong})
    summary = {"notes": n, "missing": missing, "errors": errors}
    for k in FIELDS:
        summary[f"acc_{k}"] = round(accuracy_score(y_true[k], y_pred[k]), 3) if n else 0.0
    for k in SETS:
        mlb = MultiLabelBinarizer()
        mlb.fit([{str(x) for x in s} for s in sets_true[k] + sets_pred[k]])
        if len(mlb.classes_) == 0:
            p = r_ = f1 = 1.0
        else:
            yt = mlb.transform([{str(x) for x in s} for s in sets_true[k]])
            yp = mlb.transform([{str(x) for x in s} for s in sets_pred[k]])
            p, r_, f1, _ = precision_recall_fscore_support(yt, yp, average="micro", zero_division=1.0)
        summary[f"f1_{k}"], summary[f"p_{k}"], summary[f"r_{k}"] = round(f1, 3), round(p, 3), round(r_, 3)
    summary["acc_notes_with_false_hold"] = round(false_hold / n, 3) if n else 0.0
    return {"summary": summary, "per_rule": dict(sorted(per_rule.items())), "disagreements": disagreements}
