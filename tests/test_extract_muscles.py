"""Injected muscles: canonical names, laterality, bilateral expansion, exam-only exclusion, group terms.

Expectations follow the contract (section 2 "muscles"/"muscle_count", section 4 names) and
corpus_samples/LABELLING.md, decided before running the pipeline.
"""
import pytest

L, R, N = "left", "right", None

# (text, expected {(name, laterality)}, expected muscles_unspecified)
CASES = [
    pytest.param(
        "Procedure: lidocaine 1% 0.5 mL per point:\n  m. trapezius pars descendens dext. - 2 points\n"
        "  m. levator scapulae sinistra - 1 point\n  m. rhomboideus minor sin. - 1 point\nTotal 4 points.",
        {("trapezius", R), ("levator_scapulae", L), ("rhomboid_minor", L)}, False, id="latin-sides-after-the-name"),
    pytest.param(
        "P: TPI, consent, 27g. 0.5cc 1% lido ea x4 (2 per side UT). Tol well.",
        {("trapezius", L), ("trapezius", R)}, False, id="per-side-before-the-muscle"),
    pytest.param(
        "Procedure: consent obtained. 0.5% ropivacaine 1 mL per point, no corticosteroid: R supraspinatus x2, "
        "R infraspinatus x1 (3 points, 3 mL). Tolerated well.",
        {("supraspinatus", R), ("infraspinatus", R)}, False, id="no-steroid-colon-then-sites"),
    pytest.param(
        "Plan: proceed with TPIs today.\nMixed 1 mL Kenalog 40 with 4 mL 1% lidocaine; about 1 mL per point:\n"
        " L infraspinatus - two points\n L teres minor - one point\nNo complications.",
        {("infraspinatus", L), ("teres_minor", L)}, False, id="sites-listed-under-a-per-point-dose-line"),
    pytest.param(
        "P: dry needling after consent, no injectate, solid filament.\n   R gluteus medius: 2 trigger points\n"
        "   R piriformis: 1 trigger point\n   3 points needled in all, tolerated well.",
        {("gluteus_medius", R), ("piriformis", R)}, False, id="muscle-colon-n-trigger-points-lines"),
    pytest.param(
        "Trigger point injections were performed in the bilateral upper trapezius.",
        {("trapezius", L), ("trapezius", R)}, False, id="bilateral-upper-trapezius"),
    pytest.param(
        "TPI x4 b/l upper trap, 1 cc 1% lido each.",
        {("trapezius", L), ("trapezius", R)}, False, id="terse-bl-upper-trap"),
    pytest.param(
        "Procedure: TPI to L levator scapulae and R rhomboids. Tolerated well.",
        {("levator_scapulae", L), ("rhomboid", R)}, False, id="L-levator-R-rhomboids"),
    pytest.param(
        "Trigger point injections were performed into the left SCM and left scalenes.",
        {("sternocleidomastoid", L), ("scalene", L)}, False, id="scm-scalenes"),
    pytest.param(
        "Trigger point injections: R QL x2, R glute med x1.",
        {("quadratus_lumborum", R), ("gluteus_medius", R)}, False, id="ql-glute-med-shorthand"),
    pytest.param(
        "Exam: taut bands in the bilateral trapezius and left levator scapulae. "
        "Trigger point injections were performed in the left upper trapezius only.",
        {("trapezius", L)}, False, id="exam-muscles-not-injected"),
    pytest.param(
        "Trigger point injections were performed into the cervical paraspinals bilaterally.",
        set(), True, id="group-cervical-paraspinals-only"),
    pytest.param(
        "TPIs were administered to the shoulder girdle muscles on the right.",
        set(), True, id="group-shoulder-girdle-only"),
    pytest.param(
        "Trigger point injections performed to the right upper trapezius and the lumbar paraspinals.",
        {("trapezius", R)}, True, id="specific-plus-group"),
    pytest.param(
        "Injected the left upper trapezius (2 points) and the left lower trapezius (1 point) "
        "with 1% lidocaine.",
        {("trapezius", L)}, False, id="upper-and-lower-trap-one-muscle"),
    pytest.param(
        "A trigger point injection into the piriformis was performed with 0.25% bupivacaine 3 mL.",
        {("piriformis", N)}, False, id="side-not-stated"),
    pytest.param(
        "TPI bilat levator scapulae and bilat rhomboid major, 1 mL 1% lidocaine per site.",
        {("levator_scapulae", L), ("levator_scapulae", R), ("rhomboid_major", L), ("rhomboid_major", R)},
        False, id="bilat-levator-rhomboid-major"),
    pytest.param(
        "She had TPIs to the right trapezius in 2023 with good relief. "
        "Today trigger point injections were performed in the left infraspinatus.",
        {("infraspinatus", L)}, False, id="history-muscle-excluded"),
    pytest.param(
        "Trigger point injections performed: R TFL, R lats.",
        {("tensor_fasciae_latae", R), ("latissimus_dorsi", R)}, False, id="tfl-lats-shorthand"),
    pytest.param(
        "TPI performed to the left pec minor and left serratus anterior.",
        {("pectoralis_minor", L), ("serratus_anterior", L)}, False, id="pec-minor-serratus"),
    pytest.param(
        "Trigger point injections were performed in the right masseter and right temporalis "
        "for myofascial TMD.",
        {("masseter", R), ("temporalis", R)}, False, id="masticatory-muscles"),
    pytest.param(
        "P: TPI performed today to L trap, L levator, L rhomboid. Pt tolerated well.",
        {("trapezius", L), ("levator_scapulae", L), ("rhomboid", L)}, False, id="soap-plan-shorthand"),
    pytest.param(
        "Trigger point injections were performed.\nMuscles injected:\n- Trapezius, left\n"
        "- Levator scapulae, left\n- Splenius capitis, right\n",
        {("trapezius", L), ("levator_scapulae", L), ("splenius_capitis", R)}, False, id="bulleted-list"),
    pytest.param(
        "TPI to bilateral erector spinae and bilateral QL.",
        {("quadratus_lumborum", L), ("quadratus_lumborum", R)}, True, id="erector-spinae-plus-ql"),
    pytest.param(
        "Trigger point injections were performed into the right rotator cuff.",
        set(), True, id="group-rotator-cuff"),
    pytest.param(
        "The left trapezius was not injected due to skin irritation; trigger point injections were "
        "performed in the right trapezius and the right levator scapulae.",
        {("trapezius", R), ("levator_scapulae", R)}, False, id="negated-injection-site"),
    pytest.param(
        "Trigger point injections were performed into the right hamstrings.",
        set(), True, id="group-hamstrings"),
    pytest.param(
        "Trigger point injecitons performed to the left trapezuis.",
        {("trapezius", L)}, False, id="typos"),
    pytest.param(
        "TPI L gluteus med and L piriformis, 3 points total, 1% lidocaine.",
        {("gluteus_medius", L), ("piriformis", L)}, False, id="gluteus-med"),
    pytest.param(
        "Trigger point injections were performed into the R mid trap and R rhomboid minor.",
        {("trapezius", R), ("rhomboid_minor", R)}, False, id="mid-trap-rhomboid-minor"),
    pytest.param(
        "Trigger point injections were performed in the bilateral splenius capitis and bilateral "
        "semispinalis capitis.",
        {("splenius_capitis", L), ("splenius_capitis", R), ("semispinalis_capitis", L), ("semispinalis_capitis", R)},
        False, id="bilateral-splenius-semispinalis"),
    pytest.param(
        "PROCEDURE: Trigger point injection\nSITE(S): Right upper trapezius, right levator scapulae, "
        "right rhomboid minor\nNEEDLE: 25 g 1.5 in\nMEDICATION: 1% lidocaine 1 mL per site\n",
        {("trapezius", R), ("levator_scapulae", R), ("rhomboid_minor", R)}, False, id="ehr-template-sites"),
    pytest.param(
        "Pt is a 45 yo F with R sided neck pain. Today TPIs were given in the right SCM and the right "
        "anterior scalene.",
        {("sternocleidomastoid", R), ("scalene_anterior", R)}, False, id="anterior-scalene"),
    pytest.param(
        "Trigger point injections were given into the bilat gastrocnemius.",
        {("gastrocnemius", L), ("gastrocnemius", R)}, False, id="bilat-gastrocnemius"),
    pytest.param(
        "Trigger point injections were performed in the left and right trapezius.",
        {("trapezius", L), ("trapezius", R)}, False, id="left-and-right-coordinated"),
]


