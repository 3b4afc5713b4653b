"""Documentation rules: what the procedure note itself must say."""
from __future__ import annotations

from ..facts import Evidence
from .base import Rule

BILLABLE_CLASSES = {"corticosteroid", "nsaid", "botulinum_toxin"}


class MusclesUnspecified(Rule):
    """The injected muscles are not named, or a site is named only as a group or region.

    What it checks: a documented procedure names at least one specific muscle and no injected site
    only as a group ('paraspinals', 'upper back', 'rotator cuff').
    Why payers deny: CPT 20552/20553 are chosen by the number of muscles; a group term does not say
    how many muscles were injected.
    Insufficient note: "TPIs x6 to the lumbar paraspinals."
    Sufficient note: "Injected the right quadratus lumborum x2 and right multifidus x2."
    References: CPT 20552/20553 descriptors; AAPC guidance that the provider list the muscles.
    """

    id, category, severity = "muscles-unspecified", "documentation", "hold"

    def check(self, ctx):
        f = ctx.facts
        if f.muscle_count and not f.muscles_unspecified:
            return []
        ev = list(f.group_terms) or ([f.procedure_evidence] if f.procedure_evidence else [])
        msg = ("An injected site is documented only as a group or region: "
               + ", ".join(e.text for e in f.group_terms) + ".") if f.group_terms else \
            "The procedure does not name the muscles injected."
        return [self.finding(ctx, msg, ev, searched="specific injected muscles (e.g. left upper trapezius)")]


class InjectionCountMissing(Rule):
    """The number of injections (trigger points injected) is not stated.

    What it checks: a documented total or per-muscle injection count.
    Why payers deny: MAC billing articles and CERT reviews require the number and site of injections.
    Insufficient note: "TPIs to bilateral trapezius."
    Sufficient note: "Two trigger points in each trapezius were injected (4 total)."
    References: First Coast A57114; CERT minor procedures guidance.
    """

    id, category, severity = "injection-count-missing", "documentation", "review"

    def check(self, ctx):
        if ctx.facts.injection_count is not None:
            return []
        ev = [ctx.facts.procedure_evidence] if ctx.facts.procedure_evidence else []
        return [self.finding(ctx, "The number of trigger points injected is not stated.", ev,
                             searched="a count such as 'x2', '4 trigger points', 'total of 6 injections'")]


class DrugMissing(Rule):
    """An injection procedure names no injectate.

    What it checks: at least one drug for a TPI (dry needling needs none).
    Why payers deny: the injectant name and amount are required; without it the service cannot be
    distinguished from dry needling.
    Insufficient note: "The trigger points were injected and the patient tolerated it well."
    Sufficient note: "Each point was injected with 1 mL of 1% lidocaine."
    References: Uniform LCD billing articles (document injectant name and units).
    """

    id, category, severity = "drug-missing", "documentation", "review"

    def check(self, ctx):
        f = ctx.facts
        if f.procedure != "trigger_point_injection" or f.dry_needling or f.drugs:
            return []
        ev = [f.procedure_evidence] if f.procedure_evidence else []
        return [self.finding(ctx, "The injection is documented without naming the injectate.", ev,
                             searched="a drug name (lidocaine, bupivacaine, triamcinolone, ...)")]


class DrugDoseMissing(Rule):
    """A separately billable drug is named without a dose.

    What it checks: corticosteroids, ketorolac and botulinum toxin carry a documented dose.
    Why payers deny: J-code units come from the dose; CERT found "Kenalog and Marcaine" without a
    dose insufficient for billed units.
    Insufficient note: "Kenalog mixed with lidocaine was injected."
    Sufficient note: "1 mL of Kenalog-40 (40 mg) mixed with 4 mL of 1% lidocaine."
    References: Palmetto CERT spotlight; HCPCS descriptors.
    """

    id, category, severity = "drug-dose-missing", "documentation", "review"

    def check(self, ctx):
        out = []
        for d in ctx.facts.drugs:
            cls = ctx.lexicons.drugs[d.name].drug_class if d.name in ctx.lexicons.drugs else ""
            if cls in BILLABLE_CLASSES and d.total_dose is None:
                out.append(self.finding(ctx, f"{d.name} is documented without a dose.",
                                        [Evidence(d.text, d.start, d.end)], searched=f"a dose for {d.text}"))
        return out


class PainScoresMissing(Rule):
    """The profile requires pre- and post-injection pain scores and one is missing.

    What it checks: a pain score before and after the injection.
    Why payers deny: Medicare's billing articles require the immediate pre/post relief in the record.
    Insufficient note: "Tolerated well."
    Sufficient note: "Pain 8/10 before and 3/10 after the injections."
    References: Noridian newsletter on the uniform LCD; billing articles A59480, A57701.
    """

    id, category, severity = "pain-scores-missing", "documentation", "review"
    parameters = ("pain_scores_required",)

    def check(self, ctx):
        f = ctx.facts
        if not ctx.profile.pain_scores_required or (f.pain_pre is not None and f.pain_post is not None):
            return []
        missing = [n for n, v in (("pre", f.pain_pre), ("post", f.pain_post)) if v is None]
        return [self.finding(ctx, f"Missing {' and '.join(missing)}-injection pain score.", [],
                             searched="pain scores before and after the injection (e.g. 'pre 8/10, post 3/10')")]
