"""injection_count: total trigger points injected (or needled) this session, with count arithmetic.

Expectations from the contract (section 2 "injection_count") and corpus_samples/LABELLING.md,
decided before running the pipeline.
"""
import pytest

# (text, expected injection_count)
CASES = [
    pytest.param("Procedure: the R QL, R gluteus medius and R piriformis were targeted; injected each of the 3 muscles "
                 "twice with 1% lidocaine 1 mL per injection.", 6, id="each-of-the-n-muscles-twice"),
    pytest.param("TPIs today. 0.25% bupivacaine 1 mL per point, 2 points in each of: L QL, L gluteus medius, "
                 "L piriformis (6 points).", 6, id="each-of-list-then-parenthesis-total"),
    pytest.param("Procedure: bilateral splenius capitis TPIs, 1% lidocaine, at 3 points in each splenius (6 points).",
                 6, id="in-each-muscle-then-parenthesis-total"),
    pytest.param("Procedure: Depo-Medrol 40 mg/mL 1 mL with 3 mL 0.5% bupivacaine, split across the sites: the first into "
                 "the left QL, the second and third into the left gluteus medius, and the fourth into the left piriformis.",
                 4, id="ordinals-in-prose"),
    pytest.param("Trigger point injections today. Syringe 1 mL Kenalog-40 + 5 mL 0.5% ropivacaine, 2 mL at each:\n  (1) R iliopsoas\n  (2) R tensor fasciae "
                 "latae\n  (3) R rectus femoris\nNo complications.", 3, id="enumerated-sites-under-each"),
    pytest.param("PROCEDURE: Trigger point injection(s)\nMEDICATION: 1% lidocaine 3 mL, 1 mL per site\nSITES:\n  R brachioradialis ..... 2\n  R biceps brachii ...... 1\n", 3,
                 id="dot-leaders"),
    pytest.param("US-guided abdominal wall trigger point injections (R).\nInjectate: 0.25% bupivacaine, 2 mL per point.\nPoints: R rectus abdominis - two (supra- and "
                 "peri-umbilical); R external oblique - one.", 3, id="word-counts-after-a-dash"),
    pytest.param("TPI: 1 cc each.\n  Muscle           | Side | # pts\n  Gluteus maximus  | L    | 2\n  Piriformis       | L    "
                 "| 1\n", 3, id="hash-pts-column"),
    pytest.param("Sites:  R TFL - 1  |  R glute min - 1  |  R piriformis (US) - 1\nNeg aspiration prior to each.", 3,
                 id="inline-sites-with-pipes"),
    pytest.param("F/U + TPI #2\nProc: TPI R UT x2, R levator x1, R rhomboid x1 (4 pts). Each pt: 0.5 mL 1% lido.", 4,
                 id="tpi-number-two-is-not-a-count"),
    pytest.param("Tx: dry needling (no injectate) - lumbar paraspinals 3 needles ea side, R QL x2. 8 needles tot.", 8,
                 id="needles-tot"),
    pytest.param("Procedure: TPI, landmark.\n * bilat UT (2 pts R, 1 pt L)\n * rhomboid minor L + R, 1 each\n"
                 " * levator, right only, x1\n 1 mL 0.5% lidocaine per point.", 6, id="shorthand-sides-and-counts"),
    pytest.param("P: TPI today, pt consents. Landmark.\n  - UT b/l x2 ea\n  - LS L x1\n  Tot 5 pts. Per pt: 0.5 cc 1% lido."
                 " Tol well.", 5, id="soap-plan-narrating-the-procedure"),
    pytest.param("Plan: TPI performed. Sarapin 1 mL + 0.5% bupivacaine 1 mL per site in L gluteus maximus,\n"
                 "L piriformis, L TFL (3 sites; Sarapin 3 mL and bupivacaine 3 mL total).", 3,
                 id="a-count-closing-the-list"),
    pytest.param("Procedure: trigger point injections, R pectoralis minor (1 point) and R serratus anterior (2 points), "
                 "1% lidocaine.", 3, id="per-muscle-parenthesized-counts"),
    pytest.param("TPI: bilat upper trap (1 pt each) and R levator (1 pt), 1% lidocaine 1.5 mL each. Tolerated.", 3,
                 id="bilateral-one-point-each"),
    pytest.param("Returns one month after L infraspinatus/teres major TPIs, 40% relief for 3 weeks.\nProcedure: "
                 "1% lidocaine, L infraspinatus x2 trigger points, 25 g, neg aspiration.", 2,
                 id="last-sessions-muscles-are-not-todays"),
    pytest.param("Procedure: the right gluteus medius, piriformis and TFL were each injected at one trigger point "
                 "after negative aspiration.", 3, id="each-injected-at-one-point"),
    pytest.param("Procedure: bilateral rhomboids and L levator scapulae were each needled twice, 0.5% lidocaine.",
                 6, id="each-needled-twice-with-bilateral"),
    pytest.param("Procedure: L paraspinals and L QL, 3 each, injected with 0.25% bupivacaine after prep.", 6,
                 id="list-then-n-each"),
    pytest.param("TPI: R SCM, R splenius capitis, R levator. The levator was injected three times and the other "
                 "two muscles once each.", 5, id="the-other-two-once-each"),
    pytest.param("Procedure: L QL x2, L glute med x1 - 3 injections\n each: 1 mL 1% lidocaine, neg aspiration.", 3,
                 id="each-starts-the-dose-line"),
    pytest.param("TPI x4 b/l upper trap, 1 cc 1% lido each.", 4, id="terse-x4"),
    pytest.param("Trigger point injections were performed, 2 in each upper trapezius bilaterally.", 4,
                 id="two-in-each-bilateral"),
    pytest.param("TPI today: L trap x2, R levator x1.", 3, id="per-muscle-x-counts"),
    pytest.param("TPIs to bilateral trapezius with 1% lidocaine.", None, id="no-number-given"),
    pytest.param("A total of 6 trigger points were injected in the bilateral trapezius and rhomboids.", 6,
                 id="total-of-n"),
    pytest.param("Six trigger points were injected with 0.5 mL of 1% lidocaine each.", 6,
                 id="word-number"),
    pytest.param("Trigger point injections were performed at 3 sites in the left trapezius and 2 sites in "
                 "the left rhomboid.", 5, id="sites-summed"),
    pytest.param("Dry needling was performed to 5 trigger points in the right gluteus medius.", 5,
                 id="dry-needling-points"),
    pytest.param("One trigger point was injected in each of the following: left trapezius, left levator "
                 "scapulae, left rhomboid.", 3, id="one-in-each-of-list"),
    pytest.param("TPI performed x 3 into R QL.", 3, id="x-space-3"),
    pytest.param("PROCEDURE: Trigger point injection\nNumber of trigger points injected: 4\n"
                 "Sites: bilateral upper trapezius\n", 4, id="template-number-field"),
    pytest.param("Trigger point injections performed. Number of injections: four (4).", 4,
                 id="word-and-digit"),
    pytest.param("Trigger point injections were performed in the left trapezius using 3 mL of 1% lidocaine.",
                 None, id="volume-not-a-count"),
    pytest.param("Pain 7/10. Trigger point injections to the right levator scapulae were performed.", None,
                 id="pain-score-not-a-count"),
    pytest.param("This is her 3rd TPI session. Trigger point injections were performed into 4 trigger "
                 "points of the left trapezius.", 4, id="session-ordinal-not-a-count"),
    pytest.param("Trigger point injections were performed to the left trapezius with a 27-gauge needle.",
                 None, id="needle-gauge-not-a-count"),
    pytest.param("Will schedule TPI x4 to the bilateral trapezius.", None, id="planned-only"),
    pytest.param("Bilateral upper trapezius TPI, 3 points each side.", 6, id="n-each-side"),
    pytest.param("TPI x2 R SCM; x2 L SCM.", 4, id="x2-x2"),
    pytest.param("Injected 2 trigger points in the right trapezius and 1 trigger point in the right "
                 "levator scapulae.", 3, id="narrative-sum"),
    pytest.param("52 year old female with neck pain for 4 months. Trigger point injections were performed "
                 "to the left trapezius.", None, id="age-and-duration-not-counts"),
    pytest.param("Trigger point injections performed:\n- R upper trap: 2 injections\n- R levator scapulae: "
                 "1 injection\n- R rhomboid: 1 injection\n", 4, id="bulleted-per-muscle"),
    pytest.param("Under sterile conditions, trigger points in the left and right trapezius were injected, "
                 "two on each side.", 4, id="two-on-each-side"),
    pytest.param("TPIs x 8 (4 each side) to b/l trap and levator.", 8, id="total-with-breakdown"),
    pytest.param("Trigger point injections were performed in the left QL. Follow up in 2 weeks.", None,
                 id="follow-up-interval-not-a-count"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_injection_count(extract, text, expected):
    assert extract(text).injection_count == expected


# Site tables as EHR flowsheets paste them (pipes or tabs), and a procedure after a medication list.
TABLES = [
    pytest.param("Trigger point injections performed.\nInjection log:\n| # | Muscle | Side | Injectate |\n"
                 "|---|---|---|---|\n| 1 | upper trapezius | R | 1% lidocaine 1 mL |\n"
                 "| 2 | upper trapezius | R | 1% lidocaine 1 mL |\n| 3 | levator scapulae | R | 1% lidocaine 1 mL |\n",
                 3, {("trapezius", "right"), ("levator_scapulae", "right")}, id="numbered-pipe-log"),
    pytest.param("PROCEDURE: Trigger point injections, landmark technique.\nMuscle\tSide\tPoints\tVolume\n"
                 "rhomboid major\tL\t2\t1 mL\npiriformis\tL\t1\t1 mL\n",
                 3, {("rhomboid_major", "left"), ("piriformis", "left")}, id="tab-table-points-column"),
    pytest.param("Allergies: NKA. Meds: naproxen 220 mg prn, sertraline 100 mg\nPain 6/10.\n\n"
                 "Consent signed, time out. Dr. Lee injected: L upper trap x2, R upper trap x1.\n",
                 3, {("trapezius", "left"), ("trapezius", "right")}, id="after-a-medication-list"),
]


@pytest.mark.parametrize("text, count, muscles", TABLES)
def test_tables_and_lists(extract, text, count, muscles):
    f = extract(text)
    assert f.injection_count == count
    assert {(m.name, m.laterality) for m in f.muscles} == muscles


# How clinicians write which muscles got how many injections (contract: muscles, injection_count).
PHRASINGS = [
    pytest.param('I then injected two trigger points in the left levator and one in the left rhomboid major.',
                 [('levator_scapulae', 'left'), ('rhomboid_major', 'left')], 3, id='phrasing-1'),
    pytest.param('Left upper trapezius, left levator scapulae and right rhomboid major were each injected once with 1 mL of 1% lidocaine.',
                 [('levator_scapulae', 'left'), ('rhomboid_major', 'right'), ('trapezius', 'left')], 3, id='phrasing-2'),
    pytest.param('Trigger point injections: trapezius, bilaterally, 2 injections per side.',
                 [('trapezius', 'left'), ('trapezius', 'right')], 4, id='phrasing-3'),
    pytest.param('TPI performed to rhomboids b/l x 2 each.',
                 [('rhomboid', 'left'), ('rhomboid', 'right')], 4, id='phrasing-4'),
    pytest.param('TPIs given: bilat UT (3 on the right, 2 on the left).',
                 [('trapezius', 'left'), ('trapezius', 'right')], 5, id='phrasing-5'),
    pytest.param('Injected the upper traps bilaterally, 2 ea.',
                 [('trapezius', 'left'), ('trapezius', 'right')], 4, id='phrasing-6'),
    pytest.param('Trigger point injection performed into the left-sided levator scapulae at the superior angle of the scapula.',
                 [('levator_scapulae', 'left')], None, id='phrasing-7'),
    pytest.param('Procedure: TPI #4 - L trap x2, L levator x2.',
                 [('levator_scapulae', 'left'), ('trapezius', 'left')], 4, id='phrasing-8'),
    pytest.param('Trigger points were injected in the right piriformis twice and the right gluteus medius once.',
                 [('gluteus_medius', 'right'), ('piriformis', 'right')], 3, id='phrasing-9'),
    pytest.param('A total of four trigger points were injected: two in the right masseter and two in the right temporalis.',
                 [('masseter', 'right'), ('temporalis', 'right')], 4, id='phrasing-10'),
    pytest.param('Under sterile technique, I injected a single trigger point in the left infraspinatus.',
                 [('infraspinatus', 'left')], 1, id='phrasing-11'),
    pytest.param('Of the muscles examined, only the right upper trapezius was injected today (x2).',
                 [('trapezius', 'right')], 2, id='phrasing-12'),
    pytest.param('TPI: R pec minor x1, R serratus anterior x2. 0.5 mL 1% lidocaine per site.',
                 [('pectoralis_minor', 'right'), ('serratus_anterior', 'right')], 3, id='phrasing-13'),
    pytest.param('Trigger point injections were performed in the levator (L>R).',
                 [('levator_scapulae', 'left'), ('levator_scapulae', 'right')], None, id='phrasing-14'),
    pytest.param('The trapezius was injected on both sides, 3 points each.',
                 [('trapezius', 'left'), ('trapezius', 'right')], 6, id='phrasing-15'),
    pytest.param('4 TP injected L trap.',
                 [('trapezius', 'left')], 4, id='phrasing-16'),
    pytest.param('Trigger point injections performed in the right iliopsoas and right quadratus lumborum, one injection each.',
                 [('iliopsoas', 'right'), ('quadratus_lumborum', 'right')], 2, id='phrasing-17'),
    pytest.param('Exam: TrPs in bilateral upper trapezius, levator scapulae and rhomboids. TPI performed to the bilateral upper trapezius only, 2 points each side.',
                 [('trapezius', 'left'), ('trapezius', 'right')], 4, id='phrasing-18'),
    pytest.param('Needled with injection of 1% lidocaine: R SCM (2), R scalenes (1).',
                 [('scalene', 'right'), ('sternocleidomastoid', 'right')], 3, id='phrasing-19'),
]


# Session 5 list phrasings (each failed before its fix).
LISTS = [
    pytest.param("Injections: 1 trigger point each in the R rhomboid major, L rhomboid major and R levator scapulae, 1 mL 1% "
                 "lidocaine each.",
                 [("levator_scapulae", "right"), ("rhomboid_major", "left"), ("rhomboid_major", "right")], 3,
                 id="n-point-each-in-a-list"),
    pytest.param("Trigger point injections: a single point each in the left and right gluteus medius and left piriformis: "
                 "3 points, 0.25% bupivacaine 3 mL.",
                 [("gluteus_medius", "left"), ("gluteus_medius", "right"), ("piriformis", "left")], 3,
                 id="list-then-colon-total"),
    pytest.param("Procedure: 0.5% ropivacaine was injected into 3 trigger points in the right QL and 1 trigger point in "
                 "the right gluteus minimus (4 points).",
                 [("gluteus_minimus", "right"), ("quadratus_lumborum", "right")], 4, id="counted-before-then-parenthesis"),
    pytest.param("Procedure: Botox 75 units, one trigger point in each muscle, 25 units each:\n- R SCM: 25 units\n"
                 "- R scalenus medius: 25 units\n- R splenius capitis: 25 units\nTolerated.",
                 [("scalene_middle", "right"), ("splenius_capitis", "right"), ("sternocleidomastoid", "right")], 3,
                 id="one-trigger-point-in-each-muscle"),
    pytest.param("TPI performed to the R infraspinatus, 2 points; twitch responses at both infraspinatus points. Lidocaine 1%.",
                 [("infraspinatus", "right")], 2, id="both-points-is-not-both-sides"),
]


def test_a_word_hyphenated_across_a_line_is_still_the_muscle(extract):
    # PDF exports wrap "quadra-\ntus"; offsets still point at the original characters
    text = ("PROCEDURE: Trigger point injection, left quadra-\ntus lumborum (2 sites) and left gluteus mi-\nnimus "
            "(1 site), 1% lidocaine 1 mL per site.")
    f = extract(text)
    assert sorted(m.name for m in f.muscles) == ["gluteus_minimus", "quadratus_lumborum"]
    assert f.injection_count == 3
    ql = next(m for m in f.muscles if m.name == "quadratus_lumborum")
    assert text[ql.start:ql.end] == ql.text == "quadra-\ntus lumborum"
    # a real compound broken at its hyphen is left alone
    assert extract("Left-\nsided TPI, L upper trapezius x2, lidocaine.").muscle_count == 1


def test_a_pipe_table_with_a_number_sign_count_column(extract):
    f = extract("Procedure today, landmark guided, 1% lidocaine:\n\n| Muscle | Side | # TPs |\n|---|---|---|\n"
                "| Rhomboid major | R | 2 |\n| Serratus posterior superior | R | 1 |\n| Total | | 3 |\n",)
    assert sorted((m.name, m.injections) for m in f.muscles) == [("rhomboid_major", 2), ("serratus_posterior_superior", 1)]
    assert f.injection_count == 3


def test_a_tab_table_names_a_scalene_surname_first(extract):
    f = extract("TPI performed.\nMuscle\tSide\tPoints\nScalene, middle\tL\t1\nLevator scapulae\tL\t2\n")
    assert sorted((m.name, m.laterality) for m in f.muscles) == [("levator_scapulae", "left"), ("scalene_middle", "left")]


# Batches DD and EE (each failed before its fix).
LATE = [
    pytest.param("14:05 TPIs to lumbar paraspinals, 4 sites total (2 each side), 1% lidocaine 1 mL per site.", [], 4,
                 id="a-time-is-no-count"),
    pytest.param("Procedure: the right scalene middle and right pectoralis minor were injected, 1 point each, lidocaine.",
                 [("pectoralis_minor", "right"), ("scalene_middle", "right")], 2, id="scalene-middle"),
    pytest.param("Trigger points in the left teres major (two) and the left infraspinatus (one) were injected with lidocaine.",
                 [("infraspinatus", "left"), ("teres_major", "left")], 3, id="word-counts-in-parentheses"),
    pytest.param("A: myofascial pain.\nP: TPI repeated. R supraspinatus 2 points, R infraspinatus 1 point. Lidocaine 1% "
                 "1 mL per point. Tolerated well.",
                 [("infraspinatus", "right"), ("supraspinatus", "right")], 3, id="muscle-n-points-in-the-plan"),
    pytest.param("Procedure: Trigger point injections, right chest wall, landmark-guided, 1 mL 1% lidocaine per site:\n"
                 "  1st - pectoralis major, lateral border\n  2nd - serratus anterior over the 6th rib\nTolerated.",
                 [("pectoralis_major", "right"), ("serratus_anterior", "right")], 2, id="side-from-the-list-heading"),
    pytest.param("Linear probe, in-plane approach, needle tip within the left pectoralis minor, superficial to the rib "
                 "(pectoralis major crossed, not injected); two sites in the left pectoralis minor injected with lidocaine.",
                 [("pectoralis_minor", "left")], 2, id="not-injected-in-parentheses"),
]


MORE_LATE = [
    pytest.param("Procedure: TPI.\n  Right side: gluteus medius, piriformis\n  Left side: gluteus medius\n"
                 "Solution: Depo-Medrol 40 mg + 1% lidocaine 4 mL = 5 mL. Injected 1 mL at each trigger point until the full "
                 "5 mL was used.",
                 [("gluteus_medius", "left"), ("gluteus_medius", "right"), ("piriformis", "right")], 5,
                 id="count-from-volumes-and-sides-per-line"),
    pytest.param("TPI today: 1 mL into the left supraspinatus point and 1 mL into each of the two left infraspinatus points "
                 "(3 injections).", [("infraspinatus", "left"), ("supraspinatus", "left")], 3, id="sentence-closed-by-its-count"),
    pytest.param("Procedure: TPI, bilateral masseter, 2 in each masseter (superficial belly). 0.5 mL 0.5% bupivacaine per point.",
                 [("masseter", "left"), ("masseter", "right")], 4, id="n-in-each-read-from-two-mentions"),
]


def test_a_count_after_a_group_term_is_that_groups_not_the_total(extract):
    f = extract("Procedure: trigger point injections. Bilateral thoracic paraspinals 4 injections (2 each side) and left "
                "rhomboid major 1 injection, 5 injections total, 1% lidocaine.")
    assert f.injection_count == 5


# Batches HH and II (each failed before its fix).
SIDES_AND_NAMES = [
    pytest.param("Procedure: TPIs R GMed x2, R GMin x1, R piri x1, 1% lidocaine.",
                 [("gluteus_medius", "right"), ("gluteus_minimus", "right"), ("piriformis", "right")], 4, id="gluteal-abbreviations"),
    pytest.param("TPI, 1% lidocaine 1 mL per site:\n  Middle trapezius: 2R/1L\n  Rhomboid minor: 1R\n",
                 [("rhomboid_minor", "right"), ("trapezius", "left"), ("trapezius", "right")], 4, id="2R-1L"),
    pytest.param("TPI: infraspinatus and teres major, 1 each R/L = 4 injections, 0.5% bupivacaine.",
                 [("infraspinatus", "left"), ("infraspinatus", "right"), ("teres_major", "left"), ("teres_major", "right")], 4,
                 id="one-each-R-L-closing-a-list"),
    pytest.param("Procedure: TPI.\n  Splenius capitis and levator scapulae, 1 ea side -> 4 sites.\n1% lidocaine.",
                 [("levator_scapulae", "left"), ("levator_scapulae", "right"), ("splenius_capitis", "left"),
                  ("splenius_capitis", "right")], 4, id="ea-side"),
    pytest.param("Procedure (1% lidocaine 1 mL per point):\nRIGHT SIDE:\n  upper trapezius x2\n  rhomboid major x1\n"
                 "LEFT SIDE:\n  upper trapezius x1\n",
                 [("rhomboid_major", "right"), ("trapezius", "left"), ("trapezius", "right")], 4, id="side-heading-lines"),
]


@pytest.mark.parametrize("text, muscles, count", PHRASINGS + LISTS + LATE + MORE_LATE + SIDES_AND_NAMES)
def test_muscle_and_count_phrasings(extract, text, muscles, count):
    f = extract(text)
    assert sorted((m.name, m.laterality) for m in f.muscles) == [tuple(x) for x in muscles]
    assert f.injection_count == count


def test_a_one_paragraph_note_whose_procedure_is_only_sites_and_prep(extract):
    f = extract("Returns for repeat trigger point injections; her last set was in March here. Exam: taut bands in the R "
                "levator scapulae and R rhomboid minor. After chlorhexidine prep, one injection each into the R levator "
                "scapulae and R rhomboid minor (2 total) with 1% lidocaine 2 mL. No complications.")
    assert f.procedure == "trigger_point_injection"
    assert f.injection_count == 2


def test_spots_are_counted_like_points(extract):
    f = extract("Consent signed. Injected R upper trap 2 spots, R levator 1 spot, 1 cc 1% lidocaine each spot. Tolerated.")
    assert sorted((m.name, m.injections) for m in f.muscles) == [("levator_scapulae", 1), ("trapezius", 2)]
    assert f.injection_count == 3
