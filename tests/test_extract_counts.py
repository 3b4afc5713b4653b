"""injection_count: total trigger points injected (or needled) this session, with count arithmetic.

Expectations from the contract (section 2 "injection_count") and corpus_samples/LABELLING.md,
decided before running the pipeline.
"""
import pytest

# (text, expected injection_count)
CASES = [
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
