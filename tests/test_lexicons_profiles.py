import json
import shutil

import pytest

from docgap.errors import LexiconError, PolicyError
from docgap.lexicon import CANONICAL_MUSCLES, load_lexicons
from docgap.profiles import ProfileSet
from docgap.resources import data_dir


def test_lexicons_cover_every_canonical_muscle():
    lex = load_lexicons()
    named = {t.value for t in lex.terms if t.label == "MUSCLE"}
    assert named == set(CANONICAL_MUSCLES)


def test_no_term_is_listed_under_two_concepts():
    # the target matcher keeps one span per text: a term under two labels silently picks one of them
    lex = load_lexicons()
    seen: dict[str, tuple] = {}
    clashes = []
    for t in lex.terms:
        key = t.text.lower()
        if key in seen and seen[key] != (t.label, t.value):
            clashes.append((t.text, seen[key], (t.label, t.value)))
        seen.setdefault(key, (t.label, t.value))
    assert clashes == []


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["muscles"][0].update({"synonyms": ["x"]}), "unknown key"),
    (lambda d: d["muscles"][0].update({"name": "trapezoid"}), "not a canonical muscle"),
    (lambda d: d["muscles"][0].update({"terms": []}), "non-empty list"),
    (lambda d: d.update({"extra": 1}), "unknown key"),
])
def test_lexicon_loading_is_strict(tmp_path, mutate, message):
    src = data_dir("lexicons")
    for f in src.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    d = json.loads((tmp_path / "muscles.json").read_text())
    mutate(d)
    (tmp_path / "muscles.json").write_text(json.dumps(d))
    with pytest.raises(LexiconError, match=message):
        load_lexicons(tmp_path)


@pytest.mark.parametrize("patterns, message", [
    ([{"name": "x", "pattern": []}], "non-empty list of token objects"),
    ([{"name": "x", "pattern": [{"LOWER": "a"}], "note": "?"}], "unknown key"),
    ([{"name": "x", "pattern": [{"LOWER": {"REGEX": "^reproduc"}}]}], "LOWER word or IN list"),
])
def test_palpation_token_patterns_are_checked(tmp_path, patterns, message):
    src = data_dir("lexicons")
    for f in src.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    d = json.loads((tmp_path / "concepts.json").read_text())
    d["palpation"][0]["patterns"] = patterns
    (tmp_path / "concepts.json").write_text(json.dumps(d))
    with pytest.raises(LexiconError, match=message):
        load_lexicons(tmp_path)


@pytest.fixture(scope="module")
def profiles():
    return ProfileSet()


@pytest.mark.parametrize("payer, profile", [
    ("Aetna", "aetna"), ("AETNA", "aetna"), ("Medicare Part B", "medicare"), ("Noridian", "medicare"),
    ("Palmetto GBA", "medicare"), ("WPS", "medicare"), ("CGS", "medicare"), ("NGS", "medicare"),
    ("BCBS of Texas", "default"), ("Cigna", "default"), (None, "default"), ("", "default"),
])
def test_payer_name_selects_profile(profiles, payer, profile):
    assert profiles.for_payer(payer).name == profile


def test_profiles_reproduce_contract_section_5(profiles):
    d, a, m = (profiles.get(n) for n in ("default", "aetna", "medicare"))
    assert (d.min_duration_days, a.min_duration_days, m.min_duration_days) == (90, 90, None)
    assert (d.palpation_kinds_required, a.palpation_kinds_required, m.palpation_kinds_required) == (1, 1, 2)
    assert (d.min_interval_days, a.min_interval_days, m.min_interval_days) == (7, 7, 42)
    assert a.extended_interval == {"after_sessions": 4, "days": 60}
    assert (d.max_sessions_365, a.max_sessions_365, m.max_sessions_365) == (4, None, 3)
    assert (m.repeat_min_relief_percent, m.repeat_min_relief_days) == (50, 42)
    assert (d.pain_scores_required, m.pain_scores_required) == (False, True)
    assert (d.imaging_covered, a.imaging_covered, m.imaging_covered) == (True, False, False)
    assert set(m.injectates_not_covered) == {"botulinum_toxin", "saline_only", "dextrose", "botanical", "biologic"}
    assert len(m.covered_diagnoses) == 10 and d.covered_diagnoses is None
    for p in (d, a, m):
        assert all(p.sources[k] for k in p.params)


@pytest.mark.parametrize("content, message", [
    ({"name": "acme", "parameters": {"min_duration_days": {"value": 30}}}, "source"),
    ({"name": "acme", "parameters": {"min_duration_dayz": {"value": 30, "source": "x"}}}, "unknown parameter"),
    ({"name": "acme", "parameters": {"min_duration_days": {"value": "30", "source": "x"}}}, "expected int"),
    ({"name": "acme", "extends": "nope", "parameters": {}}, "extends unknown"),
    ({"name": "acme", "parameters": {}, "colour": 1}, "unknown key"),
    ({"name": "acme", "parameters": {}, "rules": {"ignore": ["no-such-rule"]}}, "unknown rule"),
])
def test_broken_profile_names_file_and_key(tmp_path, content, message):
    (tmp_path / "acme.json").write_text(json.dumps(content))
    with pytest.raises(PolicyError, match=message) as e:
        ProfileSet(extra_dir=tmp_path)
    assert "acme.json" in str(e.value)


def test_office_profile_extends_and_overrides(tmp_path):
    (tmp_path / "acme.json").write_text(json.dumps({
        "name": "acme", "extends": "default", "aliases": ["acme health"],
        "parameters": {"min_duration_days": {"value": 42, "source": "ACME policy 12"}},
        "rules": {"ignore": ["imaging-not-billed"], "severity": {"duration-missing": "hold"}}}))
    ps = ProfileSet(extra_dir=tmp_path)
    p = ps.for_payer("ACME Health")
    assert p.name == "acme" and p.min_duration_days == 42 and p.max_sessions_365 == 4
    assert not p.enabled("imaging-not-billed") and p.severity_of("duration-missing", "review") == "hold"


def test_a_token_pattern_of_words_is_expanded_into_phrases():
    from docgap.lexicon import _phrases

    pat = [{"LOWER": {"IN": ["reproduces", "recreates"]}}, {"LOWER": "her"},
           {"LOWER": {"IN": ["usual", "occipital"]}, "OP": "?"}, {"LOWER": "headache"}]
    assert _phrases(pat) == sorted(f"{v} her {m}headache" for v in ("reproduces", "recreates")
                                   for m in ("", "usual ", "occipital "))
    assert _phrases([{"LOWER": {"REGEX": "^x"}}]) is None  # anything but words stays a token pattern
    assert _phrases([{"LOWER": "a", "OP": "*"}]) is None
    assert _phrases([{"LOWER": {"IN": ["a", "b", "c"]}}] * 3, limit=20) is None  # 27 phrases: too many


@pytest.mark.parametrize("extra, message", [
    ({"literal": "CC:", "category": "signature"}, "already a 'history_of_present_illness' section title"),
    ({"literal": "addendum"}, "a 'literal' and a 'category'"),
])
def test_section_titles_have_one_category(tmp_path, extra, message):
    # the sectionizer would pick between two categories by its match order, which moves as rules are added
    src = data_dir("lexicons")
    for f in src.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    d = json.loads((tmp_path / "section_rules.json").read_text())
    d["section_rules"].append(extra)
    (tmp_path / "section_rules.json").write_text(json.dumps(d))
    with pytest.raises(LexiconError, match=message):
        load_lexicons(tmp_path)