@pytest.mark.parametrize("text, expected, unspecified", CASES)
def test_injected_muscles(extract, text, expected, unspecified):
    f = extract(text)
    got = {(m.name, m.laterality) for m in f.muscles}
    assert (got, f.muscles_unspecified) == (expected, unspecified)


# (text, expected muscle_count)
COUNT_CASES = [
    pytest.param("Trigger point injections were performed in the bilateral upper trapezius and bilateral "
                 "levator scapulae.", 4, id="four-muscles-bilateral"),
    pytest.param("Trigger point injections were performed into the lumbar paraspinals.", 0,
                 id="group-only-zero"),
    pytest.param("Injected L upper trap x2 and L lower trap x1.", 1, id="trap-parts-count-once"),
    pytest.param("Plan: trigger point injections to the bilateral trapezius at the next visit.", None,
                 id="planned-only-null"),
    pytest.param("Trigger point injections were performed; sites not recorded.", 0,
                 id="procedure-no-site-zero"),
]


@pytest.mark.parametrize("text, expected", COUNT_CASES)
def test_muscle_count(extract, text, expected):
    assert extract(text).muscle_count == expected


def test_a_group_term_beside_its_injected_member_is_not_another_site(extract):
    f = extract("Procedure: 25 g needle for the glutes. 1% lidocaine 1 mL injected into the R gluteus medius x2 "
                "and R gluteus minimus x1.")
    assert {m.name for m in f.muscles} == {"gluteus_medius", "gluteus_minimus"}
    assert not f.muscles_unspecified


