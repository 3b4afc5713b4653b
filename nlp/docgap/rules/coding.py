"""Coding rules: the claim's lines against what the documentation supports. Fire only with `billed`."""
from __future__ import annotations

from ..codes import GUIDANCE_CODES, jcode_for
from ..facts import Evidence
from .base import Rule

TPI = {"20552", "20553"}
GUIDANCE = set(GUIDANCE_CODES.values())


def _drug_ev(d):
    return Evidence(d.text, d.start, d.end)


class CptOvercoded(Rule):
    """20553 billed with fewer than three specific muscles documented.

    What it checks: 20553 (3+ muscles) billed while 1 or 2 distinct muscles are documented.
    Why payers deny: the code is chosen by distinct muscles, not injections or trigger points.
    Insufficient note: "Left trapezius x3 and left levator x2" billed as 20553.
    Sufficient note: Three muscles named, or 20552 billed.
    References: CPT 20552/20553; CPT Assistant via KZA; AAPC counting guidance.
    """

    id, category, severity, needs_claim = "cpt-overcoded", "coding", "hold", True

    def check(self, ctx):
        n = ctx.facts.muscle_count or 0
        if "20553" not in ctx.billed_codes() or not 1 <= n <= 2:
            return []
        ev = [Evidence(m.text, m.start, m.end) for m in ctx.facts.muscles]
        return [self.finding(ctx, f"20553 is billed but only {n} specific muscle(s) are documented (20552).", ev)]


class CptUndercoded(Rule):
    """20552 billed with three or more specific muscles documented.

    What it checks: 20552 billed while the note documents 3+ distinct muscles.
    Why payers deny: not a denial, a missed charge: 20553 is supported.
    Insufficient note: Four muscles injected, 20552 billed.
    Sufficient note: Four muscles injected, 20553 billed.
    References: CPT 20552/20553 descriptors.
    """

    id, category, severity, needs_claim = "cpt-undercoded", "coding", "info", True

    def check(self, ctx):
        n = ctx.facts.muscle_count or 0
        if "20552" not in ctx.billed_codes() or n < 3:
            return []
        ev = [Evidence(m.text, m.start, m.end) for m in ctx.facts.muscles]
        return [self.finding(ctx, f"20552 is billed but {n} specific muscles are documented (20553).", ev)]


class CptUnitsInvalid(Rule):
    """20552/20553 billed with units above 1, both codes billed, or modifier 50.

    What it checks: one TPI line with one unit per session, no modifier 50.
    Why payers deny: the codes are per session regardless of sites; billing articles prohibit
    modifier 50 with 20552/20553.
    Insufficient note: Claim 20553 x2, or 20552 + 20553, or 20553-50.
    Sufficient note: Claim 20553 x1.
    References: CGS billing article A59480; Novitas A57751; NCCI.
    """

    id, category, severity, needs_claim = "cpt-units-invalid", "coding", "hold", True

    def check(self, ctx):
        lines = [b for b in ctx.billed if b.code in TPI]
        problems = []
        if any(b.units > 1 for b in lines):
            problems.append("units above 1")
        if len({b.code for b in lines}) > 1 or len(lines) > 1:
            problems.append("more than one TPI line")
        if any("50" in b.modifiers for b in lines):
            problems.append("modifier 50")
        if not problems:
            return []
        return [self.finding(ctx, "TPI is billed once per session: " + ", ".join(problems) + ".", [])]


