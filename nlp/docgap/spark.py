"""docgap on Spark: the full path over a DataFrame with the contract's input columns.

    from docgap.spark import scan_dataframe
    results = scan_dataframe(spark.read.parquet("notes.parquet"))

Three steps, each a pandas function over Arrow batches, with one pipeline per executor Python
process (built on first use and kept; Spark reuses its Python workers):
1. input order: a dense 1-based row number from the partition counts, as `docgap scan` numbers rows
   (it names records without a note_id and orders same-day sessions), and the first row of each
   note_id, for the duplicate check;
2. extraction (mapInPandas): Record and Facts pickled into a binary column, or an error row;
3. rules: grouped by patient (applyInPandas), because frequency rules need all of a patient's
   sessions (with those of earlier results, `history`, joined in as extra rows of the group); notes
   without a patient need no group and run in a plain mapInPandas.
The result has the columns of `docgap scan -o out.parquet` (io.flatten), with the whole contract
result in `result_json`, in input order.
"""
from __future__ import annotations

import json
import pickle
from typing import Iterable, Iterator

from .engine import Engine, Record, error_result, history_sessions, is_session, make_record
from .facts import Facts
from .io import flatten
from .rules import Session

INPUT_COLUMNS = ("note_id", "text", "patient_id", "date_of_service", "payer", "billed", "diagnoses")
INT_COLUMNS = ("muscle_count", "injection_count", "symptom_duration_days", "pain_pre", "pain_post", "holds",
               "reviews", "infos")
RESULT_COLUMNS = tuple(flatten({"note_id": "", "status": "ok"}))
_ENGINES: dict[str, Engine] = {}


def _engine(engine_args: dict) -> Engine:
    key = json.dumps(engine_args, sort_keys=True)
    if key not in _ENGINES:
        from .batch import tune_gc

        _ENGINES[key] = Engine(**engine_args)
        tune_gc()
    return _ENGINES[key]


def _result_schema() -> str:
    return ", ".join(f"`{c}` {'bigint' if c in INT_COLUMNS else 'string'}" for c in RESULT_COLUMNS) + ", `_seq` bigint"


STAGED_SCHEMA = "_seq bigint, _patient string, _kind string, _blob binary"


def _row_dict(row: dict) -> dict:
    """A pandas row -> the raw record make_record expects (missing columns stay absent)."""
    out = {}
    for c in INPUT_COLUMNS:
        if c in row:
            v = row[c]
            if hasattr(v, "isoformat") and not isinstance(v, str):  # a Parquet date column
                v = v.isoformat()[:10]
            out[c] = v
    return out


def _extract(engine_args: dict):
    def run(batches: Iterator) -> Iterator:
        import pandas as pd

        eng = _engine(engine_args)
        for pdf in batches:
            rows = []
            for row in pdf.to_dict("records"):
                seq = int(row["_seq"])
                rec = make_record(_row_dict(row), seq)
                if rec.error is None and int(row["_first"]) != seq:
                    rec.error = ("duplicate_note_id", "note_id appears earlier in this input")
                if rec.error:
                    rows.append((seq, None, "error", json.dumps(error_result(rec.note_id, *rec.error)).encode()))
                    continue
                facts, err = eng.extract_or_error(rec)
                if err is not None:
                    rows.append((seq, None, "error", json.dumps(err).encode()))
                    continue
                rec.text = ""
                rows.append((seq, rec.patient_id, "ok", pickle.dumps((rec, facts), protocol=pickle.HIGHEST_PROTOCOL)))
            yield pd.DataFrame(rows, columns=["_seq", "_patient", "_kind", "_blob"])
    return run


def _flat(res: dict, seq: int) -> dict:
    row = flatten(res)
    for c in RESULT_COLUMNS:
        if c not in INT_COLUMNS and row[c] is not None:
            row[c] = str(row[c])
    row["_seq"] = seq
    return row


def _frame(rows: list[dict]):
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS) + ["_seq"])
    for c in INT_COLUMNS:
        df[c] = df[c].astype("Int64")
    return df


def _rules_for_patient(engine_args: dict):
    def run(pdf):
        eng = _engine(engine_args)
        # earlier results (--history) first, in their file order (negative _seq), then this input's rows
        rows = sorted((int(s), k, pickle.loads(b)) for s, k, b in zip(pdf["_seq"], pdf["_kind"], pdf["_blob"]))
        sessions = [Session(*item) for _, k, item in rows if k == "history"]
        staged = [(seq, item) for seq, k, item in rows if k == "ok"]
        sessions += [Session(rec.note_id, rec.date_of_service, Facts(procedure=facts.procedure))
                     for _, (rec, facts) in staged if is_session(rec, facts)]
        return _frame([_flat(eng.result(rec, facts, sessions), seq) for seq, (rec, facts) in staged])
    return run


