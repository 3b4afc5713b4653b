"""Session injectates: canonical names and total dose (per-point dose x points, mL x concentration).

Expectations from the contract (section 2 "drugs") and corpus_samples/LABELLING.md ("drugs"),
decided before running the pipeline. One entry per drug; local anesthetics given in mL or percent
keep dose_unit "mL"; a drug named without a dose has total_dose and dose_unit null.
"""
import pytest

# (text, expected [(name, total_dose, dose_unit)])
CASES = [
    pytest.param("TPI x4 (L piriformis x2, L gluteus medius x2). Medication: Botox 100 units total, reconstituted to "
                 "50 units/mL, 25 units per point.", [("onabotulinumtoxinA", 100, "units")], id="per-point-after-a-stated-total"),
    pytest.param("TPI to R QL x2, R glute med x2. Medication: 0.5% ropivacaine, 6 mL total, 1.5 mL per site.",
                 [("ropivacaine", 6, "mL")], id="ml-total-then-per-site"),
    pytest.param("TPI. Methylprednisolone 20 mg with 1 mL 0.25% bupivacaine per point:\n  L QL - 2 points\n"
                 "  L gluteus medius - 1 point\nTotal 3 points: methylprednisolone 60 mg, bupivacaine 3 mL.",
                 [("methylprednisolone", 60, "mg"), ("bupivacaine", 3, "mL")], id="total-count-colon-then-drug-totals"),
    pytest.param("Injected R upper trap x1 and R levator x1 with Kenalog 40 mg / 1% lidocaine 4 mL, 2.5 mL each site.",
                 [("triamcinolone", 40, "mg"), ("lidocaine", 4, "mL")], id="mg-slash-percent-is-not-a-concentration"),
    pytest.param("TPI: L upper trap x1, L levator x1, each 0.25 mL Kenalog-40 (10 mg) with 1 mL 1% lidocaine.",
                 [("triamcinolone", 20, "mg"), ("lidocaine", 2, "mL")], id="each-dose-with-decimal-and-parenthesis"),
    pytest.param("TPI: L glute med x2, L TFL x1. Inj: Toradol 30 + 1% lido 3 cc, divided over the 3 pts.",
                 [("ketorolac", 30, "mg"), ("lidocaine", 3, "mL")], id="toradol-without-a-unit"),
    pytest.param("Procedure: Trigger point injection with preservative-free normal saline (patient prefers to avoid "
                 "lidocaine - prior palpitations), 1 mL per point:\n  L trapezius x1, R trapezius x1  (2 points)\n",
                 [("saline", 2, "mL")], id="saline-with-an-aside-about-lidocaine"),
    pytest.param("He has an anaphylactic reaction to lidocaine, so we used trigger point injections with normal saline "
                 "1 mL into each of 2 points in the R gluteus medius.", [("saline", 2, "mL")], id="reaction-to-lidocaine"),
    pytest.param("Risks reviewed, including elevated glucose for 1-3 days from the steroid. TPI L trap x2 with "
                 "1 mL Kenalog-40 and 2 mL 1% lidocaine.", [("triamcinolone", 40, "mg"), ("lidocaine", 2, "mL")],
                 id="glucose-in-the-risks-is-a-lab"),
    pytest.param("Trigger point injections were performed with triamcinolone 10 mg into each of 4 trigger "
                 "points in the bilateral trapezius.", [("triamcinolone", 40, "mg")], id="per-point-x-points"),
    pytest.param("TPI to the left trapezius with 1 mL of Kenalog-40.", [("triamcinolone", 40, "mg")],
                 id="kenalog-40-1ml"),
    pytest.param("Trigger point injections were performed using 2 mL of Kenalog-40 divided among 4 sites.",
                 [("triamcinolone", 80, "mg")], id="kenalog-40-2ml"),
    pytest.param("Trigger point injection of the right QL with Depo-Medrol 40 mg/mL, 1 mL.",
                 [("methylprednisolone", 40, "mg")], id="depo-medrol-mg-per-ml"),
    pytest.param("TPI x4 b/l upper trap, 1 cc 1% lido each.", [("lidocaine", 4, "mL")], id="lido-cc-each"),
    pytest.param("Trigger point injections were performed; a mixture of 4 mL 1% lidocaine and 1 mL Kenalog-40 "
                 "was injected into the left trapezius and left levator scapulae.",
                 [("lidocaine", 4, "mL"), ("triamcinolone", 40, "mg")], id="mixture-totals"),
    pytest.param("Trigger point injections were performed in the left rhomboid with dexamethasone 4 mg and "
                 "2 mL 1% lidocaine.", [("dexamethasone", 4, "mg"), ("lidocaine", 2, "mL")], id="dexamethasone"),
    pytest.param("TPI performed to the R upper trap with Toradol 30 mg.", [("ketorolac", 30, "mg")],
                 id="toradol"),
    pytest.param("Trigger point injections were performed in the left QL with 0.5% bupivacaine 5 mL.",
                 [("bupivacaine", 5, "mL")], id="bupivacaine-ml"),
    pytest.param("Botox 100 units was injected into myofascial trigger points of the bilateral trapezius.",
                 [("onabotulinumtoxinA", 100, "units")], id="botox-into-trigger-points"),
    pytest.param("Trigger point injections: 20 units of Botox into each of 3 trigger points in the left "
                 "trapezius.", [("onabotulinumtoxinA", 60, "units")], id="botox-per-point"),
    pytest.param("Three trigger points in the right trapezius were injected with 1 mL of normal saline each.",
                 [("saline", 3, "mL")], id="saline-each"),
    pytest.param("Trigger point injection of the left levator scapulae with Celestone 6 mg.",
                 [("betamethasone", 6, "mg")], id="celestone"),
    pytest.param("Trigger point injections were performed in the R trapezius with Naropin 0.2% 3 mL.",
                 [("ropivacaine", 3, "mL")], id="naropin"),
    pytest.param("She takes meloxicam 15 mg daily. Trigger point injections were performed in the left "
                 "trapezius with 2 mL of 1% lidocaine.", [("lidocaine", 2, "mL")], id="home-med-not-injectate"),
    pytest.param("TPI to the L levator scapulae, Xylocaine 1% 3 cc.", [("lidocaine", 3, "mL")], id="xylocaine"),
    pytest.param("Trigger point injections were performed in the left trapezius; Kenalog and lidocaine were "
                 "injected.", [("lidocaine", None, None), ("triamcinolone", None, None)], id="no-doses"),
    pytest.param("Dry needling was performed to the right gluteus medius, 4 trigger points.", [],
                 id="dry-needling-no-drugs"),
    pytest.param("Plan: TPI with Kenalog 40 mg to the bilateral trapezius at the next visit.", [],
                 id="planned-only-no-drugs"),
    pytest.param("Injectate: 1% lidocaine 0.5 mL + Kenalog 10 mg per site; 3 sites (L trap x2, L levator x1). "
                 "Trigger point injections were performed.",
                 [("lidocaine", 1.5, "mL"), ("triamcinolone", 30, "mg")], id="per-site-mixture"),
    pytest.param("Trigger point injections to the bilateral trapezius with 12.5% dextrose 5 mL.",
                 [("dextrose", 5, "mL")], id="dextrose"),
    pytest.param("Trigger point injections were performed with Sarapin 2 mL mixed with 2 mL 0.25% Marcaine.",
                 [("sarapin", 2, "mL"), ("bupivacaine", 2, "mL")], id="sarapin-marcaine"),
    pytest.param("Trigger point injection into the right gluteus medius with Depo-Medrol 80 mg.",
                 [("methylprednisolone", 80, "mg")], id="depo-medrol-80"),
    pytest.param("Allergies: lidocaine (rash). Trigger point injections were performed with 0.25% bupivacaine "
                 "4 mL.", [("bupivacaine", 4, "mL")], id="allergy-not-injectate"),
    pytest.param("TPI R upper trap: Kenalog-40 0.5 mL + 1% lidocaine 2 mL.",
                 [("triamcinolone", 20, "mg"), ("lidocaine", 2, "mL")], id="kenalog-40-half-ml"),
    pytest.param("Right greater occipital nerve block with 2 mL 0.5% bupivacaine and Kenalog 20 mg.", [],
                 id="nerve-block-no-session-drugs"),
]


