"""End to end through the installed `docgap` CLI: every input format, contract conformance, bad input."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED, load_jsonl

DOCGAP = [sys.executable, "-m", "docgap.cli"]
CHECK = SHARED / "contract" / "check.py"
NOTE = ("HPI: Neck pain for 6 months. Failed PT and ibuprofen without relief.\n"
        "Exam: taut bands with twitch response in the left upper trapezius.\n"
        "Procedure: trigger point injections x2 into the left upper trapezius with 1 mL Kenalog-40.\n")


def run(*args, check=False):
    p = subprocess.run(DOCGAP + [str(a) for a in args], capture_output=True, text=True, timeout=600)
    if check and p.returncode not in (0, 1):
        raise AssertionError(p.stderr)
    return p


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    recs = load_jsonl(CORPUS / "test.jsonl")[:6]
    for r in recs:
        r.pop("expected")
    return d, recs


def _assert_contract(out: Path, inp: Path | None = None):
    args = [sys.executable, str(CHECK), "results", str(out)] + (["--input", str(inp)] if inp else [])
    p = subprocess.run(args, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:]


def test_scan_jsonl_conforms_to_contract(sample, tmp_path):
    d, recs = sample
    inp = d / "in.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in recs))
    out = tmp_path / "r.jsonl"
    p = run("scan", inp, "-o", out, check=True)
    rows = load_jsonl(out)
    assert [r["note_id"] for r in rows] == [r["note_id"] for r in recs]
    assert "notes scanned" in p.stderr
    _assert_contract(out, inp)
    for row in rows:  # every evidence offset slices the original text
        text = next(r["text"] for r in recs if r["note_id"] == row["note_id"])
        for f in row["findings"]:
            for ev in f["evidence"]:
                assert text[ev["start"]:ev["end"]] == ev["text"]


def test_scan_csv_in_and_out(sample, tmp_path):
    _, recs = sample
    inp = tmp_path / "in.csv"
    with open(inp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["note_id", "text", "payer", "billed", "diagnoses", "patient_id",
                                          "date_of_service", "unused_extra"])
        w.writeheader()
        for r in recs:
            w.writerow({"note_id": r["note_id"], "text": r["text"], "payer": r.get("payer"),
                        "billed": ";".join(f"{b['code']}{''.join('-' + m for m in b.get('modifiers') or [])}x{b.get('units', 1)}"
                                           for b in r.get("billed") or []),
                        "diagnoses": ";".join(r.get("diagnoses") or []), "patient_id": r.get("patient_id"),
                        "date_of_service": r.get("date_of_service"), "unused_extra": "x"})
    out = tmp_path / "r.csv"
    run("scan", inp, "-o", out, check=True)
    rows = list(csv.DictReader(open(out)))
    assert [r["note_id"] for r in rows] == [r["note_id"] for r in recs]
    assert {"muscle_count", "findings", "suggested_codes", "holds"} <= set(rows[0])


def test_scan_parquet_in_and_out(sample, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, recs = sample
    inp = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"note_id": r["note_id"], "text": r["text"], "payer": r.get("payer")}
                                         for r in recs]), inp)
    out = tmp_path / "r.parquet"
    run("scan", inp, "-o", out, check=True)
    t = pq.read_table(out).to_pylist()
    assert [r["note_id"] for r in t] == [r["note_id"] for r in recs]


def test_scan_folder_of_txt(tmp_path):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "a.txt").write_text(NOTE)
    (d / "b.txt").write_bytes("Pain in the left trapézius.\n".encode("latin-1"))  # not UTF-8
    (d / "c.txt").write_text("   \n")
    out = tmp_path / "r.jsonl"
    run("scan", d, "-o", out, check=True)
    rows = {r["note_id"]: r for r in load_jsonl(out)}
    assert set(rows) == {"a", "b", "c"}
    assert rows["a"]["status"] == "ok" and rows["a"]["facts"]["procedure"] == "trigger_point_injection"
    assert rows["b"]["status"] == "ok"
    assert rows["c"]["status"] == "error" and rows["c"]["facts"] is None


def test_bad_records_get_error_rows_and_the_batch_goes_on(tmp_path):
    secret = "PATIENT-SECRET-TEXT"
    lines = [json.dumps({"note_id": "ok1", "text": NOTE}),
             json.dumps({"note_id": "empty", "text": ""}),
             json.dumps({"text": secret}),
             "{not json " + secret,
             json.dumps({"note_id": "ok1", "text": NOTE}),  # duplicate id
             json.dumps({"note_id": "baddate", "text": secret, "date_of_service": "03/14/2025"}),
             json.dumps({"note_id": "badbilled", "text": secret, "billed": [{"units": 2}]}),
             json.dumps({"note_id": "html", "text": "<p>Procedure: <b>TPI</b> x2 to the <i>left trapezius</i> with "
                         "1% lidocaine.</p><script>alert(1)</script>"}),
             json.dumps({"note_id": "rtf", "text": r"{\rtf1\ansi {\b Procedure:} trigger point injection x2 left trapezius, lidocaine 1%\par}"}),
             json.dumps({"note_id": "big", "text": (NOTE + " ") * 5000}),
             ]
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(("\n".join(lines) + "\n").encode() + b'{"note_id": "latin", "text": "caf\xe9"}\n')
    out = tmp_path / "r.jsonl"
    p = run("scan", inp, "-o", out)
    assert p.returncode in (0, 1), p.stderr
    rows = load_jsonl(out)
    assert len(rows) == 11
    status = [r["status"] for r in rows]
    assert status == ["ok", "error", "error", "error", "error", "error", "error", "ok", "ok", "ok", "error"]
    assert rows[4]["error"]["type"] == "duplicate_note_id"
    assert secret not in p.stderr and secret not in out.read_text().split('"text"')[0]
    for r in rows:
        if r["status"] == "error":
            assert secret not in json.dumps(r["error"])
    html = rows[7]["facts"]
    assert html["procedure"] == "trigger_point_injection" and html["muscles"][0]["name"] == "trapezius"
    assert rows[8]["facts"]["muscles"][0]["name"] == "trapezius"
    assert len(rows[9]["facts"]["muscles"]) == 1  # a 1 MB note is processed


def test_csv_missing_required_columns_is_a_clear_error(tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_text("id,body\n1,hello\n")
    p = run("scan", inp, "-o", tmp_path / "r.jsonl")
    assert p.returncode == 2 and "note_id and text" in p.stderr


def test_exit_codes_follow_fail_on(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"note_id": "x", "text": "Procedure: TPI to the paraspinals.", "payer": "Aetna"}) + "\n")
    assert run("scan", inp, "-o", tmp_path / "a.jsonl").returncode == 1
    assert run("scan", inp, "-o", tmp_path / "b.jsonl", "--fail-on", "never").returncode == 0
    assert run("scan", tmp_path / "missing.jsonl", "-o", tmp_path / "c.jsonl").returncode == 2
    assert run("scan", inp, "-o", tmp_path / "d.jsonl", "--payer", "nosuch").returncode == 2


def test_rules_and_explain_commands():
    p = run("rules")
    assert "conservative-therapy-missing" in p.stdout and p.returncode == 0
    e = run("explain", "palpation-missing")
    assert "Why payers deny" in e.stdout and "medicare" in e.stdout
    assert run("explain", "no-such-rule").returncode == 2


def test_claim_lines_from_pandas_with_several_modifiers():
    # Spark's mapInPandas hands list columns over as numpy arrays; two modifiers once made the row an error
    import numpy

    from docgap.engine import make_record

    billed = numpy.array([{"code": "20553", "units": 1, "modifiers": numpy.array(["RT"], dtype=object)},
                          {"code": "20552", "units": 1, "modifiers": numpy.array(["59", "RT"], dtype=object)}], dtype=object)
    rec = make_record({"note_id": "m1", "text": NOTE, "billed": billed}, 1)
    assert rec.error is None
    assert [(b.code, b.modifiers) for b in rec.billed] == [("20553", ("RT",)), ("20552", ("59", "RT"))]