class ImagingUnsupported(Rule):
    """A guidance code is billed and no imaging guidance is documented.

    What it checks: 76942/77002/77012/77021 billed while the note documents no guidance (or says
    landmark-guided / without imaging).
    Why payers deny: a billed service must be documented, with a permanent image for 76942.
    Insufficient note: "Landmark-based technique" with 76942 billed.
    Sufficient note: "Under real-time ultrasound guidance the needle was advanced..."
    References: NCCI Policy Manual ch. IX; CPT Assistant via KZA.
    """

    id, category, severity, needs_claim = "imaging-unsupported", "coding", "hold", True

    def check(self, ctx):
        billed = ctx.billed_codes() & GUIDANCE
        if not billed or ctx.facts.imaging_guidance:
            return []
        return [self.finding(ctx, f"{', '.join(sorted(billed))} billed but no imaging guidance is documented.", [],
                             searched="ultrasound, fluoroscopic, CT or MRI guidance in the procedure")]


class ImagingNotBilled(Rule):
    """Guidance is documented, the payer pays for it, and no guidance code is billed.

    What it checks: documented guidance with no 76942/77002/77012/77021 line, where the profile
    covers guidance.
    Why payers deny: not a denial, a missed charge.
    Insufficient note: Ultrasound-guided TPI, claim 20553 only.
    Sufficient note: Ultrasound-guided TPI, claim 20553 + 76942.
    References: CPT Assistant via KZA; AAPM&R 2017 coding Q&A.
    """

    id, category, severity, needs_claim = "imaging-not-billed", "coding", "info", True
    parameters = ("imaging_covered",)

    def check(self, ctx):
        g = ctx.facts.imaging_guidance
        if not g or not ctx.profile.imaging_covered or ctx.billed_codes() & GUIDANCE:
            return []
        ev = [ctx.facts.imaging_evidence] if ctx.facts.imaging_evidence else []
        return [self.finding(ctx, f"{g} guidance is documented but {GUIDANCE_CODES.get(g)} is not billed.", ev)]


class ImagingNotCovered(Rule):
    """A guidance code is billed to a payer that does not cover guidance for TPI.

    What it checks: 76942/77002/77012/77021 billed where the profile says guidance is not covered.
    Why payers deny: Medicare's uniform LCD calls ultrasound investigational and fluoroscopy/CT/MRI
    not reasonable and necessary; Aetna lists ultrasound guidance as unproven.
    Insufficient note: Any guidance code on a Medicare or Aetna TPI claim.
    Sufficient note: No guidance code (or a payer that covers it).
    References: Uniform LCD L34211/L36859; Aetna CPB 0016; BCBSA 2.01.103.
    """

    id, category, severity, needs_claim = "imaging-not-covered", "coding", "hold", True
    parameters = ("imaging_covered",)

    def check(self, ctx):
        billed = ctx.billed_codes() & GUIDANCE
        if not billed or ctx.profile.imaging_covered:
            return []
        return [self.finding(ctx, f"{', '.join(sorted(billed))} billed; {ctx.profile.name} does not cover imaging "
                                  "guidance for trigger point injections.", [])]


class JcodeMissing(Rule):
    """A separately billable drug is documented with a dose and its J code is not billed.

    What it checks: each suggested J code appears on the claim.
    Why payers deny: not a denial, a missed charge; drugs must be billed on the same claim.
    Insufficient note: "Kenalog-40 1 mL" with no J3301 line.
    Sufficient note: J3301 x4 billed.
    References: HCPCS descriptors; uniform LCD billing articles (drug on the same claim).
    """

    id, category, severity, needs_claim = "jcode-missing", "coding", "info", True

    def check(self, ctx):
        out = []
        for d in ctx.facts.drugs:
            j = jcode_for(d, ctx.lexicons, ctx.date_of_service)
            if j and j[0] not in ctx.billed_codes():
                out.append(self.finding(ctx, f"{d.name} {d.total_dose} {d.dose_unit} is documented but no {j[0]} "
                                             f"line is billed ({j[1]} unit(s) supported).", [_drug_ev(d)],
                                        policy=f"HCPCS {j[0]}"))
        return out