def _norm(dose):
    return None if dose is None else round(float(dose), 3)


@pytest.mark.parametrize("text, expected", CASES)
def test_drugs(extract, text, expected):
    got = sorted(((d.name, _norm(d.total_dose), d.dose_unit) for d in extract(text).drugs), key=str)
    want = sorted(((n, _norm(dose), unit) for n, dose, unit in expected), key=str)
    assert got == want


def test_per_point_dose_without_a_count_has_no_total(extract):
    # contract: total_dose is the sum over injections; with no number of points it is not documented
    f = extract("Trigger point injections performed in the right trapezius. 4 cc of Marcaine 0.5% was "
                "injected into each trigger point.")
    assert [(d.name, d.total_dose) for d in f.drugs] == [("bupivacaine", None)]


# Dose arithmetic as clinicians write it (contract: total over the session's injections).
FOUR_POINTS = "Trigger point injections were performed in the left upper trapezius (4 points). "
ARITHMETIC = [
    pytest.param('Each site received 0.5 mL of 1% lidocaine.', [('lidocaine', 2, 'mL')], id='arithmetic-1'),
    pytest.param('Injectate: 40 mg Depo-Medrol mixed with 4 mL 0.25% bupivacaine, divided among the 4 points.', [('bupivacaine', 4, 'mL'), ('methylprednisolone', 40, 'mg')], id='arithmetic-2'),
    pytest.param('Kenalog-40 0.5 mL and lidocaine 1% 3.5 mL were used.', [('lidocaine', 3.5, 'mL'), ('triamcinolone', 20, 'mg')], id='arithmetic-3'),
    pytest.param('Toradol 15 mg per site.', [('ketorolac', 60, 'mg')], id='arithmetic-4'),
    pytest.param('Solution of dexamethasone 4 mg/mL 1 mL + 1% lidocaine 3 mL; 1 mL per point.', [('dexamethasone', 4, 'mg'), ('lidocaine', 3, 'mL')], id='arithmetic-5'),
    pytest.param('2 cc of 0.5% Marcaine with 10 mg Kenalog at each point.', [('bupivacaine', 8, 'mL'), ('triamcinolone', 40, 'mg')], id='arithmetic-6'),
    pytest.param('Normal saline 1 mL per site (lidocaine allergy).', [('saline', 4, 'mL')], id='arithmetic-7'),
    pytest.param('Sarapin 5 mL + 1% Xylocaine 5 mL total.', [('lidocaine', 5, 'mL'), ('sarapin', 5, 'mL')], id='arithmetic-8'),
    pytest.param('Used 80 mg of methylprednisolone acetate in 4 mL of 1% lidocaine.', [('lidocaine', 4, 'mL'), ('methylprednisolone', 80, 'mg')], id='arithmetic-9'),
    pytest.param('Ropivacaine 0.2%, 1.5 mL at each of the four sites.', [('ropivacaine', 6, 'mL')], id='arithmetic-10'),
    pytest.param('Injectate: ketorolac 15 mg in 1 mL with 1% lidocaine 1 mL per site (ketorolac 60 mg, lidocaine 4 mL in total).',
                 [('ketorolac', 60, 'mg'), ('lidocaine', 4, 'mL')], id='parenthesis-of-totals'),
    pytest.param('2 points per side, each receiving 0.5 mL 1% lidocaine and 0.25 mL (10 mg) Kenalog-40.',
                 [('lidocaine', 2, 'mL'), ('triamcinolone', 40, 'mg')], id='each-receiving-two-drugs'),
    pytest.param('Each pt: 0.5 mL 1% lido + Kenalog-10 0.5 mL (5 mg). Triamcinolone 20 mg tot, lido 2 mL tot.',
                 [('lidocaine', 2, 'mL'), ('triamcinolone', 20, 'mg')], id='tot-is-total'),
    pytest.param('Each site received 1 mL of a mixture of 4 mL 1% lidocaine and 20 mg triamcinolone (Kenalog-40, 0.5 mL).',
                 [('lidocaine', 4, 'mL'), ('triamcinolone', 20, 'mg')], id='each-received-a-mixture'),
    pytest.param('A mixture of 3 mL of 1% Xylocaine and 0.5 mL of Kenalog-40 (20 mg) was divided between four injections, '
                 'two into each upper trapezius.', [('lidocaine', 3, 'mL'), ('triamcinolone', 20, 'mg')], id='divided-then-each'),
    pytest.param('- mixed 4 mL 1% lido + 1 mL Kenalog-40 (5 mL total)\n- 2 in each trap b/l', [('lidocaine', 4, 'mL'),
                 ('triamcinolone', 40, 'mg')], id='each-on-the-next-line'),
    pytest.param('Each point: 0.5 mL 1% lidocaine + 5 mg triamcinolone (Kenalog-10, 0.5 mL).',
                 [('lidocaine', 2, 'mL'), ('triamcinolone', 20, 'mg')], id='each-point-heading-covers-both'),
]


