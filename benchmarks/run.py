"""docgap throughput and memory against its baselines, side by side in one run.

    make bench            (or: .venv/bin/python benchmarks/run.py)

On the same seeded notes (gold corpus sections recombined, 150-900 words) it measures notes/s and
peak memory (ru_maxrss) of
  (a) spaCy's blank English tokenizer alone            -- the reference, ratio 1.0
  (b) medspacy.load() with its default components      -- on a subsample (it is slow), size printed
  (c) docgap's full path, text to findings, 1 process  -- `docgap scan --workers 1`, JSONL in and out
  (d) docgap with all cores                            -- `docgap scan` (one pipeline per worker)
  (e) docgap's spaCy/medspaCy pipeline alone, no extraction, with the time of each stage of (c) --
      the floor under (c): whatever extraction and rules cost comes on top of it
each in a fresh subprocess so their memory does not mix; then the time per note for 200, 800 and
3,200-word notes, peak memory of a streaming scan of 10,000 vs 100,000 short notes, and the eval
figures on the gold test split (speed must not cost accuracy). Results also go to a JSON file.
Timings exclude building pipelines; (d) includes starting its workers.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from notes import NoteMaker, write_jsonl  # noqa: E402

WARMUP = 20


def _texts(path: Path, limit: int | None = None) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
            if limit and len(out) >= limit:
                break
    return out


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


# ---- variants, each run in its own process -----------------------------------------------------

def variant_blank(path: Path, limit: int | None) -> dict:
    import spacy

    texts = _texts(path, limit)
    nlp = spacy.blank("en")
    for t in texts[:WARMUP]:
        nlp.tokenizer(t)
    t0 = time.perf_counter()
    for t in texts:
        nlp.tokenizer(t)
    return {"notes": len(texts), "seconds": time.perf_counter() - t0}


def variant_medspacy(path: Path, limit: int | None) -> dict:
    import medspacy
    from loguru import logger

    logger.disable("PyRuSH")  # it logs every document at DEBUG
    texts = _texts(path, limit)
    nlp = medspacy.load()
    for t in texts[:3]:
        nlp(t)
    t0 = time.perf_counter()
    for t in texts:
        nlp(t)
    return {"notes": len(texts), "seconds": time.perf_counter() - t0, "components": nlp.pipe_names}


def variant_stages(path: Path, limit: int | None) -> dict:
    """(c) taken apart in one process: text prep, each pipeline component, the note view, extraction, rules."""
    from docgap.engine import Engine, make_record
    from docgap.extract import facts_from_view, view_of
    from docgap.textprep import clean_for_nlp

    eng = Engine()
    nlp = eng.nlp
    raws = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            raws.append(json.loads(line))
    recs = [make_record(r, i) for i, r in enumerate(raws, 1)]
    for r in recs[:WARMUP]:
        eng.result(r, eng.extract(r), [])
    clock = time.perf_counter
    stages: dict[str, float] = {}

    def timed(name, fn, items):
        t0 = clock()
        out = [fn(x) for x in items]
        stages[name] = stages.get(name, 0.0) + clock() - t0
        return out

    for i in range(0, len(recs), 200):  # in chunks, so the Docs of 5,000 notes are not all held at once
        chunk = recs[i:i + 200]
        texts = timed("text prep", lambda r: clean_for_nlp(r.text), chunk)
        docs = timed("tokenizer", nlp.make_doc, texts)
        for name, proc in nlp.pipeline:
            docs = timed(name, proc, docs)
        views = timed("note view", lambda x: view_of(x[0], x[2].date_of_service, x[1]), list(zip(docs, texts, chunk)))
        facts = timed("extraction", lambda v: facts_from_view(v, eng.lex), views)
        timed("rules + result", lambda rf: eng.result(rf[0], rf[1], []), list(zip(chunk, facts)))
        del docs, views
    pipeline = sum(v for k, v in stages.items() if k not in ("note view", "extraction", "rules + result"))
    return {"notes": len(recs), "seconds": pipeline, "stages_s": stages,
            "note": "seconds = text prep + tokenizer + pipeline components (the floor under (c))"}


def _scan(path: Path, workers: int, limit: int | None, out: Path) -> dict:
    from docgap.batch import ScanOptions, fingerprint, run_scan
    from docgap.engine import Engine
    from docgap.io import ResultWriter, read_records

    Engine()  # build the pipeline before timing (forked workers share it)
    src = path
    if limit:
        src = out.with_suffix(".in.jsonl")
        with open(path, encoding="utf-8") as f, open(src, "w", encoding="utf-8") as g:
            for i, line in enumerate(f):
                if i >= limit:
                    break
                g.write(line)
    opts = ScanOptions(workers=workers, engine_args={})
    writer = ResultWriter(out, atomic=True)
    t0 = time.perf_counter()
    n = run_scan(read_records(src), out, writer.write, opts, fingerprint(src, opts))
    writer.close()
    secs = time.perf_counter() - t0
    return {"notes": n, "seconds": secs, "workers": workers,
            "parent_rss_mb": _rss_mb(), "worker_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN)}


def variant_docgap(path: Path, limit: int | None, workers: int, out: Path) -> dict:
    return _scan(path, workers, limit, out)


def variant_length(words: int, count: int) -> dict:
    """Time per note of docgap's full path (and the blank tokenizer) for notes of `words` words."""
    import spacy

    from docgap.engine import Engine, make_record

    maker = NoteMaker(seed=words)
    texts = [maker.text(words, int(words * 1.1)) for _ in range(count)]
    recs = [make_record({"note_id": f"n{i}", "text": t, "patient_id": f"p{i}", "date_of_service": "2025-01-10"}, i)
            for i, t in enumerate(texts, 1)]
    eng = Engine()
    blank = spacy.blank("en")
    for r in recs[:3]:
        eng.result(r, eng.extract(r), [])
        blank.tokenizer(r.text)
    from docgap.batch import tune_gc

    tune_gc()
    t0 = time.perf_counter()
    for t in texts:
        blank.tokenizer(t)
    tb = time.perf_counter() - t0
    t0 = time.perf_counter()
    for r in recs:
        eng.result(r, eng.extract(r), [])
    td = time.perf_counter() - t0
    return {"words": words, "notes": count, "mean_words": sum(len(t.split()) for t in texts) / count,
            "docgap_ms_per_note": 1000 * td / count, "blank_ms_per_note": 1000 * tb / count}