class JcodeUnsupported(Rule):
    """A drug J code is billed for a drug the note does not document.

    What it checks: each billed drug J code (other than local anesthetics) maps to a documented drug.
    Why payers deny: a billed drug must be documented with its name and dose.
    Insufficient note: J1885 billed, no ketorolac in the note.
    Sufficient note: "Toradol 30 mg" documented with J1885 x2.
    References: HCPCS descriptors; CERT documentation requirements.
    """

    id, category, severity, needs_claim = "jcode-unsupported", "coding", "hold", True

    def check(self, ctx):
        code_to_drug = {}
        for d in ctx.lexicons.drugs.values():
            for c in d.hcpcs:
                code_to_drug[c.code] = d.name
        documented = {d.name for d in ctx.facts.drugs}
        out = []
        for b in ctx.billed:
            name = code_to_drug.get(b.code)
            if name and name not in documented:
                out.append(self.finding(ctx, f"{b.code} ({name}) is billed but the note documents no {name}.", [],
                                        policy=f"HCPCS {b.code}", searched=f"{name} in the procedure"))
        return out


class JcodeUnitsMismatch(Rule):
    """A J code is billed with units that differ from the documented dose.

    What it checks: billed units = ceil(total dose / descriptor unit).
    Why payers deny: units must follow the HCPCS descriptor (J3301 per 10 mg: 40 mg = 4 units).
    Insufficient note: "Kenalog-40 1 mL" billed as J3301 x1.
    Sufficient note: J3301 x4.
    References: HCPCS J3301, J1100, J0702, J1885, J0585, J1010 descriptors.
    """

    id, category, severity, needs_claim = "jcode-units-mismatch", "coding", "review", True

    def check(self, ctx):
        out = []
        billed = {}
        for b in ctx.billed:
            billed[b.code] = billed.get(b.code, 0) + b.units
        for d in ctx.facts.drugs:
            j = jcode_for(d, ctx.lexicons, ctx.date_of_service)
            if j and j[0] in billed and billed[j[0]] != j[1]:
                out.append(self.finding(ctx, f"{j[0]} billed x{billed[j[0]]}; the documented {d.total_dose} "
                                             f"{d.dose_unit} of {d.name} supports x{j[1]}.", [_drug_ev(d)],
                                        policy=f"HCPCS {j[0]}"))
        return out


class AnestheticBilledSeparately(Rule):
    """A local anesthetic or anesthesia code is billed with 20552/20553.

    What it checks: J2001, J0665, J0666, J2795, S0020 or an anesthesia code (00100-01999) on a TPI claim.
    Why payers deny: local anesthetic is part of the procedure; billing articles prohibit anesthesia
    codes with TPI.
    Insufficient note: Claim 20553 + J2001.
    Sufficient note: Claim 20553 (+ the steroid's J code).
    References: CGS A59480; AAPC on J2001 (IV only); NCCI.
    """

    id, category, severity, needs_claim = "anesthetic-billed-separately", "coding", "hold", True

    def check(self, ctx):
        if not ctx.billed_codes() & TPI:
            return []
        lo, hi = ctx.lexicons.anesthesia_range
        bad = sorted(b.code for b in ctx.billed if b.code in ctx.lexicons.anesthetic_codes
                     or (b.code.isdigit() and len(b.code) == 5 and lo <= b.code <= hi))
        if not bad:
            return []
        return [self.finding(ctx, f"{', '.join(bad)} billed with a TPI code; local anesthetic is part of the procedure.",
                             [])]


class DryNeedlingBilledAsTpi(Rule):
    """Dry needling documented, 20552/20553 billed.

    What it checks: a dry-needling session billed with the injection codes.
    Why payers deny: 20552/20553 require an injection; dry needling is 20560/20561 and excluded by
    many payers.
    Insufficient note: "Dry needling, no injectate" billed as 20553.
    Sufficient note: Billed as 20560/20561 where covered.
    References: CPT 20560/20561 (2020); uniform LCD (dry needling not covered as TPI).
    """

    id, category, severity, needs_claim = "dry-needling-billed-as-tpi", "coding", "hold", True

    def check(self, ctx):
        if not ctx.facts.dry_needling or not ctx.billed_codes() & TPI:
            return []
        ev = [ctx.facts.procedure_evidence] if ctx.facts.procedure_evidence else []
        return [self.finding(ctx, "Dry needling is documented but a trigger point injection code is billed.", ev)]


