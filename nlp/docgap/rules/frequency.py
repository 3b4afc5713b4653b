"""Frequency rules over a patient's sessions (this run and the --history file), by date of service."""
from __future__ import annotations

from datetime import date

from .base import Rule, RuleContext


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def _earlier(ctx: RuleContext):
    if not ctx.date_of_service:
        return []
    return sorted((s for s in ctx.history if s.date_of_service and s.date_of_service <= ctx.date_of_service
                   and s.facts.procedure is not None), key=lambda s: s.date_of_service)


class FrequencyInterval(Rule):
    """A session sooner after the patient's previous session than the profile allows.

    What it checks: days since the previous session >= min_interval_days (Aetna: 60 once four
    sessions already fall in the prior 365 days).
    Why payers deny: the uniform LCD requires 6 weeks before repeating TPI; Aetna 7 days.
    Insufficient note: Sessions on 2025-03-01 and 2025-03-20 for Medicare (19 days).
    Sufficient note: Sessions 42 or more days apart.
    References: Uniform LCD (6 weeks); Aetna CPB 0016 [secondary].
    """

    id, category, severity = "frequency-interval", "frequency", "hold"
    parameters = ("min_interval_days", "extended_interval")

    def check(self, ctx):
        prev = _earlier(ctx)
        if not prev:
            return []
        last = prev[-1]
        gap = _days(last.date_of_service, ctx.date_of_service)
        need = ctx.profile.min_interval_days
        ext = ctx.profile.extended_interval
        if ext:
            in_year = [s for s in prev if 0 <= _days(s.date_of_service, ctx.date_of_service) < 365]
            if len(in_year) >= ext["after_sessions"]:
                need = max(need, ext["days"])
        if gap >= need:
            return []
        return [self.finding(ctx, f"{gap} days since the previous session ({last.date_of_service}, note "
                                  f"{last.note_id}); {ctx.profile.name} requires at least {need}.", [])]


class FrequencyAnnualLimit(Rule):
    """More sessions in a rolling 365 days than the profile allows.

    What it checks: sessions in the 365 days ending on this date of service, this one included.
    Why payers deny: the uniform LCD allows no more than 3 TPI sessions in a rolling 12 months.
    Insufficient note: A 4th Medicare session within 12 months.
    Sufficient note: The 3rd session within 12 months.
    References: Uniform LCD utilization limits; BCBSA 2.01.103 (4 per 12 months).
    """

    id, category, severity = "frequency-annual-limit", "frequency", "hold"
    parameters = ("max_sessions_365",)

    def check(self, ctx):
        limit = ctx.profile.max_sessions_365
        if limit is None:
            return []
        prev = [s for s in _earlier(ctx) if 0 <= _days(s.date_of_service, ctx.date_of_service) < 365]
        n = len(prev) + 1
        if n <= limit:
            return []
        return [self.finding(ctx, f"Session {n} in the 365 days ending {ctx.date_of_service}; "
                                  f"{ctx.profile.name} allows {limit}.", [])]
