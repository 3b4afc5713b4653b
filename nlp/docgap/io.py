"""Readers and writers: JSONL, CSV, Parquet, folders of .txt notes. Readers stream records as dicts;
a line that cannot be parsed becomes a record carrying its error, so it still gets its output row."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Iterator

from .engine import Record
from .errors import InputError

FORMATS = ("jsonl", "csv", "parquet")


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "dir"
    suf = path.suffix.lower()
    if suf in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suf in (".csv", ".tsv"):
        return "csv"
    if suf in (".parquet", ".pq"):
        return "parquet"
    if suf == ".txt":
        return "txt"
    raise InputError(f"cannot tell the format of {path.name}: use .jsonl, .csv, .parquet, .txt or a folder")


def _decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def _file_encoding(path: Path, block: int = 1 << 20) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else cp1252; constant memory."""
    import codecs

    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(block):
                dec.decode(chunk)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def count_records(path: str | Path) -> int | None:
    """How many records the input holds, cheaply (for progress ETA); None when unknown (CSV)."""
    p = Path(path)
    fmt = detect_format(p)
    if fmt == "dir":
        return sum(1 for f in p.iterdir() if f.suffix.lower() == ".txt" and f.is_file())
    if fmt == "txt":
        return 1
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(p).metadata.num_rows
    if fmt == "jsonl":
        n, last = 0, b"\n"
        with open(p, "rb") as f:
            while chunk := f.read(1 << 20):
                n += chunk.count(b"\n")
                last = chunk[-1:]
        return n + (last != b"\n")
    return None