def variant_eval() -> dict:
    from docgap.engine import Engine
    from docgap.evaluate import evaluate

    gold = [json.loads(line) for line in open(HERE.parent / "corpus_samples" / "test.jsonl", encoding="utf-8")]
    res = {r["note_id"]: r for r in Engine().scan(gold)}
    return evaluate(gold, res)["summary"]


def _child(args: list[str]) -> dict:
    p = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_variant", *args], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit(f"variant {args[0]} failed:\n{p.stderr[-3000:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return r


def _run_variant(argv: list[str]) -> None:
    name = argv[0]
    if name == "blank":
        r = variant_blank(Path(argv[1]), int(argv[2]) or None)
    elif name == "medspacy":
        r = variant_medspacy(Path(argv[1]), int(argv[2]) or None)
    elif name == "docgap":
        r = variant_docgap(Path(argv[1]), int(argv[2]) or None, int(argv[3]), Path(argv[4]))
    elif name == "stages":
        r = variant_stages(Path(argv[1]), int(argv[2]) or None)
    elif name == "length":
        r = variant_length(int(argv[1]), int(argv[2]))
    elif name == "eval":
        r = variant_eval()
    else:
        raise SystemExit(f"unknown variant {name}")
    r.setdefault("peak_rss_mb", _rss_mb())
    print(json.dumps(r))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_variant":
        return _run_variant(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notes", type=int, default=5000, help="benchmark notes (default 5000)")
    ap.add_argument("--medspacy-sample", type=int, default=300, help="notes for medspacy.load() (default 300)")
    ap.add_argument("--memory", default="10000,100000", help="short-note counts for the memory check ('' to skip)")
    ap.add_argument("--lengths", default="200:40,800:15,3200:5", help="WORDS:NOTES for the note-length check")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(HERE / "results" / "scale.json"))
    a = ap.parse_args()
    from docgap.batch import default_workers

    cores = default_workers()
    tmp = Path(tempfile.mkdtemp(prefix="docgap-bench-"))
    corpus = tmp / "notes.jsonl"
    write_jsonl(corpus, NoteMaker(a.seed).records(a.notes))
    words = [len(t.split()) for t in _texts(corpus)]
    print(f"corpus: {len(words)} notes, {min(words)}-{max(words)} words (mean {sum(words) / len(words):.0f}), "
          f"seed {a.seed}; {cores} cores; load average {os.getloadavg()[0]:.2f}")
    res: dict = {"notes": len(words), "mean_words": sum(words) / len(words), "cores": cores, "seed": a.seed}

    variants = {
        "a_blank_tokenizer": ["blank", str(corpus), "0"],
        "b_medspacy_default": ["medspacy", str(corpus), str(a.medspacy_sample)],
        "c_docgap_1_process": ["docgap", str(corpus), "0", "1", str(tmp / "c.jsonl")],
        "d_docgap_all_cores": ["docgap", str(corpus), "0", str(cores), str(tmp / "d.jsonl")],
        "e_docgap_pipeline_only": ["stages", str(corpus), "0"],
    }
    rows = {}
    for key, args in variants.items():
        r = _child(args)
        r["notes_per_s"] = r["notes"] / r["seconds"]
        rows[key] = r
    base = rows["a_blank_tokenizer"]["notes_per_s"]
    print(f"\n{'variant':24} {'notes':>6} {'notes/s':>9} {'x (a)':>7} {'peak MB':>8}")
    for key, r in rows.items():
        r["ratio_to_a"] = r["notes_per_s"] / base
        w = r.get("workers", 1)
        mem = r["peak_rss_mb"] + (w * r["worker_rss_mb"] if w > 1 else 0)
        print(f"{key:24} {r['notes']:>6} {r['notes_per_s']:>9.1f} {r['ratio_to_a']:>7.3f} {mem:>8.0f}"
              + (f"  (parent {r['parent_rss_mb']:.0f} + {w} x largest worker {r['worker_rss_mb']:.0f}; forked "
                 f"workers share pages, so this overstates)" if w > 1 else ""))
    print(f"(b) measured on a subsample of {rows['b_medspacy_default']['notes']} notes; components: "
          f"{', '.join(rows['b_medspacy_default']['components'])}")
    st = rows["e_docgap_pipeline_only"]["stages_s"]
    n_e = rows["e_docgap_pipeline_only"]["notes"]
    blank_ms = 1000 / base
    print(f"\n(c) by stage, one process (ms/note; x = multiples of the blank tokenizer's {blank_ms:.2f} ms):")
    for k, v in st.items():
        print(f"  {k:28} {1000 * v / n_e:7.2f} ms  {1000 * v / n_e / blank_ms:6.2f}x")
    print(f"  {'total':28} {1000 * sum(st.values()) / n_e:7.2f} ms  "
          f"{1000 * sum(st.values()) / n_e / blank_ms:6.2f}x   (0.25x of (a) = {4 * blank_ms:.2f} ms/note)")
    speedup = rows["d_docgap_all_cores"]["notes_per_s"] / rows["c_docgap_1_process"]["notes_per_s"]
    print(f"all cores vs 1 process: {speedup:.2f}x with {cores} workers")
    same = (tmp / "c.jsonl").read_bytes() == (tmp / "d.jsonl").read_bytes()
    print(f"(c) and (d) outputs identical: {same}")
    res.update(variants=rows, all_cores_speedup=speedup, outputs_identical=same)

    print(f"\n{'words':>6} {'notes':>6} {'docgap ms/note':>15} {'blank ms/note':>14}")
    res["length"] = []
    for spec in filter(None, a.lengths.split(",")):
        w, n = spec.split(":")
        r = _child(["length", w, n])
        res["length"].append(r)
        print(f"{r['mean_words']:>6.0f} {r['notes']:>6} {r['docgap_ms_per_note']:>15.1f} {r['blank_ms_per_note']:>14.2f}")

    if a.memory:
        res["memory"] = []
        print(f"\n{'short notes':>11} {'notes/s':>8} {'parent MB':>10} {'worker MB':>10}   (streaming scan, {cores} workers)")
        for n in map(int, a.memory.split(",")):
            path = tmp / f"short{n}.jsonl"
            write_jsonl(path, NoteMaker(a.seed + n).records(n, 20, 60))
            r = _child(["docgap", str(path), "0", str(cores), str(tmp / f"short{n}.out.jsonl")])
            r["notes_per_s"] = r["notes"] / r["seconds"]
            res["memory"].append(r)
            print(f"{n:>11} {r['notes_per_s']:>8.1f} {r['parent_rss_mb']:>10.0f} {r['worker_rss_mb']:>10.0f}")
            path.unlink()
            (tmp / f"short{n}.out.jsonl").unlink()
        m = res["memory"]
        if len(m) >= 2:
            growth = (m[-1]["parent_rss_mb"] + m[-1]["worker_rss_mb"]) / (m[0]["parent_rss_mb"] + m[0]["worker_rss_mb"])
            res["memory_growth"] = growth
            print(f"peak memory {m[-1]['notes']} vs {m[0]['notes']} notes: {growth:.3f}x")

    ev = _child(["eval"])
    res["eval_test_split"] = ev
    print("\neval on corpus_samples/test.jsonl: " + ", ".join(f"{k}={v}" for k, v in ev.items()))
    res["load_average_end"] = os.getloadavg()[0]
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(f"\nwritten: {a.out}")


if __name__ == "__main__":
    main()