def test_a_group_with_no_member_named_stays_unspecified(extract):
    f = extract("Procedure: TPI to the R paraspinals and R quadratus lumborum, 1% lidocaine, neg aspiration.")
    assert f.muscles_unspecified


def test_points_in_order_are_injected_muscles(extract):
    # "in order" is a sequence, not an order for a test or a referral (HYPOTHETICAL)
    f = extract("Repeat TPI - lumbar.\nProc: consent, prone. 1% lidocaine 1 mL per point. Points in order: first and "
                "second L glute med, third L QL.")
    assert {(m.name, m.laterality) for m in f.muscles} == {("gluteus_medius", "left"), ("quadratus_lumborum", "left")}
    assert f.injection_count == 3


def test_enumerated_sites_under_a_per_point_dose_in_an_exam(extract):
    f = extract("Abd wall TPI, L side.\nExam: TrP L rectus abdominis w/ local twitch, TrP L ext oblique.\n"
                "Mix: Kenalog 10 mg per point + 0.25% bupivacaine 2 mL per point.\n  1st: L rectus abdominis, lateral to "
                "umbilicus\n  2nd: L external oblique, below costal margin\nTolerated.")
    assert {(m.name, m.laterality) for m in f.muscles} == {("rectus_abdominis", "left"), ("external_oblique", "left")}
    assert f.injection_count == 2


def test_biceps_alone_is_the_arm_and_biceps_femoris_the_thigh(extract):
    f = extract("TPIs to R deltoid, R biceps and R triceps with 1% lidocaine plain, 6 mL total.")
    assert {m.name for m in f.muscles} == {"deltoid", "biceps_brachii", "triceps_brachii"}
    g = extract("TPI: L biceps femoris x2 with 1% lidocaine, neg aspiration.")
    assert {m.name for m in g.muscles} == {"biceps_femoris"}