def read_jsonl_rows(path: str | Path) -> Iterator[dict]:
    """Plain JSON objects, one per line, streamed (history files)."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{Path(path).name}:{n}: not JSON ({e.msg})") from None


def read_records(path: str | Path) -> Iterator[dict | Record]:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    fmt = detect_format(p)
    if fmt == "dir":
        files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".txt" and f.is_file())
        for f in files:
            text, _ = _decode(f.read_bytes())
            yield {"note_id": f.stem, "text": text}
    elif fmt == "txt":
        text, _ = _decode(p.read_bytes())
        yield {"note_id": p.stem, "text": text}
    elif fmt == "jsonl":
        with open(p, "rb") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    yield Record(f"line-{n}", "", error=("invalid_encoding", f"line {n} is not valid UTF-8"))
                    continue
                except json.JSONDecodeError as e:
                    yield Record(f"line-{n}", "", error=("invalid_json", f"line {n}: {e.msg} at column {e.colno}"))
                    continue
                if not isinstance(obj, dict):
                    yield Record(f"line-{n}", "", error=("invalid_record", f"line {n} is not a JSON object"))
                    continue
                yield obj
    elif fmt == "csv":
        # Streamed: the encoding is settled by one pass over the bytes, then rows are read lazily.
        csv.field_size_limit(sys.maxsize)
        enc = _file_encoding(p)
        with open(p, encoding=enc, errors="replace" if enc == "cp1252" else "strict", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t" if p.suffix == ".tsv" else ",")
            if not reader.fieldnames or "text" not in reader.fieldnames or "note_id" not in reader.fieldnames:
                raise InputError(f"{p.name}: CSV needs at least the columns note_id and text "
                                 f"(found: {', '.join(reader.fieldnames or [])})")
            for row in reader:
                row.pop(None, None)  # extra unnamed cells on a ragged row
                yield {k: (v if v != "" else None) for k, v in row.items()}
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(p)
        cols = set(pf.schema_arrow.names)
        if not {"note_id", "text"} <= cols:
            raise InputError(f"{p.name}: Parquet needs the columns note_id and text")
        for batch in pf.iter_batches(batch_size=2048):
            yield from batch.to_pylist()


def flatten(result: dict) -> dict:
    """One spreadsheet row per note: facts and findings as filterable columns."""
    f = result.get("facts") or {}
    findings = result.get("findings") or []
    pain = f.get("pain_scores") or {}
    return {
        "note_id": result["note_id"],
        "status": result["status"],
        "error": (result.get("error") or {}).get("message") if result.get("error") else None,
        "payer_profile": result.get("payer_profile"),
        "procedure": f.get("procedure"),
        "muscles": ";".join(f"{m['name']}:{m['laterality'] or ''}" for m in f.get("muscles") or []),
        "muscle_count": f.get("muscle_count"),
        "muscles_unspecified": f.get("muscles_unspecified"),
        "injection_count": f.get("injection_count"),
        "therapies": ";".join(f"{t['category']}:{t['status']}" for t in f.get("therapies") or []),
        "conservative_failed": any(t["status"] == "failed" for t in f.get("therapies") or []) if f else None,
        "symptom_duration_days": f.get("symptom_duration_days"),
        "palpation_documented": (f.get("palpation") or {}).get("documented") if f else None,
        "palpation_kinds": ";".join(sorted({p["kind"] for p in (f.get("palpation") or {}).get("findings") or []})),
        "imaging_guidance": f.get("imaging_guidance"),
        "drugs": ";".join(f"{d['name']}:{d['total_dose'] if d['total_dose'] is not None else ''}{d['dose_unit'] or ''}"
                          for d in f.get("drugs") or []),
        "dry_needling": f.get("dry_needling"),
        "is_repeat": f.get("is_repeat"),
        "pain_pre": pain.get("pre"),
        "pain_post": pain.get("post"),
        "suggested_codes": ";".join(f"{c['code']}x{c['units']}" for c in result.get("suggested_codes") or []),
        "findings": ";".join(x["rule"] for x in findings),
        "holds": sum(1 for x in findings if x["severity"] == "hold"),
        "reviews": sum(1 for x in findings if x["severity"] == "review"),
        "infos": sum(1 for x in findings if x["severity"] == "info"),
        "result_json": json.dumps(result, ensure_ascii=False),
    }


class ResultWriter:
    def __init__(self, path: str | Path, fmt: str | None = None, atomic: bool = False):
        """atomic: write to PATH.partial and rename on close(), so PATH only ever holds a complete run."""
        self.final = Path(path)
        self.path = Path(str(path) + ".partial") if atomic else self.final
        self.fmt = fmt or {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(self.final.suffix.lower(), "jsonl")
        if self.fmt not in FORMATS:
            raise InputError(f"unknown output format {self.fmt!r}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._rows: list[dict] = []
        self._pq_writer = None
        if self.fmt == "jsonl":
            self._f = open(self.path, "w", encoding="utf-8")
        elif self.fmt == "csv":
            self._f = open(self.path, "w", encoding="utf-8", newline="")
            self._csv = None

    def write(self, result: dict) -> None:
        if self.fmt == "jsonl":
            self._f.write(json.dumps(result, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            row = flatten(result)
            if self._csv is None:
                self._csv = csv.DictWriter(self._f, fieldnames=list(row))
                self._csv.writeheader()
            self._csv.writerow(row)
        else:
            self._rows.append(flatten(result))
            if len(self._rows) >= 2048:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        schema = pa.schema([(k, pa.string() if k not in ("muscle_count", "injection_count", "symptom_duration_days",
                                                         "pain_pre", "pain_post", "holds", "reviews", "infos")
                             else pa.int64()) for k in self._rows[0]])
        rows = [{k: (str(v) if v is not None and schema.field(k).type == pa.string() else v) for k, v in r.items()}
                for r in self._rows]
        table = pa.Table.from_pylist(rows, schema=schema)
        if self._pq_writer is None:
            self._pq_writer = pq.ParquetWriter(self.path, schema)
        self._pq_writer.write_table(table)
        self._rows = []

    def close(self) -> None:
        if self.fmt in ("jsonl", "csv"):
            self._f.close()
        else:
            self._flush_parquet()
            if self._pq_writer is not None:
                self._pq_writer.close()
            else:  # no rows at all: still write a valid empty file
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({"note_id": pa.array([], pa.string())}), self.path)
        if self.path != self.final:
            os.replace(self.path, self.final)

    def abort(self) -> None:
        """Close without publishing: an interrupted run leaves no half-written output."""
        if self.fmt in ("jsonl", "csv"):
            self._f.close()
        elif self._pq_writer is not None:
            self._pq_writer.close()
        if self.path != self.final:
            self.path.unlink(missing_ok=True)