class InjectateNotCovered(Rule):
    """The profile excludes the injectate.

    What it checks: botulinum toxin, saline as the only injectate, dextrose, botanicals (Sarapin)
    or biologics, per the profile's list.
    Why payers deny: Medicare's LCD excludes biologic and non-FDA-approved injectates; Aetna covers
    corticosteroid and/or local anesthetic; eviCore excludes saline and glucose.
    Insufficient note: "Botox 100 units into trigger points" for Medicare.
    Sufficient note: Lidocaine with triamcinolone.
    References: Uniform LCD; Aetna CPB 0016; eviCore CMM-202/205; EmblemHealth.
    """

    id, category, severity = "injectate-not-covered", "coding", "hold"
    parameters = ("injectates_not_covered",)

    def check(self, ctx):
        excluded = set(ctx.profile.injectates_not_covered)
        drugs = ctx.facts.drugs
        bad = []
        for d in drugs:
            cls = ctx.lexicons.drugs[d.name].drug_class if d.name in ctx.lexicons.drugs else ""
            if cls in excluded and cls != "saline":
                bad.append(d)
        if "saline_only" in excluded and drugs and all(d.name == "saline" for d in drugs):
            bad += drugs
        if not bad:
            return []
        return [self.finding(ctx, f"{', '.join(d.name for d in bad)} is not a covered injectate for "
                                  f"{ctx.profile.name}.", [_drug_ev(d) for d in bad])]


class DiagnosisNotCovered(Rule):
    """Claim diagnoses given and none is in the profile's covered list.

    What it checks: at least one claim diagnosis in the covered ICD-10-CM list.
    Why payers deny: the uniform LCD covers myalgia (M79.1x) and tension-type headache (G44.2x).
    Insufficient note: Only M54.2 (cervicalgia) on the claim.
    Sufficient note: M79.18 (myalgia, other site).
    References: Uniform LCD billing articles, Group 1 codes.
    """

    id, category, severity, needs_claim = "diagnosis-not-covered", "coding", "review", True
    parameters = ("covered_diagnoses",)

    def check(self, ctx):
        covered = ctx.profile.covered_diagnoses
        if covered is None or not ctx.diagnoses:
            return []
        norm = {c.upper().replace(".", "") for c in covered}
        if any(d.upper().replace(".", "") in norm for d in ctx.diagnoses):
            return []
        return [self.finding(ctx, f"None of the claim diagnoses ({', '.join(ctx.diagnoses)}) is covered by "
                                  f"{ctx.profile.name} for TPI.", [])]


class ProcedureNotDocumented(Rule):
    """A TPI or needling code is billed but the note documents no such procedure.

    What it checks: 20552/20553/20560/20561 billed while no injection or needling was performed
    (a consult that plans TPIs, a nerve block, a bursa injection, ...).
    Why payers deny: a billed service must be documented.
    Insufficient note: "We will schedule trigger point injections" with 20553 billed.
    Sufficient note: A procedure section describing the injections performed.
    References: CERT error code 31 (documentation does not match the codes billed).
    """

    id, category, severity, needs_claim = "procedure-not-documented", "documentation", "hold", True

    def check(self, ctx):
        billed = ctx.billed_codes() & {"20552", "20553", "20560", "20561"}
        if not billed or ctx.facts.procedure is not None:
            return []
        return [self.finding(ctx, f"{', '.join(sorted(billed))} billed but no trigger point injection or "
                                  "needling is documented in this note.", [],
                             searched="an injection or needling performed in this encounter")]
