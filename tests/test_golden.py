"""Golden tests over corpus_samples: docgap eval on both splits, scored like contract/score.py."""
import json
import subprocess
import sys

import pytest

from conftest import CORPUS, SHARED, load_jsonl

# The core issue's targets on the test split: every extraction field and the suggested codes at 0.95
# or better, findings F1 at 0.95 (see README "Accuracy" for the measured figures).
FLOORS = {m: 0.95 for m in ("acc_muscle_count", "acc_injection_count", "acc_symptom_duration", "acc_palpation",
                            "acc_imaging_guidance", "acc_dry_needling", "acc_conservative_failed", "f1_muscles",
                            "f1_therapies_tried", "f1_drugs", "f1_suggested_codes", "f1_findings")}


@pytest.fixture(scope="module")
def scored(engine, tmp_path_factory):
    from docgap.evaluate import evaluate

    out = {}
    for split in ("dev", "test"):
        gold = load_jsonl(CORPUS / f"{split}.jsonl")
        results = list(engine.scan(gold))
        path = tmp_path_factory.mktemp(split) / "results.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in results))
        out[split] = (evaluate(gold, {r["note_id"]: r for r in results}), path)
    return out


def test_gold_files_conform_to_contract():
    for split in ("dev", "test"):
        p = subprocess.run([sys.executable, str(SHARED / "contract" / "check.py"), "gold", str(CORPUS / f"{split}.jsonl")],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout


# share of notes with a hold the gold does not expect: the rules issue allows at most 2%
FALSE_HOLD_CEILING = 0.02


def test_test_split_false_hold_ceiling(scored):
    summary = scored["test"][0]["summary"]
    assert summary["acc_notes_with_false_hold"] <= FALSE_HOLD_CEILING


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_test_split_accuracy_floor(scored, metric):
    summary = scored["test"][0]["summary"]
    assert summary["errors"] == 0 and summary["missing"] == 0
    assert summary[metric] >= FLOORS[metric], f"{metric}={summary[metric]}"


def test_docgap_eval_agrees_with_reference_scorer(scored):
    report, path = scored["test"]
    p = subprocess.run([sys.executable, str(SHARED / "contract" / "score.py"), str(CORPUS / "test.jsonl"), str(path),
                        "--json"], capture_output=True, text=True)
    ref = json.loads(p.stdout)["summary"]
    for k, v in ref.items():
        assert report["summary"][k] == pytest.approx(v, abs=0.001), k