@pytest.mark.parametrize("text, expected", ARITHMETIC)
def test_dose_arithmetic(extract, text, expected):
    f = extract(FOUR_POINTS + text)
    assert sorted(((d.name, d.total_dose, d.dose_unit) for d in f.drugs), key=str) == [tuple(x) for x in expected]


def test_a_copied_forward_procedure_from_an_earlier_date_gives_no_drugs_for_today(extract):
    # the old visit's paragraph is kept, with its date, above today's procedure
    f = extract("PROCEDURE (02/03/2025): TPI L rhomboid, 2 points, Depo-Medrol 20 mg per point with 1% lidocaine 2 mL. "
                "Tolerated.\n\nToday: TPI R upper trapezius x2 with 0.5% bupivacaine 1 mL per point, no steroid.",
                date_of_service="2025-04-22")
    assert [d.name for d in f.drugs] == ["bupivacaine"]
    # the same paragraph without an earlier date is today's
    f = extract("PROCEDURE: TPI L rhomboid, 2 points, Depo-Medrol 20 mg per point with 1% lidocaine 2 mL. Tolerated.",
                date_of_service="2025-04-22")
    assert sorted(d.name for d in f.drugs) == ["lidocaine", "methylprednisolone"]


def test_the_volume_of_the_whole_mixture_written_in_all_is_no_drug_dose(extract):
    f = extract(FOUR_POINTS + "Injectate: 3 mL of 1% lidocaine with 10 mg dexamethasone (1 mL of Decadron 10 mg/mL added, "
                "4 mL in all).")
    assert [(d.name, d.total_dose, d.dose_unit) for d in f.drugs if d.name == "dexamethasone"] == [("dexamethasone", 10, "mg")]


