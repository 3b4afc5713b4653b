"""Money at risk, from the per-code amounts in policies/fees.json (data a CDI lead edits)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..resources import data_dir, load_json


@lru_cache(maxsize=4)
def fee_schedule(path: str | None = None) -> dict:
    data = load_json(Path(path) if path else data_dir("policies") / "fees.json")
    return {"fees": {str(k).upper(): float(v) for k, v in data["fees"].items()},
            "source": data.get("source", ""), "currency": data.get("currency", "USD")}


def value_cents(lines: list[dict] | None, fees: dict | None = None) -> int:
    """Sum of fee x units over claim lines (billed or suggested), in cents; unknown codes count 0."""
    fees = fees or fee_schedule()["fees"]
    total = 0.0
    for line in lines or []:
        units = line.get("units") or 1
        total += fees.get(str(line.get("code", "")).upper(), 0.0) * int(units)
    return round(total * 100)


def risk_cents(billed: list[dict] | None, suggested: list[dict] | None, open_severities: set[str]) -> int:
    """What the open findings put at stake: an open hold or review puts the whole billed claim at risk
    (it may be held or denied); with only info findings open, the missed charge (supported - billed)."""
    if not open_severities:
        return 0
    if open_severities & {"hold", "review"}:
        return value_cents(billed)
    return max(0, value_cents(suggested) - value_cents(billed))
