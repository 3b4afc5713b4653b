"""Compare docgap's line-aware sentence splitter with PyRuSH and spaCy's sentencizer.

One run, the same notes (corpus_samples/dev.jsonl + test.jsonl texts), three questions:

1. Speed. Notes per second of (a) a spaCy blank English tokenizer plus the splitter alone, (b) the
   medspaCy pipeline docgap builds with that splitter, (c) a full `docgap scan` (pipeline, extraction,
   rules). Each is also given as a time ratio to the bare blank-English tokenizer measured in the same
   repetition. The machine is shared and noisy, so every configuration runs once per repetition in a
   shuffled order (interleaved) and the median over repetitions is reported.
2. Boundary quality against benchmarks/data/sentence_gold.jsonl: hand-labelled sentence starts in
   short clinical snippets. Precision/recall/F1 of predicted sentence starts (the first non-space
   character of each sentence; the trivial start of the snippet is not counted).
3. Downstream effect: `docgap eval` figures on the dev and test gold splits with each splitter.

Run:  .venv/bin/python benchmarks/sentence_splitters.py [--reps 7]
Writes benchmarks/results/sentence_splitters.json and prints tables (no note text is printed).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus_samples"
GOLD = ROOT / "benchmarks" / "data" / "sentence_gold.jsonl"
OUT = ROOT / "benchmarks" / "results" / "sentence_splitters.json"
MTSAMPLES = ROOT.parent / "shared" / "external" / "mtsamples"

SPLITTERS = ("docgap", "pyrush", "sentencizer")
PIPE_NAME = {"docgap": "docgap_sentences", "pyrush": "medspacy_pyrush", "sentencizer": "sentencizer"}
DOWNSTREAM_KEYS = ("acc_muscle_count", "acc_injection_count", "acc_symptom_duration", "acc_palpation",
                   "acc_conservative_failed", "f1_muscles", "f1_therapies_tried", "f1_drugs",
                   "f1_suggested_codes", "f1_findings", "acc_notes_with_false_hold")


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def splitter_only(splitter: str, tokenizer: str = "blank"):
    """A tokenizer plus one sentence splitter: spaCy's blank English tokenizer, or the medspaCy
    tokenizer docgap's pipeline uses."""
    import medspacy  # noqa: F401  (registers medspacy_pyrush)
    import spacy

    from docgap import sentences  # noqa: F401  (registers docgap_sentences)

    if tokenizer == "blank":
        nlp = spacy.blank("en")
    else:
        nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer"])
    nlp.max_length = 2_000_000
    nlp.add_pipe(PIPE_NAME[splitter])
    return nlp


# ---------------------------------------------------------------------------------------------- speed

def build_configs(records: list[dict]) -> dict[str, callable]:
    import spacy

    from docgap.engine import Engine
    from docgap.pipeline import build_pipeline
    from docgap.lexicon import load_lexicons

    texts = [r["text"] for r in records]
    bare = spacy.blank("en")
    bare.max_length = 2_000_000
    configs = {"tokenizer": lambda: [bare(t) for t in texts]}
    lex = load_lexicons()
    for s in SPLITTERS:
        only = splitter_only(s, "blank")
        pipe = build_pipeline(lex, s)
        engine = Engine(splitter=s)
        configs[f"split:{s}"] = (lambda nlp: lambda: [nlp(t) for t in texts])(only)
        configs[f"pipeline:{s}"] = (lambda nlp: lambda: [nlp(t) for t in texts])(pipe)
        configs[f"scan:{s}"] = (lambda eng: lambda: list(eng.scan(records)))(engine)
    return configs


def measure_speed(records: list[dict], reps: int, seed: int = 0) -> dict:
    configs = build_configs(records)
    for run in configs.values():  # warm-up: lazy loading, caches
        run()
    times: dict[str, list[float]] = {k: [] for k in configs}
    ratios: dict[str, list[float]] = {k: [] for k in configs}
    rng = random.Random(seed)
    for _ in range(reps):
        order = list(configs)
        rng.shuffle(order)
        this_rep = {}
        for name in order:
            gc.collect()
            t0 = time.perf_counter()
            configs[name]()
            this_rep[name] = time.perf_counter() - t0
        for name, t in this_rep.items():
            times[name].append(t)
            ratios[name].append(t / this_rep["tokenizer"])
    n = len(records)
    return {name: {"median_seconds": round(statistics.median(ts), 4),
                   "notes_per_s": round(n / statistics.median(ts), 1),
                   "time_ratio_to_tokenizer": round(statistics.median(ratios[name]), 2),
                   "seconds_all_reps": [round(t, 4) for t in ts]}
            for name, ts in times.items()}


