"""Palpation findings (kinds, negation, tenderness alone) and imaging guidance.

Expectations from the contract (section 2 "palpation", "imaging_guidance") and
corpus_samples/LABELLING.md, decided before running the pipeline.
"""
import pytest

TPI = " Trigger point injections were performed in the left upper trapezius with 1% lidocaine 2 mL."

# (text, expected set of palpation kinds); documented == bool(kinds)
PALPATION = [
    pytest.param("Exam: taut band palpated in the left upper trapezius with a local twitch response." + TPI,
                 {"taut_band", "twitch_response"}, id="taut-band-and-twitch"),
    pytest.param("No taut bands or twitch response noted." + TPI, set(), id="negated-band-and-twitch"),
    pytest.param("Tender to palpation over the bilateral trapezius." + TPI, set(), id="tenderness-alone"),
    pytest.param("Palpation of the left trapezius reproduces referred pain to the occiput." + TPI,
                 {"referred_pain"}, id="referred-pain"),
    pytest.param("Positive jump sign over the left upper trapezius." + TPI, {"jump_sign"}, id="jump-sign"),
    pytest.param("Palpable nodule in the right rhomboid." + TPI, {"nodule"}, id="nodule"),
    pytest.param("Multiple trigger points palpated in the bilateral upper trapezius." + TPI,
                 {"trigger_point"}, id="trigger-points-palpated"),
    pytest.param("Active trigger points identified in the left levator scapulae, with referred pain to the "
                 "temple on compression." + TPI, {"trigger_point", "referred_pain"}, id="tp-identified-referral"),
    pytest.param("Trigger point injections were performed in the left trapezius with 2 mL 1% lidocaine.",
                 set(), id="procedure-title-not-exam"),
    pytest.param("Local twitch response elicited with snapping palpation of the right trapezius." + TPI,
                 {"twitch_response"}, id="twitch-elicited"),
    pytest.param("Taut band: none\nTwitch response: negative\nTTP: bilateral trapezius\n" + TPI, set(),
                 id="template-negatives"),
    pytest.param("Taut bands w/ +LTR in R QL." + TPI, {"taut_band", "twitch_response"}, id="ltr-shorthand"),
    pytest.param("Taut band in the L temporalis; compressing it reproduces his usual temple pain." + TPI,
                 {"taut_band", "referred_pain"}, id="reproduces-distant-pain"),
    pytest.param("Taut band in the L upper trapezius; pressing on it reproduces her pain." + TPI,
                 {"taut_band"}, id="reproduces-local-pain-is-not-referral"),
    # a pipe ends a smart-form field: the "none" of the next field does not reach back into this one
    pytest.param("Exam findings: taut band and jump sign in L levator scapulae | Complications: none |" + TPI,
                 {"taut_band", "jump_sign"}, id="pipe-field-ends-negation"),
    pytest.param("No twitch response, but taut bands were palpable in the left trapezius." + TPI,
                 {"taut_band"}, id="partial-negation"),
    pytest.param("MSK: TTP b/l trap, no palpable trigger points." + TPI, set(), id="ttp-no-trigger-points"),
    pytest.param("Palpation of the left gluteus medius reveals a taut band that reproduces her familiar pain "
                 "referral down the lateral thigh." + TPI, {"taut_band", "referred_pain"}, id="dictated-gmed"),
    pytest.param("On exam there is a trigger point in the left trapezius with a positive jump sign." + TPI,
                 {"trigger_point", "jump_sign"}, id="tp-with-jump-sign"),
    pytest.param("Taut band noted in the right trapezius; no referred pain." + TPI, {"taut_band"},
                 id="negated-referral-only"),
    pytest.param("O: Palpation: discrete taut band R upper trap, nodular TrP R rhomboid major." + TPI,
                 # a TrP found on palpation is itself a trigger point identified on exam (contract)
                 {"taut_band", "nodule", "trigger_point"}, id="soap-objective-nodular-trp"),
    pytest.param("Exam: taut bands in both upper trapezius; firm compression over the L band reproduces her headache "
                 "at the L temple." + TPI, {"taut_band", "referred_pain"}, id="compression-reproduces-headache"),
    pytest.param("Exam: tapping over the R greater occipital nerve reproduces the headache." + TPI, set(),
                 id="tinel-is-not-referral"),
    pytest.param("Exam: point tenderness over the greater trochanter reproducing her pain." + TPI, set(),
                 id="tenderness-reproducing-pain"),
    pytest.param("Exam shows a taut band in the R gluteus medius with pain referring to the lateral thigh on "
                 "compression." + TPI, {"taut_band", "referred_pain"}, id="pain-referring-on-compression"),
    pytest.param("Objective: taut bands L piriformis; the band refers into the posterior thigh." + TPI,
                 {"taut_band", "referred_pain"}, id="band-refers-into"),
    pytest.param("Exam: L glute med: jump sign +, referral to lateral thigh reproduced; questionable taut band; no twitch "
                 "elicited." + TPI, {"jump_sign", "referred_pain"}, id="hedged-band-and-referral-to-a-body-part"),
    pytest.param("Examination reveals a taught band in the left trapezius with referral of pain into the scapula." + TPI,
                 {"taut_band", "referred_pain"}, id="voice-recognition-taught-band"),
    pytest.param("Exam: trigger points not clearly identified; no taut band." + TPI, set(), id="not-clearly-identified"),
]


