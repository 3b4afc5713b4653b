"""Layouts real notes come in: template checkboxes, site tables with side columns, wrapped lines,
copy-forward updates, problem lists. Expectations from the contract (sections 2 and 4)."""
import pytest

CHECKBOX_TPI = ("Procedure: [X] Trigger point injection(s)  [ ] Occipital nerve block  [ ] Other\n"
                "Guidance:  [X] Ultrasound  [ ] Fluoroscopy  [ ] None\n"
                "Exam: [X] Taut band  [ ] Local twitch  [X] Referred pain  [ ] Jump sign\n"
                "Sites:\n  R sternocleidomastoid - 2\n  R anterior scalene - 1\n"
                "Injectate: 1% lidocaine 3 mL, divided among sites\n")
CHECKBOX_SI = ("Procedure: [ ] Trigger point injection(s)  [X] Sacroiliac joint injection  [ ] Other\n"
               "Technique: 22G spinal needle into the R SI joint under fluoroscopy.\n"
               "Injectate: 40 mg triamcinolone + 1 mL 0.5% bupivacaine.\n")


def test_checkboxes_tick_and_untick(extract):
    f = extract(CHECKBOX_TPI)
    assert f.procedure == "trigger_point_injection"
    assert f.imaging_guidance == "ultrasound"
    assert {p.kind for p in f.palpation} == {"taut_band", "referred_pain"}
    assert sorted((m.name, m.laterality, m.injections) for m in f.muscles) == [
        ("scalene_anterior", "right", 1), ("sternocleidomastoid", "right", 2)]
    assert f.injection_count == 3
    assert extract(CHECKBOX_SI).procedure is None


def test_site_table_with_side_columns(extract):
    text = ("Procedure: [X] Trigger point injection(s)\nMuscles injected / # sites:\n"
            "  Muscle            | L | R\n  Upper trapezius   | 2 | 2\n  Levator scapulae  | 1 | 0\n"
            "  Rhomboid minor    | 0 | 0\nInjectate: 0.25% bupivacaine 6 mL total\n")
    f = extract(text)
    assert sorted((m.name, m.laterality) for m in f.muscles) == [
        ("levator_scapulae", "left"), ("trapezius", "left"), ("trapezius", "right")]
    assert f.injection_count == 5