# -------------------------------------------------------------------------------------------- quality

def predicted_starts(doc) -> list[int]:
    """First non-space character of every sentence that has one."""
    out = []
    for sent in doc.sents:
        stripped = len(sent.text) - len(sent.text.lstrip())
        if stripped < len(sent.text):
            out.append(sent.start_char + stripped)
    return out


def boundary_quality(gold: list[dict], tokenizer: str) -> dict:
    out = {}
    for s in SPLITTERS:
        nlp = splitter_only(s, tokenizer)
        tp = fp = fn = 0
        errors = []
        for g in gold:
            text = g["text"]
            first = len(text) - len(text.lstrip())
            want = set(g["starts"]) - {first}
            got = set(predicted_starts(nlp(text))) - {first}
            tp += len(want & got)
            fp += len(got - want)
            fn += len(want - got)
            if want != got:
                errors.append({"id": g["id"], "style": g["style"],
                               "missed": [_ctx(text, i) for i in sorted(want - got)],
                               "spurious": [_ctx(text, i) for i in sorted(got - want)]})
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[s] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3),
                  "f1": round(f1, 3), "snippets_exact": len(gold) - len(errors), "snippets": len(gold),
                  "errors": errors}
    return out


def _ctx(text: str, i: int) -> str:
    # the gold snippets are synthetic (written for this benchmark), so a little context is safe to store
    return f"{i}: {text[max(0, i - 15):i]!r} | {text[i:i + 15]!r}"


def sentence_stats(texts: list[str]) -> dict:
    """Sentences per note and the longest sentence, as the pipeline's tokenizer sees them."""
    out = {}
    for s in SPLITTERS:
        nlp = splitter_only(s, "medspacy")
        counts, longest = [], 0
        for t in texts:
            lens = [len(x.text.strip()) for x in nlp(t).sents if x.text.strip()]
            counts.append(len(lens))
            longest = max([longest] + lens)
        out[s] = {"mean_sentences_per_note": round(statistics.mean(counts), 1), "longest_sentence_chars": longest}
    return out


# ----------------------------------------------------------------------------------------- downstream

def downstream(splits: dict[str, list[dict]]) -> dict:
    from docgap.engine import Engine
    from docgap.evaluate import evaluate

    out = {}
    facts_by_splitter = {}
    for s in SPLITTERS:
        engine = Engine(splitter=s)
        out[s] = {}
        for name, gold in splits.items():
            results = {r["note_id"]: r for r in engine.scan(gold)}
            summary = evaluate(gold, results)["summary"]
            out[s][name] = {k: summary[k] for k in DOWNSTREAM_KEYS} | {"errors": summary["errors"]}
            facts_by_splitter.setdefault(s, {}).update({k: json.dumps(v.get("facts"), sort_keys=True)
                                                        for k, v in results.items()})
    base = facts_by_splitter["docgap"]
    for s in SPLITTERS:
        out[s]["notes_with_facts_differing_from_docgap_splitter"] = sum(
            facts_by_splitter[s][k] != base[k] for k in base)
    return out


# ------------------------------------------------------------------------------------------------ main