@pytest.mark.parametrize("text, expected", PALPATION)
def test_palpation(extract, text, expected):
    f = extract(text)
    got = f.palpation_kinds
    assert (got, f.to_dict()["palpation"]["documented"]) == (expected, bool(expected))


# (text, expected imaging_guidance)
IMAGING = [
    pytest.param("Under ultrasound guidance, trigger point injections were performed in the left trapezius.",
                 "ultrasound", id="under-ultrasound"),
    pytest.param("US-guided TPI to R QL with 0.25% bupivacaine 4 mL.", "ultrasound", id="us-guided"),
    pytest.param("No imaging guidance was used." + TPI, None, id="no-imaging-used"),
    pytest.param("Landmark-guided trigger point injections were performed in the right levator scapulae.",
                 None, id="landmark-guided"),
    pytest.param("Trigger point injections were performed in the left trapezius without ultrasound guidance.",
                 None, id="without-ultrasound"),
    pytest.param("Trigger point injection of the left piriformis was performed; fluoroscopic guidance was used "
                 "to confirm needle placement.", "fluoroscopy", id="fluoroscopy"),
    pytest.param("Lumbar MRI in 2023 showed mild degenerative changes. Trigger point injections were performed "
                 "in the right QL using surface landmarks.", None, id="diagnostic-mri-not-guidance"),
    pytest.param("Ultrasound was considered but not used." + TPI, None, id="us-considered-not-used"),
    pytest.param("CT-guided trigger point injection into the right psoas major was performed.", "ct",
                 id="ct-guided"),
    pytest.param("Plan: ultrasound-guided TPI to the left trapezius at the next visit.", None,
                 id="planned-only"),
    pytest.param("Trigger point injections were performed in the right infraspinatus; needle placement was "
                 "confirmed with ultrasound.", "ultrasound", id="placement-confirmed-us"),
    pytest.param("Prior ultrasound of the shoulder was negative for a rotator cuff tear." + TPI, None,
                 id="diagnostic-us-not-guidance"),
    pytest.param("PROCEDURE: Trigger point injection\nGuidance: none\nSites: L upper trapezius x2\n", None,
                 id="template-guidance-none"),
    pytest.param("PROCEDURE: Trigger point injection\nGuidance: Ultrasound\nSites: L upper trapezius x2\n",
                 "ultrasound", id="template-guidance-us"),
    pytest.param("Trigger point injections were performed in the right trapezius. Imaging: not used.", None,
                 id="imaging-not-used-field"),
]


@pytest.mark.parametrize("text, expected", IMAGING)
def test_imaging_guidance(extract, text, expected):
    assert extract(text).imaging_guidance == expected


def test_trigger_points_that_refer_pain_document_a_referral(extract):
    # whether "trigger points in the L masseter" alone counts as palpated is left to the other tests
    f = extract("Trigger points in the L masseter and L temporalis refer pain to the ear and upper molars." + TPI)
    assert "referred_pain" in f.palpation_kinds


def test_no_local_twitch_response_is_a_negated_finding_not_a_drug(extract):
    f = extract("Exam: taut band in the R gluteus medius. No local twitch response elicited; no referral.\n"
                "TPI R gluteus medius x2, 1% lidocaine.")
    assert {p.kind for p in f.palpation} == {"taut_band"}
