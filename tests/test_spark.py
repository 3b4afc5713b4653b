"""docgap on a real local Spark (local[2]): row for row the same results as the single-machine path
on the whole gold corpus (dev + test), through the library and through `docgap scan --engine spark`."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, load_jsonl

pytestmark = pytest.mark.slow
pyspark = pytest.importorskip("pyspark", reason="install the 'spark' extra")
if not shutil.which("java"):
    pytest.fail("Spark tests need Java (CI installs a JRE: see .ci/run)", pytrace=False)


@pytest.fixture(scope="module")
def corpus_parquet(tmp_path_factory):
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = load_jsonl(CORPUS / "dev.jsonl") + load_jsonl(CORPUS / "test.jsonl")
    for r in recs:
        r.pop("expected", None)
    path = tmp_path_factory.mktemp("spark") / "corpus.parquet"
    # several row groups and files would be split into partitions the same way; 4 row groups here
    pq.write_table(pa.Table.from_pylist(recs), path, row_group_size=30)
    return path, recs


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from docgap.spark import session

    s = session("local[2]", app="docgap-test")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def _local_results(engine, path):
    from docgap.io import read_records

    return list(engine.scan(read_records(path)))


def test_spark_matches_single_machine_row_for_row(spark, corpus_parquet, engine):
    from docgap.spark import scan_dataframe

    path, recs = corpus_parquet
    df = spark.read.parquet(str(path))
    got = scan_dataframe(df).orderBy("_seq").toPandas()
    want = _local_results(engine, path)
    assert len(got) == len(recs) == len(want)
    assert list(got["note_id"]) == [r["note_id"] for r in recs]
    assert [json.loads(x) for x in got["result_json"]] == want
    assert any(f["rule"].startswith("frequency") for r in want for f in r["findings"])  # grouped step ran


def test_spark_flags_duplicates_like_the_single_machine_path(spark, corpus_parquet, engine):
    from docgap.spark import scan_dataframe

    _, recs = corpus_parquet
    rows = [dict(r) for r in recs[:8]] + [dict(recs[2])] + [{"note_id": "  ", "text": "x"}]
    df = spark.createDataFrame([{k: r.get(k) for k in ("note_id", "text", "patient_id", "date_of_service", "payer")}
                                for r in rows])
    got = [json.loads(x) for x in scan_dataframe(df).orderBy("_seq").toPandas()["result_json"]]
    want = list(engine.scan([{k: r.get(k) for k in ("note_id", "text", "patient_id", "date_of_service", "payer")}
                             for r in rows]))
    assert got == want
    assert got[8]["error"]["type"] == "duplicate_note_id" and got[9]["note_id"] == "row-10"


def test_cli_engine_spark_writes_parquet_in_input_order(corpus_parquet, tmp_path, engine):
    import datetime

    import pyarrow.parquet as pq

    path, recs = corpus_parquet
    out = tmp_path / "spark_out.parquet"
    local = tmp_path / "local.parquet"
    # --history: results of earlier visits of some of the same patients, ten days before
    earlier = []
    for r in recs[:60]:
        if r.get("patient_id") and r.get("date_of_service"):
            dos = datetime.date.fromisoformat(r["date_of_service"]) - datetime.timedelta(days=10)
            earlier.append(dict(r, note_id=r["note_id"] + "-earlier", date_of_service=dos.isoformat()))
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(x) + "\n" for x in engine.scan(earlier)), encoding="utf-8")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    p = subprocess.run([sys.executable, "-m", "docgap.cli", "scan", str(path), "-o", str(out), "--engine", "spark",
                        "--spark-master", "local[2]", "--fail-on", "never", "--history", str(history)],
                       capture_output=True, text=True, timeout=900, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    q = subprocess.run([sys.executable, "-m", "docgap.cli", "scan", str(path), "-o", str(local), "--workers", "2",
                        "--fail-on", "never", "-q", "--history", str(history)], capture_output=True, text=True,
                       timeout=900)
    assert q.returncode == 0, q.stderr[-3000:]
    got = pq.read_table(out).to_pylist()
    want = pq.read_table(local).to_pylist()
    assert [r["note_id"] for r in got] == [r["note_id"] for r in recs]
    assert got == want


def test_spark_history_feeds_the_frequency_rules_like_the_single_machine_path(spark, corpus_parquet, engine, tmp_path):
    """Earlier results (--history) join each patient's group: the same results as Engine.scan(history=...)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from docgap.spark import scan_dataframe

    _, recs = corpus_parquet
    # the first half of every patient's sessions were scanned last night; tonight's input is the rest
    by_patient: dict = {}
    for r in recs:
        by_patient.setdefault(r.get("patient_id"), []).append(r)
    earlier = [r for p, rs in by_patient.items() if p for r in rs[:len(rs) // 2]]
    ids = {r["note_id"] for r in earlier}
    tonight = [r for r in recs if r["note_id"] not in ids]
    history = list(engine.scan(earlier))
    want = list(engine.scan(tonight, history=history))
    assert want != list(engine.scan(tonight))  # the history changes some frequency findings
    pq.write_table(pa.Table.from_pylist(tonight), tmp_path / "tonight.parquet")
    df = spark.read.parquet(str(tmp_path / "tonight.parquet"))
    got = [json.loads(x) for x in scan_dataframe(df, history=history).orderBy("_seq").toPandas()["result_json"]]
    assert got == want


def test_cli_engine_spark_refuses_resume_clearly(corpus_parquet, tmp_path):
    path, _ = corpus_parquet
    p = subprocess.run([sys.executable, "-m", "docgap.cli", "scan", str(path), "-o", str(tmp_path / "o.parquet"),
                        "--engine", "spark", "--resume"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "--resume is not available with --engine spark" in p.stderr, p.stderr[-2000:]