def _history_frame(spark, history: Iterable[dict]):
    """The sessions of earlier results as staged rows of kind 'history' (a Session's note_id, date and
    procedure, pickled), numbered -n..-1 so they sort first, in file order."""
    sessions = [(pid, (s.note_id, s.date_of_service, Facts(procedure=s.facts.procedure)))
                for pid, s in history_sessions(history)]
    n = len(sessions)
    rows = [(i - n, pid, "history", pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            for i, (pid, item) in enumerate(sessions)]
    return spark.createDataFrame(rows, STAGED_SCHEMA)


def _rules_alone(engine_args: dict):
    def run(batches: Iterator) -> Iterator:
        eng = _engine(engine_args)
        for pdf in batches:
            rows = []
            for seq, kind, blob in zip(pdf["_seq"], pdf["_kind"], pdf["_blob"]):
                if kind == "error":
                    rows.append(_flat(json.loads(blob), int(seq)))
                else:
                    rec, facts = pickle.loads(blob)
                    rows.append(_flat(eng.result(rec, facts, []), int(seq)))
            yield _frame(rows)
    return run


def with_input_order(df):
    """_seq: 1-based position in the input (partition order, then row order); _first: the _seq of the
    first row with the same note_id (as make_record reads it)."""
    from pyspark.sql import functions as F

    df = df.withColumn("_pid", F.spark_partition_id()).withColumn("_mid", F.monotonically_increasing_id())
    counts = dict(df.groupBy("_pid").count().collect())
    offsets, total = {}, 0
    for pid in sorted(counts):
        offsets[pid] = total
        total += counts[pid]
    offset = F.create_map(*[x for pid, off in offsets.items() for x in (F.lit(pid), F.lit(off))]) \
        if offsets else F.create_map(F.lit(0), F.lit(0))
    # monotonically_increasing_id = partition id << 33 | row within the partition
    df = df.withColumn("_seq", offset[F.col("_pid")] + F.expr("_mid & 8589934591") + F.lit(1))
    key = F.trim(F.col("note_id").cast("string")) if "note_id" in df.columns else F.lit(None).cast("string")
    key = F.when(key.isNull() | (key == ""), F.concat(F.lit("row-"), F.col("_seq").cast("string"))).otherwise(key)
    df = df.withColumn("_key", key)
    # Only repeated ids travel: the texts are not shuffled, and the small table is broadcast.
    dups = df.groupBy("_key").agg(F.min("_seq").alias("_first"), F.count("*").alias("_n")).filter("_n > 1") \
        .drop("_n")
    df = df.join(F.broadcast(dups), "_key", "left")
    return df.withColumn("_first", F.coalesce("_first", "_seq")).drop("_pid", "_mid", "_key")


def scan_dataframe(df, engine_args: dict | None = None, history: Iterable[dict] | None = None):
    """Results for every row of `df` (contract input columns; note_id and text required), one per row,
    with a `_seq` column holding the input position (sort by it for input order). `history`: earlier
    result rows whose sessions feed the frequency rules, as in Engine.scan and `docgap scan --history`."""
    from pyspark.sql import functions as F

    from .errors import InputError

    missing = {"note_id", "text"} - set(df.columns)
    if missing:
        raise InputError(f"the DataFrame needs the columns {', '.join(sorted(missing))}")
    engine_args = dict(engine_args or {})
    cols = [c for c in INPUT_COLUMNS if c in df.columns]
    staged = with_input_order(df.select(*cols)).mapInPandas(_extract(engine_args), STAGED_SCHEMA)
    staged = staged.persist()
    by_patient = staged.filter((F.col("_kind") == "ok") & F.col("_patient").isNotNull())
    if history is not None:
        by_patient = by_patient.unionByName(_history_frame(df.sparkSession, history))
    grouped = by_patient.groupBy("_patient").applyInPandas(_rules_for_patient(engine_args), _result_schema())
    alone = staged.filter((F.col("_kind") == "error") | F.col("_patient").isNull()) \
        .mapInPandas(_rules_alone(engine_args), _result_schema())
    return grouped.unionByName(alone)


def session(master: str | None = None, app: str = "docgap"):
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName(app).config("spark.sql.execution.arrow.pyspark.enabled", "true") \
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "512")
    if not master and not SparkConf().contains("spark.master"):  # not under spark-submit
        master = "local[*]"
    if master:
        b = b.master(master)
    if master and master.startswith("local"):
        # one machine: a few shuffle partitions, not 200 near-empty tasks; no console progress bar
        b = b.config("spark.sql.shuffle.partitions", "4").config("spark.ui.showConsoleProgress", "false")
    return b.getOrCreate()


def scan_parquet(input_path: str, output_path: str, engine_args: dict | None = None,
                 master: str | None = None, history: Iterable[dict] | None = None) -> int:
    """Parquet in, Parquet out (a folder of part files, rows in input order)."""
    from .errors import InputError

    if not str(input_path).lower().endswith((".parquet", ".pq")) and not str(input_path).endswith("/"):
        raise InputError("--engine spark reads Parquet: give a .parquet file or folder")
    spark = session(master)
    results = scan_dataframe(spark.read.parquet(str(input_path)), engine_args, history).persist()
    n = results.count()
    results.orderBy("_seq").drop("_seq").write.mode("overwrite").parquet(str(output_path))
    return n
