"""Every rule from plain Facts (no spaCy): its bad and good cases and each profile's boundaries."""
import pytest

from docgap.codes import suggest_codes
from docgap.facts import DrugFact, Facts, Muscle, PalpationFinding, PriorResponse, Therapy
from docgap.lexicon import load_lexicons
from docgap.profiles import ProfileSet
from docgap.rules import ClaimLine, RuleContext, Session, run_rules

LEX = load_lexicons()
PROFILES = ProfileSet()


def m(name, side="left"):
    return Muscle(name, side, 1, name, 0, 1)


def good_facts(**kw):
    """A fully documented session: fires nothing under default, aetna or medicare."""
    f = Facts(procedure="trigger_point_injection",
              muscles=[m("trapezius"), m("trapezius", "right"), m("levator_scapulae")],
              injection_count=4,
              therapies=[Therapy("physical_therapy", "physical therapy", "failed", "PT", 0, 2)],
              symptom_duration_days=180,
              palpation=[PalpationFinding("taut_band", "taut band", 0, 1), PalpationFinding("twitch_response", "twitch", 0, 1)],
              drugs=[DrugFact("triamcinolone", 40, "mg", "Kenalog", 0, 1), DrugFact("lidocaine", 4, "mL", "lidocaine", 0, 1)],
              pain_pre=7, pain_post=2)
    for k, v in kw.items():
        setattr(f, k, v)
    return f


def fired(facts, payer="default", billed=None, diagnoses=None, dos="2025-06-01", history=()):
    prof = PROFILES.get(payer)
    billed_lines = None if billed is None else [ClaimLine(*b) if isinstance(b, tuple) else ClaimLine(b) for b in billed]
    ctx = RuleContext(facts, prof, LEX, suggest_codes(facts, LEX, dos), billed_lines, diagnoses, dos, list(history))
    return {f.rule for f in run_rules(ctx)}


GOOD_CLAIM = ["20553", ("J3301", 4)]


@pytest.mark.parametrize("payer", ["default", "aetna", "medicare"])
def test_complete_documentation_fires_nothing(payer):
    assert fired(good_facts(), payer, billed=GOOD_CLAIM, diagnoses=["M79.18"]) == set()


def test_no_procedure_and_no_tpi_code_is_out_of_scope():
    assert fired(Facts(), "medicare", billed=["64405"]) == set()
    assert fired(Facts(), "medicare", billed=["20553"]) == {"procedure-not-documented"}


@pytest.mark.parametrize("changes, payer, expected", [
    (dict(therapies=[]), "default", {"conservative-therapy-missing"}),
    (dict(therapies=[Therapy("physical_therapy", "PT", "planned", "PT", 0, 1)]), "default", {"conservative-therapy-missing"}),
    (dict(therapies=[Therapy("medication", "NSAID", "current", "NSAIDs", 0, 1)]), "default", {"conservative-therapy-not-failed"}),
    (dict(symptom_duration_days=None), "aetna", {"duration-missing"}),
    (dict(symptom_duration_days=None), "medicare", set()),
    (dict(symptom_duration_days=89), "default", {"duration-too-short"}),
    (dict(symptom_duration_days=90), "default", set()),
    (dict(symptom_duration_days=30), "medicare", set()),
    (dict(palpation=[]), "default", {"palpation-missing"}),
    (dict(palpation=[PalpationFinding("taut_band", "t", 0, 1)]), "default", set()),
    (dict(palpation=[PalpationFinding("taut_band", "t", 0, 1)]), "medicare", {"palpation-missing"}),
    (dict(muscles=[], muscles_unspecified=True), "default", {"muscles-unspecified"}),
    (dict(injection_count=None), "default", {"injection-count-missing"}),
    (dict(drugs=[]), "default", {"drug-missing"}),
    (dict(drugs=[], procedure="dry_needling", dry_needling=True), "default", set()),
    (dict(drugs=[DrugFact("triamcinolone", None, None, "Kenalog", 0, 1)]), "default", {"drug-dose-missing"}),
    (dict(drugs=[DrugFact("lidocaine", None, None, "lidocaine", 0, 1)]), "default", set()),
    (dict(pain_post=None), "medicare", {"pain-scores-missing"}),
    (dict(pain_post=None), "default", set()),
    (dict(is_repeat=True), "default", {"repeat-response-missing"}),
    (dict(is_repeat=True, prior_response=PriorResponse(None, None)), "default", set()),
    (dict(is_repeat=True, prior_response=PriorResponse(49, 60)), "medicare", {"repeat-response-missing"}),
    (dict(is_repeat=True, prior_response=PriorResponse(50, 41)), "medicare", {"repeat-response-missing"}),
    (dict(is_repeat=True, prior_response=PriorResponse(50, 42)), "medicare", set()),
    (dict(drugs=[DrugFact("onabotulinumtoxinA", 100, "units", "Botox", 0, 1)]), "aetna", {"injectate-not-covered"}),
    (dict(drugs=[DrugFact("onabotulinumtoxinA", 100, "units", "Botox", 0, 1)]), "default", set()),
    (dict(drugs=[DrugFact("saline", 5, "mL", "saline", 0, 1)]), "medicare", {"injectate-not-covered"}),
    (dict(drugs=[DrugFact("saline", 5, "mL", "saline", 0, 1), DrugFact("lidocaine", 2, "mL", "l", 0, 1)]), "medicare", set()),
])
def test_session_rules(changes, payer, expected):
    assert fired(good_facts(**changes), payer, diagnoses=["M79.18"]) == expected