def test_half_a_cc_of_the_second_drug_at_each_point(extract):
    f = extract("I injected four trigger points in the right upper trapezius. At each point I used one cc of 1% Xylocaine "
                "mixed with half a cc of Kenalog-10.")
    assert sorted((d.name, d.total_dose, d.dose_unit) for d in f.drugs) == [("lidocaine", 4, "mL"), ("triamcinolone", 20, "mg")]


def test_a_per_point_dose_inside_a_parenthesis_of_totals_is_per_point(extract):
    f = extract("TPI: two points in each levator scapulae (4 injections total), 1 mL of the mixture per point (triamcinolone "
                "10 mg per point, 40 mg total).")
    assert [(d.name, d.total_dose, d.dose_unit) for d in f.drugs] == [("triamcinolone", 40, "mg")]


def test_medication_list_and_administration_record_lines(extract):
    f = extract("CURRENT OUTPATIENT MEDICATIONS\npredniSONE (DELTASONE) 10 MG tablet  Take as directed.\n\n"
                "MEDICATIONS ADMINISTERED IN CLINIC\ntriamcinolone acetonide (KENALOG-40) 40 mg/mL injection 40 mg   Dose: 40 mg   "
                "Route: IM   Lot: AB12\n\nProcedure: TPI R levator scapulae x2 with the Kenalog above and 1% lidocaine 2 mL.")
    assert sorted((d.name, d.total_dose) for d in f.drugs) == [("lidocaine", 2), ("triamcinolone", 40)]


def test_a_product_strength_before_the_dose_is_not_a_second_dose(extract):
    f = extract("ONABOTULINUMTOXINA 100 UNIT INJECTION -- 100 units -- IM -- Lot X1. Procedure: Botox into trigger points, "
                "R trapezius x2.")
    assert [(d.name, d.total_dose, d.dose_unit) for d in f.drugs] == [("onabotulinumtoxinA", 100, "units")]
    f = extract("Procedure: Botox 200-unit vial reconstituted to 100 units/mL; total 150 units injected into trigger points:\n"
                "  R levator scapulae 75 units (2 sites)\n  L levator scapulae 75 units (2 sites)\nTotal: 4 injection sites.")
    assert [(d.name, d.total_dose, d.dose_unit) for d in f.drugs] == [("onabotulinumtoxinA", 150, "units")]
    assert f.injection_count == 4


# Drugs named in a note that are not today's injectate (each failed before its fix).
NOT_TODAYS = [
    pytest.param("Procedure: TPI R upper trapezius x2. We talked about adding Depo-Medrol but decided against a steroid "
                 "with her diabetes. 1% lidocaine 1 mL per point. Tolerated.",
                 ["lidocaine"], id="talked-about-then-decided-against"),
    pytest.param("HPI\nNeck pain for 6 months. Got a Kenalog 40 mg shot in the hip from ortho in June.\n\n"
                 "Procedure: TPI L levator scapulae x2, 0.5% bupivacaine 1 mL each. Tolerated.",
                 ["bupivacaine"], id="a-steroid-under-a-bare-HPI-title"),
    pytest.param("Discussion: given the short response to bupivacaine TPIs, we agreed on Botox into the trigger points. Procedure: Botox "
                 "25 units into each of 2 trigger points in the L masseter.",
                 ["onabotulinumtoxinA"], id="the-drug-of-an-earlier-response"),
]


@pytest.mark.parametrize("text, expected", NOT_TODAYS)
def test_drugs_that_are_not_todays(extract, text, expected):
    assert [d.name for d in extract(text).drugs] == expected


def test_a_per_point_dose_followed_by_its_total_in_parentheses(extract):
    f = extract("P: TPI R upper trap x2, R levator x2 - 1% lidocaine 1 mL/pt (4 mL) + triamcinolone 10 mg/pt (40 mg). Tolerated.")
    assert sorted((d.name, d.total_dose) for d in f.drugs) == [("lidocaine", 4), ("triamcinolone", 40)]
