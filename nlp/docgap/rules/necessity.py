"""Medical-necessity rules: conservative care, duration, palpation, repeat response."""
from __future__ import annotations

from ..facts import Evidence
from .base import Rule, RuleContext


def _ev(items):
    return [Evidence(i.text, i.start, i.end) for i in items]


class ConservativeTherapyMissing(Rule):
    """No conservative therapy documented as tried before the injection.

    What it checks: at least one conservative therapy (physical therapy, medication, home exercise,
    activity modification, modalities, chiropractic, other) with status failed, tried or current.
    Why payers deny: TPI is second-line care; Medicare's uniform LCD, Aetna CPB 0016 and Anthem
    CG-SURG-17 require first-line conservative therapy to have been tried and failed.
    Insufficient note: "Neck pain. TPI to left trapezius x2 with 1% lidocaine."
    Sufficient note: "Failed 8 weeks of PT and ibuprofen without relief."
    References: Uniform LCD L39656/L34211 initial criterion 4; Aetna CPB 0016; Anthem CG-SURG-17.
    """

    id, category, severity = "conservative-therapy-missing", "medical_necessity", "hold"
    parameters = ("conservative_failure_required",)

    def check(self, ctx: RuleContext):
        if not ctx.profile.conservative_failure_required:
            return []
        if ctx.facts.therapies_with("failed", "tried", "current"):
            return []
        other = ctx.facts.therapies_with("planned", "declined", "negated")
        return [self.finding(ctx, "No conservative therapy is documented as tried before the injection.",
                             _ev(other), searched="physical therapy, medications, home exercise, modalities, "
                             "chiropractic or activity modification documented as tried")]


class ConservativeTherapyNotFailed(Rule):
    """Conservative therapy was tried but no inadequate response is documented.

    What it checks: therapies tried or current exist, none is documented as failed (without relief,
    minimal benefit, temporary relief only, not tolerated, ...).
    Why payers deny: policies require conservative care to have *failed*, not merely been tried.
    Insufficient note: "She has done PT and takes ibuprofen."
    Sufficient note: "PT for 6 weeks and ibuprofen gave only temporary relief."
    References: Uniform LCD initial criterion 4; Aetna CPB 0016 ("tried and failed").
    """

    id, category, severity = "conservative-therapy-not-failed", "medical_necessity", "review"
    parameters = ("conservative_failure_required",)

    def check(self, ctx):
        tried = ctx.facts.therapies_with("tried", "current")
        if not ctx.profile.conservative_failure_required or not tried or ctx.facts.therapies_with("failed"):
            return []
        names = ", ".join(dict.fromkeys(t.text for t in tried))
        return [self.finding(ctx, f"Conservative therapy is documented ({names}) but no inadequate response to it.",
                             _ev(tried), searched="an outcome such as 'without relief' or 'did not help'")]


class DurationMissing(Rule):
    """The profile requires a minimum symptom duration and none is documented.

    What it checks: a duration of the treated pain (weeks, months, years, or 'since <date>').
    Why payers deny: Aetna requires symptoms for more than 3 months; 'chronic' is not a duration.
    Insufficient note: "Chronic neck pain."
    Sufficient note: "Neck pain for the past 6 months."
    References: Aetna CPB 0016; contract section 5 (default 90 days).
    """

    id, category, severity = "duration-missing", "medical_necessity", "review"
    parameters = ("min_duration_days",)

    def check(self, ctx):
        if ctx.profile.min_duration_days is None or ctx.facts.symptom_duration_days is not None:
            return []
        return [self.finding(ctx, f"No symptom duration is documented; {ctx.profile.name} requires at least "
                                  f"{ctx.profile.min_duration_days} days.", [],
                             searched="a duration of the pain (e.g. 'for 6 months', 'since March 2024')")]