@pytest.mark.parametrize("muscles, billed, expected", [
    ([m("trapezius"), m("trapezius", "right")], ["20553"], {"cpt-overcoded"}),
    ([m("trapezius"), m("trapezius", "right")], ["20552"], set()),
    ([m("trapezius"), m("trapezius", "right"), m("rhomboid")], ["20552"], {"cpt-undercoded"}),
    ([m("trapezius"), m("trapezius", "right"), m("rhomboid")], ["20553"], set()),
])
def test_cpt_choice_boundary_2_vs_3_muscles(muscles, billed, expected):
    assert fired(good_facts(muscles=muscles, drugs=[DrugFact("lidocaine", 4, "mL", "l", 0, 1)]), billed=billed) == expected


@pytest.mark.parametrize("billed, payer, expected", [
    ([("20553", 2)], "default", {"cpt-units-invalid"}),
    (["20553", "20552"], "default", {"cpt-units-invalid", "cpt-undercoded"}),
    ([("20553", 1, ("50",))], "default", {"cpt-units-invalid"}),
    (["20553", "76942"], "default", {"imaging-unsupported"}),
    (["20553", "76942"], "aetna", {"imaging-unsupported", "imaging-not-covered"}),
    (["20553", "J2001"], "default", {"anesthetic-billed-separately"}),
    (["20553", "01992"], "default", {"anesthetic-billed-separately"}),
    (["20553", "J1885"], "default", {"jcode-unsupported"}),
    (["20553"], "default", set()),
])
def test_claim_rules(billed, payer, expected):
    f = good_facts(drugs=[DrugFact("lidocaine", 4, "mL", "l", 0, 1)])
    assert fired(f, payer, billed=billed) == expected


@pytest.mark.parametrize("billed, expected", [
    (["20553"], {"jcode-missing"}),
    (["20553", ("J3301", 1)], {"jcode-units-mismatch"}),
    (["20553", ("J3301", 4)], set()),
])
def test_jcode_rules(billed, expected):
    assert fired(good_facts(), billed=billed) == expected


def test_imaging_not_billed_only_where_covered():
    f = good_facts(imaging_guidance="ultrasound")
    assert fired(f, "default", billed=GOOD_CLAIM) == {"imaging-not-billed"}
    assert fired(f, "aetna", billed=GOOD_CLAIM) == set()
    assert fired(f, "default", billed=GOOD_CLAIM + ["76942"]) == set()


def test_dry_needling_billed_as_tpi():
    f = good_facts(procedure="dry_needling", dry_needling=True, drugs=[])
    assert fired(f, billed=["20553"]) == {"dry-needling-billed-as-tpi"}
    assert fired(f, billed=["20561"]) == set()


@pytest.mark.parametrize("dx, expected", [(["M54.2"], {"diagnosis-not-covered"}), (["M54.2", "M79.18"], set()),
                                          (["m7918"], set())])
def test_diagnosis_coverage_medicare(dx, expected):
    assert fired(good_facts(), "medicare", billed=GOOD_CLAIM, diagnoses=dx) == expected


def session(day, nid="s"):
    return Session(nid + day, day, good_facts())


@pytest.mark.parametrize("payer, prev_days_ago, expected", [
    ("medicare", 41, {"frequency-interval"}), ("medicare", 42, set()),
    ("default", 6, {"frequency-interval"}), ("default", 7, set()),
    ("aetna", 6, {"frequency-interval"}), ("aetna", 7, set()),
])
def test_frequency_interval_boundaries(payer, prev_days_ago, expected):
    from datetime import date, timedelta

    prev = (date(2025, 6, 1) - timedelta(days=prev_days_ago)).isoformat()
    f = good_facts(is_repeat=True, prior_response=PriorResponse(80, 60))
    assert fired(f, payer, history=[session(prev)]) == expected


def test_aetna_extended_interval_after_fourth_session():
    hist = [session(d) for d in ("2025-01-02", "2025-02-03", "2025-03-05", "2025-04-20")]
    f = good_facts(is_repeat=True, prior_response=PriorResponse(80, 60))
    assert fired(f, "aetna", history=hist, dos="2025-06-18") == {"frequency-interval"}  # 59 days
    assert fired(f, "aetna", history=hist, dos="2025-06-19") == set()  # 60 days


@pytest.mark.parametrize("payer, n_prev, expected", [
    ("medicare", 2, set()), ("medicare", 3, {"frequency-annual-limit"}),
    ("default", 3, set()), ("default", 4, {"frequency-annual-limit"}),
    ("aetna", 6, set()),
])
def test_annual_limit_boundaries(payer, n_prev, expected):
    days = ["2024-07-01", "2024-09-01", "2024-11-01", "2025-01-02", "2025-02-01", "2025-03-01"][:n_prev]
    f = good_facts(is_repeat=True, prior_response=PriorResponse(80, 60))
    assert fired(f, payer, history=[session(d) for d in days]) & {"frequency-annual-limit"} == expected


def test_findings_carry_policy_and_compliant_query():
    ctx = RuleContext(good_facts(muscles=[], muscles_unspecified=True), PROFILES.get("medicare"), LEX, [], None,
                      None, "2025-06-01")
    (f,) = [x for x in run_rules(ctx) if x.rule == "muscles-unspecified"]
    assert f.policy and f.query and "Unable to determine" not in f.query  # open-ended query
    ctx2 = RuleContext(good_facts(palpation=[]), PROFILES.get("medicare"), LEX, [], None, None, "2025-06-01")
    (p,) = [x for x in run_rules(ctx2) if x.rule == "palpation-missing"]
    assert "Other (please specify)" in p.query and "Unable to determine" in p.query
    for q in (f.query, p.query):
        assert not any(w in q for w in ("2055", "Medicare", "payment", "CPT"))
