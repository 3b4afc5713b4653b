"""Conservative therapies: category and status (failed, tried, current, planned, declined, negated).

Expectations from the contract (section 2 "therapies") and corpus_samples/LABELLING.md
("therapies_tried", "conservative_failed"), decided before running the pipeline. The expected value
is the exact set of (category, status) pairs the note documents.
"""
import pytest

TPI = " Trigger point injections were performed in the left upper trapezius with 1% lidocaine 2 mL."

# (text, expected {(category, status)})
CASES = [
    pytest.param("She has failed 8 weeks of physical therapy." + TPI,
                 {("physical_therapy", "failed")}, id="failed-pt"),
    pytest.param("Tried ibuprofen and cyclobenzaprine without relief." + TPI,
                 {("medication", "failed")}, id="meds-without-relief"),
    pytest.param("Has not tried PT.", {("physical_therapy", "negated")}, id="negated-pt"),
    pytest.param("Patient declined physical therapy." + TPI,
                 {("physical_therapy", "declined")}, id="declined-pt"),
    pytest.param("Plan: referral to physical therapy.", {("physical_therapy", "planned")}, id="planned-pt"),
    pytest.param("She is currently doing a home exercise program." + TPI,
                 {("home_exercise", "current")}, id="current-hep"),
    pytest.param("Heat and ice provided temporary relief only." + TPI,
                 {("modality", "failed")}, id="modality-temporary-relief"),
    pytest.param("He completed a course of chiropractic care last fall." + TPI,
                 {("chiropractic", "tried")}, id="chiro-tried"),
    pytest.param("Massage therapy with minimal benefit." + TPI,
                 {("modality", "failed")}, id="massage-minimal-benefit"),
    pytest.param("Meloxicam was stopped due to GI upset." + TPI,
                 {("medication", "failed")}, id="med-stopped-side-effects"),
    pytest.param("Did not tolerate gabapentin (dizziness)." + TPI,
                 {("medication", "failed")}, id="med-did-not-tolerate"),
    pytest.param("Persistent pain despite 6 weeks of PT and NSAIDs." + TPI,
                 {("physical_therapy", "failed"), ("medication", "failed")}, id="despite-pt-nsaids"),
    pytest.param("Ergonomic workstation changes have been made without improvement." + TPI,
                 {("activity_modification", "failed")}, id="ergonomics-failed"),
    pytest.param("She has tried acupuncture." + TPI, {("other", "tried")}, id="acupuncture-tried"),
    pytest.param("PT x 6 weeks failed; will continue PT." + TPI,
                 {("physical_therapy", "failed")}, id="continue-after-failed-keeps-failed"),
    pytest.param("Uses a TENS unit at home." + TPI, {("modality", "current")}, id="tens-current"),
    pytest.param("Medications: cyclobenzaprine 10 mg qhs, naproxen 500 mg BID." + TPI,
                 {("medication", "current")}, id="med-list-current"),
    pytest.param("Yoga and CBT were tried without improvement." + TPI,
                 {("other", "failed")}, id="yoga-cbt-failed"),
    pytest.param("No prior physical therapy.", {("physical_therapy", "negated")}, id="no-prior-pt"),
    pytest.param("She went through a course of physical therapy last year which did not help, and she has "
                 "been taking Tylenol and ibuprofen on and off with minimal benefit." + TPI,
                 {("physical_therapy", "failed"), ("medication", "failed")}, id="dictated-narrative"),
    pytest.param("She has failed PT." + TPI, {("physical_therapy", "failed")},
                 id="session-injectate-not-a-therapy"),
    pytest.param("Rest and activity modification were tried for 2 months." + TPI,
                 {("activity_modification", "tried")}, id="rest-tried"),
    pytest.param("Previous dry needling gave temporary relief only." + TPI,
                 {("modality", "failed")}, id="past-dry-needling-modality"),
    pytest.param("Conservative tx: PT x 3 mo - failed; NSAIDs - failed; HEP - ongoing." + TPI,
                 {("physical_therapy", "failed"), ("medication", "failed"), ("home_exercise", "current")},
                 id="shorthand-list"),
    pytest.param("He does daily stretching." + TPI, {("modality", "current")}, id="stretching-current"),
    pytest.param("Will start a muscle relaxant.", {("medication", "planned")}, id="planned-med"),
    pytest.param("Plan: PT x 6 weeks, if no improvement consider trigger point injections.",
                 {("physical_therapy", "planned")}, id="plan-with-a-condition"),
    pytest.param("She refused chiropractic treatment." + TPI, {("chiropractic", "declined")},
                 id="declined-chiro"),
    pytest.param("HPI:\n- PT: 12 sessions, no improvement\n- Naproxen 500 mg BID: ongoing\n" + TPI,
                 {("physical_therapy", "failed"), ("medication", "current")}, id="bulleted-hpi"),
    pytest.param("Low back pain since she slipped on the ice in February. Six weeks of PT did not help." + TPI,
                 {("physical_therapy", "failed")}, id="ice-as-the-injury"),
    pytest.param("Neck pain x 5 mo, failed naproxen.\nExam: pain reproduced with passive stretching of the L "
                 "levator; pain at end range (stretching the R side)." + TPI,
                 {("medication", "failed")}, id="stretching-as-an-exam-maneuver"),
    pytest.param("Ibuprofen did not help." + TPI + " Ergonomic evaluation at work recommended; handout on "
                 "workstation ergonomics given.", {("medication", "failed"), ("activity_modification", "planned")},
                 id="ergonomic-advice-today"),
    pytest.param("Ergonomic workstation assessment done in May, monitor raised; still sore. Meloxicam daily." + TPI,
                 {("activity_modification", "failed"), ("medication", "current")}, id="ergonomic-changes-made"),
    pytest.param(TPI.strip() + "\nPost-procedure instructions: ice tonight, then back to his stretching routine, "
                 "which by itself has not made a dent in the pain.",
                 {("modality", "planned"), ("modality", "failed")}, id="negation-belongs-to-the-outcome"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_therapies(extract, text, expected):
    got = {(t.category, t.status) for t in extract(text).therapies}
    assert got == expected


# Outcome phrasings across clauses (contract: failed = tried with an inadequate response).
TPI_SENTENCE = " Trigger point injections were performed in the left upper trapezius with 1% lidocaine 2 mL."
OUTCOMES = [
    pytest.param('She completed 8 sessions of physical therapy, which helped only temporarily.', [('physical_therapy', 'failed')], id='outcome-1'),
    pytest.param('PT x6 wks - no change.', [('physical_therapy', 'failed')], id='outcome-2'),
    pytest.param('Tried naproxen and Flexeril without much benefit.', [('medication', 'failed')], id='outcome-3'),
    pytest.param('Has been on meloxicam for 2 months with partial relief; pain persists.', [('medication', 'failed')], id='outcome-4'),
    pytest.param('He has done home exercises daily for 3 months with no improvement.', [('home_exercise', 'failed')], id='outcome-5'),
    pytest.param('Massage therapy gave relief for a few hours only.', [('modality', 'failed')], id='outcome-6'),
    pytest.param('Cyclobenzaprine caused drowsiness and was stopped.', [('medication', 'failed')], id='outcome-7'),
    pytest.param('Chiropractic adjustments x 10 visits, not helpful.', [('chiropractic', 'failed')], id='outcome-8'),
    pytest.param('She is currently doing PT twice a week.', [('physical_therapy', 'current')], id='outcome-9'),
    pytest.param('Patient declined physical therapy due to cost.', [('physical_therapy', 'declined')], id='outcome-10'),
    pytest.param('Gabapentin 300 mg TID - tolerating, modest help.', [('medication', 'current')], id='outcome-11'),
    pytest.param('Ergonomic workstation changes made in January without improvement.', [('activity_modification', 'failed')], id='outcome-12'),
    pytest.param('Ice and heat at home, ibuprofen PRN; all minimally effective.', [('medication', 'failed'), ('modality', 'failed')], id='outcome-13'),
    pytest.param('Failed conservative management including PT, NSAIDs and muscle relaxants.', [('medication', 'failed'), ('physical_therapy', 'failed')], id='outcome-14'),
    pytest.param('Previously tried acupuncture - no lasting relief.', [('other', 'failed')], id='outcome-15'),
    pytest.param('TENS unit used at home with some benefit.', [('modality', 'tried')], id='outcome-16'),
    pytest.param('Six weeks of formal PT completed last fall; she still has pain.', [('physical_therapy', 'failed')], id='outcome-17'),
    pytest.param('He did the therapy program last spring, which never really got rid of the ache.', [('physical_therapy', 'failed')], id='never-got-rid-of'),
    pytest.param('Meloxicam for two months didn\'t fix it.', [('medication', 'failed')], id='did-not-fix'),
    pytest.param('Tried naproxen for a few weeks - "didn\'t really do anything."', [('medication', 'failed')], id='did-not-do-anything'),
    pytest.param('A course of physical therapy gave only modest and temporary gains.', [('physical_therapy', 'failed')], id='temporary-gains'),
    pytest.param('Finished 8 wks of PT (eccentric loading) but still gets a deep ache when sprinting.', [('physical_therapy', 'failed')], id='but-still-gets-an-ache'),
    pytest.param('Her neck did not improve with PT last year.', [('physical_therapy', 'failed')], id='did-not-improve-with'),
    pytest.param('Weekly massage helps for a day, then the ache returns.', [('modality', 'failed')], id='helps-for-a-day-then-returns'),
    pytest.param('Plan: for now continue meloxicam, and I printed her a page of stretching exercises to do at home.',
                 [('medication', 'current'), ('modality', 'planned')], id='continue-does-not-reach-a-new-clause'),
    pytest.param('He keeps up the isometric exercises at home, which help a little.', [('home_exercise', 'tried')],
                 id='isometric-exercises'),
    pytest.param('Tizanidine 2 mg at night made her groggy; stopped after five days.', [('medication', 'failed')], id='groggy-then-stopped'),
    pytest.param('Saw a chiropractor 8 times for manipulation; relief lasted an afternoon each time, no lasting change.',
                 [('chiropractic', 'failed')], id='relief-clause-after-a-semicolon'),
    pytest.param('CMT 2x/wk x 6 wks - helps only temporarily (1-2 days).', [('chiropractic', 'failed')], id='cmt-helps-only-temporarily'),
    pytest.param('No prior treatment. D/c with heat and gentle stretching instructions.', [('modality', 'planned')], id='discharge-instructions'),
    pytest.param('Tried 6 weeks of PT and a course of meloxicam, neither helped.', [('medication', 'failed'), ('physical_therapy', 'failed')], id='and-a-course-of-is-a-second-therapy'),
    pytest.param('On light duty (no lifting > 15 lb) and ibuprofen 400 mg tid.', [('activity_modification', 'current'), ('medication', 'current')], id='negation-inside-a-parenthesis'),
    pytest.param('Switched to a sit/stand desk with a monitor riser this spring, still sore.', [('activity_modification', 'failed')], id='workstation-change'),
    pytest.param('Trihexyphenidyl was not tolerated (confusion).', [('medication', 'failed')], id='anticholinergic-not-tolerated'),
    pytest.param('She did the whole round of physical therapy last summer. Per the patient, she felt better during the '
                 'sessions but the pain returned within a day each time.', [('physical_therapy', 'failed')], id='outcome-in-the-next-sentence'),
    pytest.param('PT and massage helped while she was going, but the pain has persisted despite all of it.',
                 [('modality', 'failed'), ('physical_therapy', 'failed')], id='while-is-a-time'),
    pytest.param('She completed 12 sessions of pelvic floor PT. Her pelvic floor symptoms improved; the abdominal wall '
                 'pain did not.', [('physical_therapy', 'failed')], id='elliptical-did-not'),
    pytest.param('Physio (incl. graded glute strengthening) for ~4 months - plateaued. Panadol Osteo PRN, not much use.',
                 [('medication', 'failed'), ('physical_therapy', 'failed')], id='incl-abbreviation-and-not-much-use'),
    pytest.param('Plan:\n1. Will continue PT although it has not helped so far.', [('physical_therapy', 'failed')],
                 id='continue-although-it-has-not-helped'),
    pytest.param("Abdominal wall pain since surgery; meds (Tylenol, ibuprofen) don't help.", [('medication', 'failed')], id='dont-help'),
    pytest.param('Ice and ibuprofen since - not much better.', [('medication', 'failed'), ('modality', 'failed')], id='not-much-better'),
    pytest.param('Chiropractor x6, massage, Aleve - all temporary.', [('chiropractic', 'failed'), ('medication', 'failed'), ('modality', 'failed')],
                 id='all-temporary'),
    pytest.param('Therapist: Hannah Brooks, PT, DPT. Ibuprofen did not help.', [('medication', 'failed')], id='pt-as-a-credential'),
    pytest.param('Still doing her HEP from PT (formal PT last year did not help).', [('home_exercise', 'failed'), ('physical_therapy', 'failed')],
                 id='hep-from-pt-and-formal-pt'),
    pytest.param('Home exercises from PT handout; acetaminophen without relief.', [('home_exercise', 'tried'), ('medication', 'failed')],
                 id='pt-handout-is-not-pt'),
    pytest.param('PT was not tried due to cost. Ibuprofen 600 TID helps a little.', [('medication', 'current'), ('physical_therapy', 'negated')],
                 id='was-not-tried'),
    pytest.param('She is on the waiting list for physical therapy.', [('physical_therapy', 'planned')], id='waiting-list'),
    pytest.param('She completed a course of physical therapy with only modest gains and takes naproxen as needed.',
                 [('medication', 'current'), ('physical_therapy', 'failed')], id='as-needed-is-the-drugs-not-the-pt'),
    pytest.param('Baclofen was tried up to 20 mg TID but he became too sedated and it was stopped, and tizanidine caused hypotension.',
                 [('medication', 'failed')], id='contrast-up-to-the-next-therapy'),
    pytest.param('PT helped but naproxen did not.', [('medication', 'failed'), ('physical_therapy', 'tried')], id='each-its-own-outcome'),
    pytest.param('She did 6 weeks of PT. She then had TPIs elsewhere; the pain returned after a week.',
                 [('other', 'failed'), ('physical_therapy', 'tried')], id='next-sentence-names-its-own-treatment'),
]


@pytest.mark.parametrize("text, expected", OUTCOMES)
def test_outcome_phrasings(extract, text, expected):
    f = extract(text + TPI_SENTENCE)
    assert sorted({(t.category, t.status) for t in f.therapies}) == [tuple(x) for x in expected]


@pytest.mark.parametrize("text", ["On mod duty (no lifting over 25 lb) since the injury.",
                                  "Back to modified work, no ladders, for six weeks now."])
def test_modified_work_is_an_activity_modification_tried(extract, text):
    """Contract: activity modification tried or current counts as tried (the two statuses are not scored apart)."""
    got = {t.category: t.status for t in extract(text + TPI_SENTENCE).therapies}
    assert got.get("activity_modification") in ("tried", "current"), got


def test_an_unticked_box_after_a_ticked_failed_one_is_not_failed(extract):
    f = extract("Prior care: [x] Physical therapy - failed   [x] Naproxen - failed   [ ] Acupuncture   [ ] Chiropractic\n"
                "TPI L upper trapezius x2 with 1% lidocaine.")
    assert sorted((t.category, t.status) for t in f.therapies) == [
        ("chiropractic", "negated"), ("medication", "failed"), ("other", "negated"), ("physical_therapy", "failed")]


def test_workplace_changes_are_activity_modification(extract):
    f = extract("Neck pain 5 months. Workstation adjustment and standing breaks at the office, no better. On light duties "
                "since May with persistent pain.\nTPI R upper trapezius x2, 1% lidocaine.")
    assert {(t.category, t.status) for t in f.therapies} == {("activity_modification", "failed")}


FAILED_PHRASINGS = [
    pytest.param("Tried a TENS unit for a few weeks, useless.", "modality", id="useless"),
    pytest.param("Massage gives her a day or two, then it's back.", "modality", id="a-day-or-two-then-back"),
    pytest.param('PT in the spring: "helped a bit", but still stiff every morning; pain persists despite the full course.',
                 "physical_therapy", id="outcome-clause-after-the-contrast"),
]


@pytest.mark.parametrize("text, category", FAILED_PHRASINGS)
def test_session5_failed_phrasings(extract, text, category):
    f = extract(text + "\nTPI L upper trapezius x2 with 1% lidocaine.")
    assert [(t.category, t.status) for t in f.therapies if t.category == category] == [(category, "failed")]


def test_a_therapy_not_restarted_was_tried(extract):
    f = extract("Did not restart PT (8 visits in May, no lasting improvement).\nTPI L upper trapezius x2 with 1% lidocaine.")
    assert [(t.category, t.status) for t in f.therapies] == [("physical_therapy", "failed")]


def test_neither_nor_helped_is_two_failed_therapies(extract):
    f = extract("Neck pain for a year, and neither naproxen nor a course of massage therapy helped.\n"
                "TPI L upper trapezius x2 with 1% lidocaine.")
    assert sorted((t.category, t.status) for t in f.therapies) == [("medication", "failed"), ("modality", "failed")]