class DurationTooShort(Rule):
    """The documented symptom duration is below the profile minimum.

    What it checks: symptom_duration_days < min_duration_days.
    Why payers deny: TPI is for chronic myofascial pain; short-duration pain does not meet policy.
    Insufficient note: "Neck pain for 6 weeks."
    Sufficient note: "Neck pain for 4 months."
    References: Aetna CPB 0016 (more than 3 months).
    """

    id, category, severity = "duration-too-short", "medical_necessity", "hold"
    parameters = ("min_duration_days",)

    def check(self, ctx):
        d, minimum = ctx.facts.symptom_duration_days, ctx.profile.min_duration_days
        if minimum is None or d is None or d >= minimum:
            return []
        ev = [ctx.facts.duration_evidence] if ctx.facts.duration_evidence else []
        return [self.finding(ctx, f"Documented duration is {d} days; {ctx.profile.name} requires {minimum}.", ev)]


class PalpationMissing(Rule):
    """Fewer distinct trigger-point findings on palpation than the profile requires.

    What it checks: distinct kinds among taut band, twitch response, referred pain, jump sign,
    nodule and palpated trigger point; tenderness alone does not count.
    Why payers deny: policies cover injection of true trigger points identified by palpation;
    Medicare's LCD requires at least two findings.
    Insufficient note: "Tender to palpation over the left trapezius."
    Sufficient note: "Taut band in the left upper trapezius with a local twitch response."
    References: Uniform LCD initial criteria 2-3; Aetna CPB 0016.
    """

    id, category, severity = "palpation-missing", "medical_necessity", "hold"
    parameters = ("palpation_kinds_required",)

    def check(self, ctx):
        need = ctx.profile.palpation_kinds_required
        kinds = ctx.facts.palpation_kinds
        if len(kinds) >= need:
            return []
        found = f" (found: {', '.join(sorted(kinds))})" if kinds else ""
        return [self.finding(ctx, f"{len(kinds)} distinct trigger-point finding(s) documented; {ctx.profile.name} "
                                  f"requires {need}{found}.", _ev(ctx.facts.palpation),
                             searched="taut band, twitch response, referred pain, jump sign, nodule or palpated "
                                      "trigger points in the exam or procedure")]


class RepeatResponseMissing(Rule):
    """A repeat session without a documented response to the prior injection that meets the profile.

    What it checks: for a repeat session, the response to the previous injection (percent relief
    and how long it lasted); Medicare needs >= 50% relief lasting >= 6 weeks.
    Why payers deny: repeat TPIs are covered only when the previous one worked.
    Insufficient note: "Here for repeat TPI."
    Sufficient note: "Last TPI 8 weeks ago gave 70% relief for 7 weeks."
    References: Uniform LCD repeat criteria; Cigna 0139; eviCore CMM-202.
    """

    id, category, severity = "repeat-response-missing", "medical_necessity", "review"
    parameters = ("repeat_min_relief_percent", "repeat_min_relief_days")

    def check(self, ctx):
        f = ctx.facts
        if not f.is_repeat:
            return []
        ev = [f.repeat_evidence] if f.repeat_evidence else []
        pr = f.prior_response
        if pr is None:
            return [self.finding(ctx, "Repeat session: no response to the prior injection is documented.", ev,
                                 searched="percent relief and its duration after the previous injection")]
        pct, days = ctx.profile.repeat_min_relief_percent, ctx.profile.repeat_min_relief_days
        problems = []
        if pct is not None and (pr.relief_percent is None or pr.relief_percent < pct):
            problems.append(f"relief {pr.relief_percent if pr.relief_percent is not None else 'not stated'}"
                            f" (needs >= {pct}%)")
        if days is not None and (pr.duration_days is None or pr.duration_days < days):
            problems.append(f"duration {pr.duration_days if pr.duration_days is not None else 'not stated'}"
                            f" (needs >= {days} days)")
        if not problems:
            return []
        return [self.finding(ctx, "Repeat session: documented response does not meet the policy: "
                             + "; ".join(problems) + ".", ev)]
