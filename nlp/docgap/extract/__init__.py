"""From a medspaCy Doc to Facts. Only note.view_of touches spaCy; the extractors read plain Mentions."""
from __future__ import annotations

from spacy.tokens import Doc

from ..facts import Facts
from ..lexicon import Lexicons
from .addenda import correcting_addendum, drop_retracted_findings, tail_view
from .drugs import extract_drugs
from .duration import extract_duration
from .findings import extract_imaging, extract_palpation
from .muscles import extract_injection_count, extract_muscles
from .note import NoteView, join_views, view_of
from .procedure import after_procedure, detect_procedure, detect_repeat, done_in_block, procedure_end, resection
from .scores import extract_pain_scores, extract_prior_response, response_in_repeat_note
from .therapies import extract_therapies

__all__ = ["extract_facts", "facts_from_view", "join_views", "view_of"]


def extract_facts(doc: Doc, lex: Lexicons, date_of_service: str | None = None, text: str | None = None) -> Facts:
    """text: optionally the string doc was made from."""
    return facts_from_view(view_of(doc, date_of_service, text), lex)


def _procedure_anchor(view: NoteView, proc_ev, muscles=()) -> int | None:
    """Where today's procedure is narrated: the first sentence with a closing procedural detail
    (needle, aspiration, tolerated), else the procedure's own mention."""
    from .procedure import HISTORY_SECTIONS

    if muscles:  # the sentence naming the first muscle injected
        first = min(m.start for m in muscles)
        for s in view.sentences:
            if s.start <= first < s.end:
                return s.start
    detailed = [s for s in view.sentences if done_in_block(s.text) or after_procedure(s.text)]
    for s in detailed:
        if s.section == "procedure":
            return s.start  # not a "PROCEDURE NOTE" title at the top
    for s in detailed:
        # "acetaminophen 1 g TID", "cyclobenzaprine not tolerated" in the history are not the procedure
        if s.section not in HISTORY_SECTIONS:
            return s.start
    for s in view.sentences:
        if s.section == "procedure":
            return s.start
    return proc_ev.start if proc_ev else None


def facts_from_view(view: NoteView, lex: Lexicons) -> Facts:
    f = Facts()
    resection(view)
    muscles, groups = extract_muscles(view)
    count = extract_injection_count(view, muscles, groups)
    drugs = extract_drugs(view, lex, count)
    corrected = correcting_addendum(view)
    if corrected is not None:
        addendum = tail_view(view, corrected)
        restated, restated_groups = extract_muscles(addendum)
        if restated or restated_groups:  # the addendum restates the sites: it stands for the procedure
            muscles, groups = restated, restated_groups
            count = extract_injection_count(addendum, muscles, groups) or extract_injection_count(view, muscles, groups)
            drugs = extract_drugs(addendum, lex, count) or extract_drugs(view, lex, count)
    procedure, proc_ev = detect_procedure(view, has_injectate=bool(drugs))
    session_sents = {m.sent.index for m in view.of("TPI", "DRY_NEEDLING")} if procedure else set()
    f.therapies = extract_therapies(view, session_sents, lex.failed_outcomes, procedure_end(view) if procedure else None,
                                    procedure)
    f.symptom_duration_days, f.duration_evidence = extract_duration(view)
    f.palpation = extract_palpation(view)
    if corrected is not None:
        f.palpation = drop_retracted_findings(view, corrected, f.palpation)
    repeat = detect_repeat(view, procedure)
    f.is_repeat = repeat is not None and procedure is not None
    f.repeat_evidence = repeat if f.is_repeat else None
    f.prior_response = extract_prior_response(view) if procedure else None
    if procedure and f.prior_response is None:
        f.latent_prior_response = response_in_repeat_note(view, _procedure_anchor(view, proc_ev))
        if f.is_repeat:
            f.prior_response = f.latent_prior_response
    if procedure is None:
        return f  # contract: no session facts without a documented procedure
    f.procedure = procedure
    f.procedure_evidence = proc_ev
    f.muscles = muscles
    f.group_terms = groups
    f.muscles_unspecified = bool(groups)
    f.injection_count = count
    f.imaging_guidance, f.imaging_evidence = extract_imaging(view)
    if procedure == "dry_needling":
        f.dry_needling = True
        f.drugs = []
    else:
        f.drugs = drugs
    f.pain_pre, f.pain_post = extract_pain_scores(view, _procedure_anchor(view, proc_ev, muscles))
    return f
