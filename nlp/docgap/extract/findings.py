"""Palpation findings and imaging guidance."""
from __future__ import annotations

import re

from ..facts import Evidence, PalpationFinding
from .note import NoteView
from .procedure import sentence_is_planning

FINDING_CUE = re.compile(r"palpat|palpable|identif|noted|found|present|elicit|appreciat|locat|demonstrat|reveal|"
                         r"reproduc|positive|\+|tender|active|latent|exam|evident|detected|marked|isolat|"
                         r"with (?:a |an )?(?:taut|twitch|local|jump|referr)|multiple|several|numerous|discrete", re.I)
PALPATION_CONTEXT = re.compile(r"palpat|pressure|compression|trigger|TrP|\bTPs?\b|exam|taut|taught band|nodul|twitch|jump", re.I)
NOT_REFERRED = re.compile(r"referred\s+(?:to|by|for|from|back|out|him|her|patient)\b|"
                          r"\breferral\s+(?:to(?!\s+(?:the\s+)?(?:\w+\s+)?(?:thigh|arm|shoulder|temple|head|ear|jaw|teeth|molars|occiput|"
                          r"neck|scapula|buttock|leg|hand|forearm|chest|groin|hip|knee|calf|foot|eye|eyebrow|forehead|back)\b)"
                          r"|for|from|placed|sent|was|made|order)|^referral\b(?!\s+(?:pattern|zone|of pain|to))", re.I)
REPRODUCES = re.compile(r"reproduc|recreat", re.I)
BAND_PRESSURE = re.compile(r"pressure|compress|trigger|TrP|\bTPs?\b|taut|band|nodul|twitch", re.I)
NEGATIVE_AFTER = re.compile(r"^\s*:?\s*(?:is\s+|was\s+|were\s+)?(?:negative|neg\b|absent|not (?:elicited|present|appreciated|seen)|none\b)", re.I)
SUBJECTIVE_SECTIONS = {"history_of_present_illness", "past_medical_history", "medications", "review_of_systems",
                       "plan"}
TODAY = re.compile(r"\b(today|this visit|this session|was performed|were performed)\b", re.I)
PAST = re.compile(r"\b(after the|previous|prior|last|ago|returning|returns|relief)\b", re.I)
IMAGING_CONTEXT = re.compile(r"guid|under|using|with|visualiz|needle|inject|image|imaging|real[- ]time|"
                             r"performed|confirm|direct", re.I)
NO_IMAGING = re.compile(r"\b(no|without|not|non)\b[\w\s-]{0,20}(imaging|image|ultrasound|fluoro|guidance|US)\b|"
                        r"\b(imaging|image guidance|ultrasound|fluoroscopy|guidance)\b[\w\s]{0,15}\b(not used|not utilized|not required|not needed|was not|were not)\b", re.I)


def extract_palpation(view: NoteView) -> list[PalpationFinding]:
    out: list[PalpationFinding] = []
    for m in view.of("PALPATION"):
        if m.has("NEGATED_EXISTENCE", "HYPOTHETICAL", "DECLINED"):
            continue
        if NEGATIVE_AFTER.match(view.text[m.end:m.end + 30]):
            continue  # "twitch response negative"
        s = m.sent
        if s.section in SUBJECTIVE_SECTIONS and not re.search(r"palpat|exam", s.text, re.I):
            continue
        if m.value == "trigger_point":
            if not FINDING_CUE.search(s.text) or m.has("HISTORICAL"):
                continue
        elif m.value == "referred_pain":
            if REPRODUCES.match(m.text) and not BAND_PRESSURE.search(s.text):
                continue  # "tapping over the GON reproduces the headache" is not a muscle's referral
            if NOT_REFERRED.search(view.text[m.start:m.end + 30]) or not (
                    PALPATION_CONTEXT.search(s.text) or s.section == "physical_exam"):
                continue
        elif m.value in ("nodule", "jump_sign") and s.section not in ("physical_exam", "procedure", "indication",
                                                                        "assessment", None):
            continue
        out.append(PalpationFinding(m.value, m.text, m.start, m.end))
    return out


def extract_imaging(view: NoteView) -> tuple[str | None, Evidence | None]:
    # "Landmark-based TPI today (no imaging)" settles today's session, whatever earlier ones used
    for m in view.of("IMAGING"):
        if (m.value == "landmark" or NO_IMAGING.search(m.sent.text)) and TODAY.search(m.sent.text) and view.in_sentence(m.sent, "TPI", "DRY_NEEDLING"):
            return None, None
    for m in view.of("IMAGING"):
        if PAST.search(m.sent.text) and not TODAY.search(m.sent.text):
            continue  # "50% relief after the 2/4 ultrasound-guided injections"
        if m.value == "landmark" or m.has("NEGATED_EXISTENCE", "HYPOTHETICAL", "HISTORICAL"):
            continue
        s = m.sent
        if s.section in ("history_of_present_illness", "past_medical_history", "medications") or (
                s.section == "plan" and sentence_is_planning(view, s)):
            continue  # not "P: Ultrasound-guided TPIs (...) performed" in a SOAP plan
        if not IMAGING_CONTEXT.search(s.text):
            continue
        if NO_IMAGING.search(s.text):
            continue
        if re.search(r"ultrasound (?:therapy|treatment)|therapeutic ultrasound|ultrasound of|MRI (?:of|showed|revealed|shows)|"
                     r"CT (?:of|showed|scan)|x-?rays?", s.text, re.I):
            continue
        return m.value, Evidence(m.text, m.start, m.end)
    return None, None