@pytest.mark.parametrize("text, count, muscles", [
    pytest.param("TPI: R and L upper trapezius and R levator scapulae injected at 3, 2 and 1 points respectively.",
                 6, {("trapezius", "right"), ("trapezius", "left"), ("levator_scapulae", "right")}, id="respectively-sides"),
    pytest.param("Trigger point injections: 0.5% lidocaine, 2 points in the left upper trapezius, 2 in the right.",
                 4, {("trapezius", "left"), ("trapezius", "right")}, id="ellipsis-other-side"),
    pytest.param("Injected Sarapin 2 mL per site:\n- Trapezius L x2, R x2\n- Levator scapulae L x1, R x1\n",
                 6, {("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "left"),
                     ("levator_scapulae", "right")}, id="side-pairs"),
    pytest.param("Trigger points palpated R levator scapulae (2) and R rhomboid major (1).\n\nPlan\nTPI performed. "
                 "3 mL 1% lidocaine without epi total, 1 mL each at R levator x2 and R rhomboid major x1.",
                 3, {("levator_scapulae", "right"), ("rhomboid_major", "right")}, id="without-epi"),
])
def test_counts_in_layouts(extract, text, count, muscles):
    f = extract(text)
    assert f.injection_count == count
    assert {(m.name, m.laterality) for m in f.muscles} == muscles


def test_problem_list_numbers_are_not_counts(extract):
    text = ("#1 myofascial pain L SCM / scalenes - TPI today\n#2 HTN - stable\n"
            "TPI: consent obtained. 1% lidocaine 1 mL into L SCM and 1 mL into L scalene, 2 injections total.\n")
    assert extract(text).injection_count == 2


def test_wrapped_line_phrases_match(extract):
    text = ("Trigger points palpated in the R levator scapulae and the R rhomboid major, each with positive jump\n"
            "sign. Trigger point injections were performed in the R levator scapulae.")
    assert {p.kind for p in extract(text).palpation} >= {"jump_sign"}


def test_current_duration_wins_over_copied_forward(extract):
    text = ("HPI (copied from 3/2025): neck pain x 1 yr.\n** 06/02 update: symptoms now for about 15 months.\n"
            "Trigger point injections were performed in the left upper trapezius.")
    assert extract(text, date_of_service="2025-06-02").symptom_duration_days == 450


@pytest.mark.parametrize("text", [
    "Procedure: Botox 155 units per PREEMPT protocol, 31 sites: temporalis 40, occipitalis 30, trapezius 30. "
    "No trigger point injections today.",
    "Seen in office in July for trigger point injections to the right trapezius; reports she is about the same. "
    "Telehealth today, no procedure.",
    "1. Trigger point injections to L upper trapezius and L levator scapulae with 1% lidocaine can be done at "
    "bedside once CK normalizes; will re-evaluate tomorrow.",
])
def test_not_a_procedure_today(extract, text):
    assert extract(text).procedure is None


@pytest.mark.parametrize("text, count, muscles", [
    pytest.param("Tx:\n- Dry needling (consent on file, pt not on anticoagulants): 0.25 x 40 mm needles, R UT x2 pts, "
                 "R levator x1 pt. Total 3 TrPs.", 3, {("trapezius", "right"), ("levator_scapulae", "right")},
                 id="not-on-anticoagulants"),
    pytest.param("Exam: levator scapulae bilaterally with taut bands.\nMixed in a 10 mL syringe: Sarapin 5 mL + 1% "
                 "lidocaine 5 mL.\nLevator scapulae x2 each side; R UT x1.\n1 mL per site.\n", 5,
                 {("levator_scapulae", "left"), ("levator_scapulae", "right"), ("trapezius", "right")},
                 id="counted-beside-injectate"),
    pytest.param("Procedure: a single syringe with 40 mg triamcinolone and 4 mL 0.5% ropivacaine. Mixture divided "
                 "between the R gluteus medius, R gluteus minimus and R TFL. Total: six sites, two per muscle.", 6,
                 {("gluteus_medius", "right"), ("gluteus_minimus", "right"), ("tensor_fasciae_latae", "right")},
                 id="mixture-divided-between"),
    pytest.param("Sites: QL 2 each side, R glute med x1 - 5 injections total. Trigger point injections performed.", 5,
                 {("quadratus_lumborum", "left"), ("quadratus_lumborum", "right"), ("gluteus_medius", "right")},
                 id="each-side-then-a-sided-muscle"),
])
def test_more_layouts(extract, text, count, muscles):
    f = extract(text)
    assert f.injection_count == count
    assert {(m.name, m.laterality) for m in f.muscles} == muscles


@pytest.mark.parametrize("text, muscles, count", [
    pytest.param("Pt with 4 mo of neck pain, failed PT.  Exam: taut band R levator scapulae w/ twitch.  Procedure: "
                 "0.5% bupivacaine 1 mL into each of 2 points in the R levator scapulae.  Plan: RTC 6 wks.",
                 {("levator_scapulae", "right")}, 2, id="run-in-headers-one-line"),
    pytest.param("CC: low back pain.  Hx: a year of pain, PT x8 wks without relief.  PE: taut bands L QL.  "
                 "TPI: 1% lidocaine 2 mL into L QL x2.  Tolerated well.",
                 {("quadratus_lumborum", "left")}, 2, id="run-in-abbreviated-headers"),
])
def test_run_in_headers_open_sections(extract, text, muscles, count):
    f = extract(text)
    assert f.procedure == "trigger_point_injection"
    assert {(m.name, m.laterality) for m in f.muscles} == muscles
    assert f.injection_count == count


def test_lowercase_title_mid_sentence_is_not_a_header(extract):
    # "the plan: ..." and "for the procedure: ..." are prose, not section titles
    f = extract("We went over the plan: PT for 6 weeks, then trigger point injections to the R upper trapezius "
                "if no better.")
    assert f.procedure is None


@pytest.mark.parametrize("text, muscles, count", [
    pytest.param("Exam: taut band R infraspinatus with twitch, R teres minor TTP.\n\nVerbal consent. R infraspinatus (2), "
                 "R teres minor (1). 25 g needle, 0.5% bupivacaine 1 mL per point. Tolerated.\n\nDx M79.18",
                 {("infraspinatus", "right"), ("teres_minor", "right")}, 3, id="exam-runs-on-over-procedure-paragraph"),
    pytest.param("O: L piriformis TrP reproducing buttock pain. Hip ROM full.\nDry needling, no injectate, 0.30 x 75 mm.\n"
                 " L piriformis x2\nLTR obtained. Tolerated well.\nPlan: HEP.",
                 {("piriformis", "left")}, 2, id="exam-line-opens-with-the-procedure"),
])
def test_exam_section_running_on_over_the_procedure(extract, text, muscles, count):
    f = extract(text)
    assert {(m.name, m.laterality) for m in f.muscles} == muscles
    assert f.injection_count == count


def test_exam_paragraph_without_procedure_details_stays_exam(extract):
    f = extract("Exam: taut bands L upper trapezius.\n\nNeuro: strength 5/5, L levator scapulae TTP.\n\n"
                "Procedure: TPI performed, 1% lidocaine 1 mL x2 into the L upper trapezius, neg aspiration.")
    assert {(m.name, m.laterality) for m in f.muscles} == {("trapezius", "left")}


def test_table_with_a_site_column_and_a_count_column(extract):
    text = ("Procedure: trigger point injections, landmark.\n\n| Site | Side | TrPs | Injectate |\n|---|---|---|---|\n"
            "| infraspinatus | L | 2 | 1% lidocaine 2 mL |\n| teres minor | L | 1 | 1% lidocaine 1 mL |\n")
    f = extract(text)
    assert sorted((m.name, m.injections) for m in f.muscles) == [("infraspinatus", 2), ("teres_minor", 1)]
    assert f.injection_count == 3


def test_a_listed_site_with_zero_injections_is_not_injected(extract):
    f = extract("Sites injected:\n  L infraspinatus - 2\n  L teres major - 1\n  R infraspinatus - 0 (deferred, pt "
                "lightheaded)\nTotal trigger points injected: 3\nMedication: 1% lidocaine 3 mL\n")
    assert sorted((m.name, m.laterality) for m in f.muscles) == [("infraspinatus", "left"), ("teres_major", "left")]
    assert f.injection_count == 3


def test_sides_in_parentheses_after_the_count(extract):
    f = extract("Tension-type HA, TPI today.\nProcedure: consent, 27 g.\n - semispinalis capitis: 1 in each (L and R)\n - levator scapulae: 2 in "
                "each (R and L)\n 6 injections, 1% lidocaine 0.5 mL each.")
    assert {(m.name, m.laterality) for m in f.muscles} == {
        ("semispinalis_capitis", "left"), ("semispinalis_capitis", "right"),
        ("levator_scapulae", "left"), ("levator_scapulae", "right")}
    assert f.injection_count == 6


def test_raw_dictation_with_spoken_punctuation(extract):
    text = ("returning for repeat trigger point injections period neck pain for about 6 months comma failed PT period "
            "new paragraph exam colon taut band left upper trapezius with twitch period new paragraph procedure colon "
            "after consent 1% lidocaine was injected left upper trapezius times 2 comma left levator scapulae times 1 "
            "for a total of three injections period tolerated well period")
    f = extract(text)
    assert f.procedure == "trigger_point_injection"
    assert sorted((m.name, m.laterality, m.injections) for m in f.muscles) == [
        ("levator_scapulae", "left", 1), ("trapezius", "left", 2)]
    assert f.injection_count == 3
    assert f.symptom_duration_days == 180
    d = f.to_dict()
    for mu in d["muscles"]:  # offsets still slice the original text
        assert text[mu["start"]:mu["end"]] == mu["text"]


def test_period_of_time_is_not_spoken_punctuation():
    from docgap.textprep import clean_for_nlp

    text = "PT over a period of 6 weeks period then HEP comma no relief period stopped period"
    out = clean_for_nlp(text)
    assert len(out) == len(text)
    assert "a period of 6 weeks." in out


def test_procedure_points_back_at_the_exam_muscles(extract):
    f = extract("Exam: active trigger points on palpation in the R gluteus medius and R piriformis.\n"
                "Procedure: 0.5% bupivacaine 2 mL into each of the two muscles named above (2 injections), landmark.")
    assert f.procedure == "trigger_point_injection"
    assert {(m.name, m.laterality) for m in f.muscles} == {("gluteus_medius", "right"), ("piriformis", "right")}
    assert f.injection_count == 2


def test_a_title_line_does_not_swallow_the_history_under_it(extract):
    f = extract("Trigger point injection - ultrasound guided\n\n52 yo F, neck pain since May. MRI: supraspinatus "
                "tendinosis.\n\nExam: taut band R infraspinatus.\n\nProcedure: injected R infraspinatus x2 with 1% "
                "lidocaine 2 mL.")
    assert {(m.name, m.laterality) for m in f.muscles} == {("infraspinatus", "right")}


def test_plain_text_table_aligned_with_spaces(extract):
    text = ("Procedure: Trigger Point Injections\nGuidance: none, landmark.\n\n"
            "Site        Side   Points   Injectate per point\n"
            "QL          R      2        2 mL 0.25% bupivacaine\n"
            "Glute med   L      1        2 mL 0.25% bupivacaine\n\nNo complications.  Tolerated well.  F/u 6 wks.\n")
    f = extract(text)
    assert sorted((m.name, m.laterality, m.injections) for m in f.muscles) == [
        ("gluteus_medius", "left", 1), ("quadratus_lumborum", "right", 2)]
    assert f.injection_count == 3


def test_template_side_slash_points(extract):
    text = ("[Clinic EHR Template: Trigger Point Injection]\nMuscles injected (side / # points):\n"
            "  Rhomboid major - R / 2\n  Levator scapulae - R / 1\n  Other: ______\n"
            "Injectate: [x] Lidocaine 1%  vol: 3 mL\n")
    f = extract(text)
    assert sorted((m.name, m.laterality, m.injections) for m in f.muscles) == [
        ("levator_scapulae", "right", 1), ("rhomboid_major", "right", 2)]
    assert f.injection_count == 3


def test_site_table_without_injection_words_in_its_rows(extract):
    text = ("HPI: R shoulder pain x 7 months.\nExam: R UT taut band; R infraspinatus TrP.\n\n"
            "| Muscle | Side | Points | Injectate per point |\n|---|---|---|---|\n"
            "| Upper trapezius | R | 2 | 0.8 mL mix |\n| Infraspinatus | R | 1 | 0.8 mL mix |\n\n"
            "Mix: dexamethasone 4 mg + 1% lidocaine 2 mL.\n")
    f = extract(text)
    assert f.procedure == "trigger_point_injection"
    assert sorted((m.name, m.injections) for m in f.muscles) == [("infraspinatus", 1), ("trapezius", 2)]


def test_follow_up_after_dated_tpis_with_a_planned_repeat_is_no_procedure(extract):
    f = extract("47M f/u after L trap TPIs on 8/26; about 50% better for 3 weeks.\nExam: TrPs L upper trapezius.\n"
                "Plan: repeat TPI L trapezius at next visit.")
    assert f.procedure is None


def test_each_side_of_one_site_does_not_reach_the_next_muscle(extract):
    f = extract("Procedure: TPIs into bilateral lumbar paraspinals (3 sites each side) and L QL (1 site). Total 7 sites.")
    assert {(m.name, m.laterality) for m in f.muscles} == {("quadratus_lumborum", "left")}


def test_soap_plan_that_narrates_the_guided_procedure(extract):
    f = extract("S: R hip pain. O: taut band R gluteus medius.\nP: Ultrasound-guided TPIs performed, R gluteus medius x2, "
                "1% lidocaine 2 mL, neg aspiration.")
    assert f.imaging_guidance == "ultrasound"


def test_a_run_in_allergy_list_covers_its_line_only(extract):
    text = ("0905  Pt arrived for repeat TPI. ID x2 verified. Allergies: NKDA.\n0916  MD palpated taut bands bilat upper "
            "trap.\n0918  Injections by MD: bilat upper trap, 2 sites each (4 total). Kenalog 40 mg total + 1% lidocaine "
            "4 mL.\n0925  Band-aids x4. Pt tol well.\n")
    f = extract(text)
    assert {(m.name, m.laterality) for m in f.muscles} == {("trapezius", "left"), ("trapezius", "right")}
    assert f.injection_count == 4


def test_an_imaging_finding_named_like_a_procedure_does_not_compete(extract):
    f = extract("Imaging from his PCP showed mild subacromial impingement.\nAfter consent we injected three trigger "
                "points in the right infraspinatus and one in the right teres minor, 4 injections in all, 1% lidocaine.")
    assert f.procedure == "trigger_point_injection"
    assert f.injection_count == 4


SMART_FORM = ("Procedure: Trigger point injection(s) | Indication: R gluteal myofascial pain; PT x 8 visits - no lasting "
              "change; celecoxib - stopped, no benefit | Muscles: R gluteus medius, R quadratus lumborum | Exam findings: "
              "taut band [x] local twitch response [x] jump sign [ ] | # of injections: 3 (R gluteus medius x2, R quadratus "
              "lumborum x1) | Medication: triamcinolone 30 mg total with 1% lidocaine 1 mL per point | Guidance: landmark "
              "| Complications: none\n")


def test_smart_form_fields_between_pipes_are_sentences(engine, extract):
    doc = engine.nlp(SMART_FORM)
    fields = [s.text.strip() for s in doc.sents]
    assert any(f.startswith("Muscles: R gluteus medius") for f in fields), fields
    assert any(f.startswith("Medication: triamcinolone") for f in fields), fields
    f = extract(SMART_FORM)
    assert sorted((m.name, m.laterality) for m in f.muscles) == [("gluteus_medius", "right"), ("quadratus_lumborum", "right")]
    assert {t.category for t in f.therapies if t.status == "failed"} == {"physical_therapy", "medication"}
    assert sorted((d.name, d.total_dose) for d in f.drugs) == [("lidocaine", 3), ("triamcinolone", 30)]
    assert {p.kind for p in f.palpation} >= {"taut_band", "twitch_response"}


def test_a_pipe_table_row_stays_one_sentence(engine):
    doc = engine.nlp("Sites:\n| Muscle | Side | Points |\n| Upper trapezius | L | 2 |\n")
    assert [s.text.strip() for s in doc.sents if "trapezius" in s.text] == ["| Upper trapezius | L | 2 |"]


TIMELINE = ("Staged TPIs, today the left side.\nTreatment timeline:\n"
            "  09/2024          PT x 8 visits - no change\n"
            "  02/03/2025       R-sided TPIs (R upper trapezius, R levator scapulae, R rhomboid minor), lidocaine only\n"
            "Exam: taut band with jump sign in the L upper trapezius and L levator scapulae.\n"
            "Procedure: 1% lidocaine 1 mL per point into the L upper trapezius x2 and L levator scapulae x1.\n")


def test_a_dated_timeline_line_is_history_not_today(extract):
    f = extract(TIMELINE, "2025-02-10")
    assert sorted((m.name, m.laterality) for m in f.muscles) == [("levator_scapulae", "left"), ("trapezius", "left")]
    assert f.injection_count == 3
    # the same line dated on the day of service is today's
    same_day = extract(TIMELINE.replace("02/03/2025", "02/10/2025"), "2025-02-10")
    assert ("rhomboid_minor", "right") in {(m.name, m.laterality) for m in same_day.muscles}


def test_a_side_abbreviated_with_a_period_keeps_the_site_list_together(engine, extract):
    text = ("Procedure: TPIs. 1% lidocaine 4 mL over 4 points: lt. levator x2, lt. upper trap x1, rt. levator x1. "
            "Tolerated well.")
    assert [s.text.strip() for s in engine.nlp(text).sents if "levator" in s.text] == [
        "1% lidocaine 4 mL over 4 points: lt. levator x2, lt. upper trap x1, rt. levator x1."]
    f = extract(text)
    assert sorted((m.name, m.laterality) for m in f.muscles) == [
        ("levator_scapulae", "left"), ("levator_scapulae", "right"), ("trapezius", "left")]


LOWER_CASE_NOTE = ("62f here for tpi l neck and shoulder blade, pain about 5 months worse at the computer\n"
                   "did pt x 8 wks last fall no help. ibuprofen upsets her stomach so she stopped it\n"
                   "no prior injections anywhere, no blood thinners\n"
                   "exam l upper trap taut band w twitch, l levator taut band referring up the neck\n"
                   "proc consent, alcohol prep, 27g. 1% lido 1cc per pt: l upper trap x2 l levator x1 = 3 inj\n"
                   "tol well f/u 6 wk\n")


def test_a_note_typed_in_lower_case_keeps_its_lines_apart(extract):
    f = extract(LOWER_CASE_NOTE)
    # "no prior injections" on its own line does not negate the exam on the next one
    assert {p.kind for p in f.palpation} == {"taut_band", "twitch_response", "referred_pain"}
    # "did pt x 8 wks" is physical therapy, not the patient
    assert ("physical_therapy", "failed") in {(t.category, t.status) for t in f.therapies}
    assert f.injection_count == 3


def test_a_dated_sentence_about_earlier_injections_is_not_today(extract):
    text = ("Today: seen at the spine center on 02/04/2025 for TPIs (bilateral QL, R gluteus medius), about 40% "
            "better for three weeks.\nExam: taut band L QL with jump sign.\n"
            "Procedure: 1% lidocaine 1 mL into the L QL x2. Tolerated well.\n")
    f = extract(text, "2025-03-18")
    assert sorted((m.name, m.laterality) for m in f.muscles) == [("quadratus_lumborum", "left")]
    # the same sentence dated today is today's
    g = extract(text.replace("02/04/2025", "03/18/2025"), "2025-03-18")
    assert ("gluteus_medius", "right") in {(m.name, m.laterality) for m in g.muscles}


def test_right_and_left_columns_give_each_cell_its_side(extract):
    f = extract("Procedure: trigger point injections, 1% lidocaine 0.5 mL per point, 27 g needle, aspiration negative.\n\n"
                "      RIGHT                            LEFT\n"
                "      upper trapezius ..... 2 points   upper trapezius ..... 1 point\n"
                "      levator scapulae .... 1 point    levator scapulae .... not injected\n\n"
                "Total 4 points. Tolerated well.")
    assert sorted((m.name, m.laterality) for m in f.muscles) == [
        ("levator_scapulae", "right"), ("trapezius", "left"), ("trapezius", "right")]
    assert f.injection_count == 4


def test_a_count_grid_with_right_and_left_columns(extract):
    f = extract("Trigger point injections today.\nInjections (1% lidocaine, 1 mL per point, aspiration negative):\n\n"
                "Muscle               R    L\n"
                "Infraspinatus        2    1\n"
                "Teres major          0    1\n"
                "Rhomboid minor       0    0    (tender only, not injected)\n\n"
                "Tolerated well.")
    assert sorted((m.name, m.laterality, m.injections) for m in f.muscles) == [
        ("infraspinatus", "left", 1), ("infraspinatus", "right", 2), ("teres_major", "left", 1)]
    assert f.injection_count == 4