def git_state() -> dict:
    """The commit measured, and whether nlp/ or lexicons/ had uncommitted changes."""
    import subprocess

    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "--short", "HEAD") or None,
            "uncommitted_changes_in_nlp_or_lexicons": bool(git("status", "--porcelain", "--", "nlp", "lexicons"))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=7, help="interleaved timing repetitions (median reported)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    from docgap.pipeline import _quiet_loguru

    _quiet_loguru()  # PyRuSH logs every document at DEBUG
    splits = {"dev": load_jsonl(CORPUS / "dev.jsonl"), "test": load_jsonl(CORPUS / "test.jsonl")}
    records = [{k: v for k, v in r.items() if k != "expected"} for r in splits["dev"] + splits["test"]]
    gold = load_jsonl(GOLD)
    for g in gold:  # the gold file carries its own marked form: keep the two in step
        marked_starts, n = [], 0
        for ch in g["marked"]:
            if ch == "¦":
                marked_starts.append(n)
            else:
                n += 1
        assert marked_starts == g["starts"] and g["marked"].replace("¦", "") == g["text"], g["id"]

    speed = measure_speed(records, args.reps)
    quality = {"medspacy_tokenizer": boundary_quality(gold, "medspacy"),
               "blank_en_tokenizer": boundary_quality(gold, "blank")}
    stats = {"corpus_samples": sentence_stats([r["text"] for r in records])}
    if MTSAMPLES.is_dir():
        stats["mtsamples"] = sentence_stats([f.read_bytes().decode("utf-8-sig")
                                             for f in sorted(MTSAMPLES.glob("*.txt"))])
    down = downstream(splits)

    import medspacy
    import spacy

    report = {
        "command": "python benchmarks/sentence_splitters.py --reps %d" % args.reps,
        "code": git_state(),
        "environment": {"python": platform.python_version(), "spacy": spacy.__version__,
                        "medspacy": medspacy.__version__, "machine": platform.machine(),
                        "cpus_visible": len(os.sched_getaffinity(0))},
        "notes": len(records), "chars": sum(len(r["text"]) for r in records), "reps": args.reps,
        "speed": speed, "boundary_quality": quality, "sentence_stats": stats, "downstream": down,
        "gold": {"file": str(GOLD.relative_to(ROOT)), "snippets": len(gold),
                 "boundaries_scored": sum(len(g["starts"]) - 1 for g in gold)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print_tables(report)
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


def print_tables(rep: dict) -> None:
    sp, q = rep["speed"], rep["boundary_quality"]["medspacy_tokenizer"]
    qb = rep["boundary_quality"]["blank_en_tokenizer"]
    tok = sp["tokenizer"]
    print(f"{rep['notes']} notes, {rep['chars']} chars, {rep['reps']} interleaved reps (medians); "
          f"bare blank-en tokenizer {tok['notes_per_s']} notes/s")
    print(f"\n{'splitter':12} {'split notes/s':>13} {'x tok':>6} {'pipeline n/s':>12} {'x tok':>6} "
          f"{'scan n/s':>9} {'x tok':>6} | {'P':>5} {'R':>5} {'F1':>5} {'exact':>6} | {'F1 blank-en':>11}")
    for s in SPLITTERS:
        a, b, c, qq = sp[f"split:{s}"], sp[f"pipeline:{s}"], sp[f"scan:{s}"], q[s]
        print(f"{s:12} {a['notes_per_s']:>13} {a['time_ratio_to_tokenizer']:>6} {b['notes_per_s']:>12} "
              f"{b['time_ratio_to_tokenizer']:>6} {c['notes_per_s']:>9} {c['time_ratio_to_tokenizer']:>6} | "
              f"{qq['precision']:>5} {qq['recall']:>5} {qq['f1']:>5} {qq['snippets_exact']:>3}/{qq['snippets']:<2} | "
              f"{qb[s]['f1']:>11}")
    print("\nlongest sentence (chars) / mean sentences per note:")
    for corpus, st in rep["sentence_stats"].items():
        print(f"  {corpus:15} " + "  ".join(f"{s}: {st[s]['longest_sentence_chars']} / "
                                             f"{st[s]['mean_sentences_per_note']}" for s in SPLITTERS))
    d = rep["downstream"]
    for split in ("dev", "test"):
        print(f"\ndocgap eval on {split}:")
        print(f"  {'metric':28} " + " ".join(f"{s:>11}" for s in SPLITTERS))
        for k in DOWNSTREAM_KEYS + ("errors",):
            print(f"  {k:28} " + " ".join(f"{d[s][split][k]:>11}" for s in SPLITTERS))
    print("  notes whose facts differ from the docgap splitter's: "
          + ", ".join(f"{s}={d[s]['notes_with_facts_differing_from_docgap_splitter']}" for s in SPLITTERS))


if __name__ == "__main__":
    sys.exit(main())
