from pathlib import Path

from docgap.docs import catalogue_markdown
from docgap.rules import RULES

REQUIRED = {
    "conservative-therapy-missing": ("medical_necessity", "hold"),
    "conservative-therapy-not-failed": ("medical_necessity", "review"),
    "duration-missing": ("medical_necessity", "review"), "duration-too-short": ("medical_necessity", "hold"),
    "palpation-missing": ("medical_necessity", "hold"), "muscles-unspecified": ("documentation", "hold"),
    "injection-count-missing": ("documentation", "review"), "drug-missing": ("documentation", "review"),
    "drug-dose-missing": ("documentation", "review"), "repeat-response-missing": ("medical_necessity", "review"),
    "pain-scores-missing": ("documentation", "review"), "cpt-overcoded": ("coding", "hold"),
    "cpt-undercoded": ("coding", "info"), "cpt-units-invalid": ("coding", "hold"),
    "imaging-unsupported": ("coding", "hold"), "imaging-not-billed": ("coding", "info"),
    "imaging-not-covered": ("coding", "hold"), "jcode-missing": ("coding", "info"),
    "jcode-unsupported": ("coding", "hold"), "jcode-units-mismatch": ("coding", "review"),
    "anesthetic-billed-separately": ("coding", "hold"), "dry-needling-billed-as-tpi": ("coding", "hold"),
    "injectate-not-covered": ("coding", "hold"), "diagnosis-not-covered": ("coding", "review"),
    "frequency-interval": ("frequency", "hold"), "frequency-annual-limit": ("frequency", "hold"),
    "procedure-not-documented": ("documentation", "hold"),
}


def test_catalogue_has_every_contract_rule_with_its_category_and_severity():
    assert {r: (c.category, c.severity) for r, c in RULES.items() if r in REQUIRED} == REQUIRED


def test_docs_rules_md_is_current():
    path = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == catalogue_markdown(), \
        "docs/rules.md is stale: run `python -m docgap.docs > docs/rules.md`"
