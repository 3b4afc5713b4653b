"""The cheap prefilters in front of slow regexes must never skip text the regex would use."""
import re

from conftest import CORPUS, load_jsonl
from docgap.extract import duration
from docgap.extract.note import folded

LETTER = re.compile(r"[a-z]", re.I)


def test_folded_maps_every_re_i_letter_to_that_letter():
    # A word prefilter (`"since" in folded(text)`) is exact only if each character that re.I matches to an
    # ASCII letter folds to exactly that letter.
    for c in range(0x110000):
        ch = chr(c)
        if LETTER.fullmatch(ch):
            letters = [x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, ch, re.I)]
            assert [folded(ch)] == letters, hex(c)


def _usable(m: re.Match) -> bool:
    """The num/unit checks extract_duration applies before a DURATION match can give days."""
    g = m.groups()
    for i in range(0, len(g), 3):
        if g[i] and g[i + 2]:
            num, unit = g[i], g[i + 2]
            break
    else:
        return False
    return not (unit.lower() in ("m", "d", "w", "y") and not re.search(r"x\s*\d|\d\s*[mdwy]\b", m.group(0), re.I))


EXTRA = ["x3 to four d of pain", "pain x 3 for an d", "pain for two weeks", "x3d", "a couple of months of pain", "6-month history", "3 mohx", "2 yrs duration",
         "pain for one and a half years", "for half a year", "neck pain x 3 wks", "fell 2 months ago", "pain, 10 months",
         "symptoms approximately eighteen months", "over the past 3-4 mos", "> 6 mo", "for ~ 1 yr", "since about 4-five weeks"]


def test_duration_prefilter_keeps_every_usable_match():
    texts = [r["text"] for name in ("dev", "test") for r in load_jsonl(CORPUS / f"{name}.jsonl")]
    pieces = [p for t in texts for line in t.splitlines() for p in line.split(". ")] + EXTRA
    kept = 0
    for p in pieces:
        if any(_usable(m) for m in duration.DURATION.finditer(p)):
            kept += 1
            assert duration._may_give_duration(p, folded(p)), p
    assert kept > 100


def _pieces():
    texts = [r["text"] for name in ("dev", "test") for r in load_jsonl(CORPUS / f"{name}.jsonl")]
    return [p for t in texts for line in t.splitlines() for p in line.split(". ")]


def test_response_context_prefilter_is_exact():
    from docgap.extract.scores import RESPONSE_CONTEXT, response_context

    extra = ["Response to last TrPIs on 3/4 was good", "the Feb injections", "Tuesday's DN helped", "the last one helped"]
    hits = 0
    for p in _pieces() + extra:
        found = RESPONSE_CONTEXT.search(p) is not None
        hits += found
        assert response_context(p) == found, p
    assert hits > 50


def test_muscle_prefilters_are_exact():
    from docgap.extract.muscles import IN_EACH, _in_each

    extra = ["2 each", "x2 ea", "3 per side", "one on either side", "each side x2", "2 points in every muscle"]
    hits = 0
    for p in _pieces() + extra:
        m = IN_EACH.search(p)
        hits += m is not None
        got = _in_each(p)
        assert (got and got.span()) == (m and m.span()), p
    assert hits > 10


def test_repeat_cues_are_repeat_cue_finditer():
    import sys

    from conftest import ROOT
    from docgap.extract.procedure import REPEAT_CUE, repeat_cues

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from notes import NoteMaker

    texts = [r["text"] for name in ("dev", "test") for r in load_jsonl(CORPUS / f"{name}.jsonl")]
    texts += [r["text"] for r in NoteMaker(3).records(200)]
    texts += ["s/p TPI 3 weeks ago; 2 wks after the injections", "İnjections prior", "DAYS SINCE LAST TPI"]
    n = 0
    for t in texts:
        want = [(m.span(), m.groups()) for m in REPEAT_CUE.finditer(t)]
        assert [(m.span(), m.groups()) for m in repeat_cues(t)] == want
        n += len(want)
    assert n > 100


def test_joined_failed_outcomes_match_like_any_of_them(lex):
    from docgap.extract.therapies import _any_match, _joined

    pats = lex.failed_outcomes
    assert _joined(tuple((r.pattern, r.flags) for r in pats)) is not None
    hits = 0
    for p in _pieces():
        want = any(r.search(p) for r in pats)
        hits += want
        assert _any_match(pats, p) == want, p
    assert hits > 20


def test_date_prefilters_keep_every_onset_and_since_match():
    extra = ["since Thanksgiving 2024", "onset ~Christmas", "started 3/2025", "began 2025-03-20", "since the MVA on 10/12/24",
             "dates back to Labor Day", "since March of last year", "onset: SEPT 2024", "since 2019", "since new year's"]
    hits = 0
    for p in _pieces() + extra:
        low = folded(p)
        if duration.ONSET_EVENT.search(p):
            hits += 1
            assert duration._may_hold_date(p), p
        if duration.SINCE.search(p):
            assert duration._may_give_since(p, low), p
    assert hits > 20


def test_has_any_is_any_word_in_text():
    from docgap.extract.note import has_any

    words = ("ea", "each", "per", "new year", "a.b", "x+")
    test = has_any(words)
    for text in ["", "each side", "peach", "hyper", "new  year", "new year's", "a.b", "axb", "x+1", "x1", "EACH"] + _pieces()[:3000]:
        assert test(text) == any(w in text for w in words), text


def test_pain_score_word_prefilters_are_exact():
    from docgap.extract import scores

    extra = ["pre-TPI 7/10", "7/10 before", "baseline 6/10", "prior to injection 8/10", "8/10 at baseline", "post 2/10",
             "afterwards 3/10", "3/10 at discharge", "4/10 at departure", "following the procedure 1/10", "NPRS 7 -> 3",
             "score 8 to 4", "VAS 6/10 => 2/10", "down from 6/10 to 2/10"]
    hits = 0
    for p in _pieces() + extra:
        t = scores._as_digits(p)
        low = folded(t)
        for found, test in ((scores.PRE.search(t) or scores.PRE_AFTER.search(t), scores.has_pre_word),
                            (scores.POST.search(t) or scores.POST_AFTER.search(t), scores.has_post_word),
                            (scores.ARROW.search(t), scores.has_arrow_word)):
            if found:
                hits += 1
                assert test(low), p
        if scores.DOWN_FROM.search(t):
            assert "from" in low, p
    assert hits > 100
