"""Robustness on real transcriptions: the public MTSamples notes in ../shared/external/mtsamples/.

Runs the real `docgap scan` CLI on the folder of .txt notes and checks one ok row per file,
contract-shaped output with offsets that slice the original text, and the procedure of each note
against hand labels (tests/data/mtsamples_labels.json, labelled by reading the notes).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, load_jsonl

MTSAMPLES = SHARED / "external" / "mtsamples"
LABELS = json.loads((ROOT / "tests" / "data" / "mtsamples_labels.json").read_text(encoding="utf-8"))["labels"]
CHECK = SHARED / "contract" / "check.py"

pytestmark = pytest.mark.skipif(not MTSAMPLES.is_dir(), reason=f"{MTSAMPLES} is not present")


def _texts() -> dict[str, str]:
    # decoded as the CLI decodes a .txt (UTF-8, BOM stripped, newlines untouched)
    return {f.stem: f.read_bytes().decode("utf-8-sig") for f in sorted(MTSAMPLES.glob("*.txt"))}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    out = tmp_path_factory.mktemp("mtsamples") / "results.jsonl"
    p = subprocess.run([sys.executable, "-m", "docgap.cli", "scan", str(MTSAMPLES), "-o", str(out),
                        "--fail-on", "never"], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-2000:]
    return out, {r["note_id"]: r for r in load_jsonl(out)}, load_jsonl(out)


def _spans(obj, where="result"):
    """Every dict in the result that carries text/start/end: (where, dict)."""
    if isinstance(obj, dict):
        if isinstance(obj.get("start"), int) and isinstance(obj.get("end"), int) and "text" in obj:
            yield where, obj
        for k, v in obj.items():
            yield from _spans(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _spans(v, f"{where}[{i}]")


def test_every_file_is_labelled():
    assert set(LABELS) == set(_texts())


def test_one_ok_row_per_file(scanned):
    _, by_id, rows = scanned
    assert len(rows) == len(_texts())
    assert sorted(by_id) == sorted(_texts())
    bad = {nid: r["error"] for nid, r in by_id.items() if r["status"] != "ok"}
    assert not bad


def test_output_conforms_to_contract(scanned, tmp_path):
    out, _, _ = scanned
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"note_id": k, "text": v}) + "\n" for k, v in _texts().items()),
                   encoding="utf-8")
    p = subprocess.run([sys.executable, str(CHECK), "results", str(out), "--input", str(inp)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:]


def test_every_offset_slices_the_original_text(scanned):
    # check.py covers muscles, therapies, drugs, palpation and finding evidence; this covers every span
    _, by_id, _ = scanned
    texts = _texts()
    wrong = []
    for nid, r in by_id.items():
        text = texts[nid]
        for where, sp in _spans(r):
            if text[sp["start"]:sp["end"]] != sp["text"]:
                wrong.append(f"{nid} {where} {sp['start']}-{sp['end']}")
    assert not wrong


@pytest.mark.parametrize("note_id", sorted(LABELS))
def test_procedure_matches_hand_label(scanned, note_id):
    _, by_id, _ = scanned
    want = LABELS[note_id]["procedure"]
    got = (by_id[note_id].get("facts") or {}).get("procedure")
    assert got == want, f"{note_id}: docgap says {got!r}, label {want!r} ({LABELS[note_id]['reason']})"


@pytest.mark.parametrize("note_id", sorted(n for n, lab in LABELS.items() if lab["procedure"] is None))
def test_note_without_tpi_gets_no_findings(scanned, note_id):
    # contract/LABELLING: a note that documents no TPI or needling and bills none has nothing to flag
    _, by_id, _ = scanned
    row = by_id[note_id]
    assert [f["rule"] for f in row["findings"]] == [] and row["suggested_codes"] == []
