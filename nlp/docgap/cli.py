"""The docgap command line.

  docgap scan INPUT -o OUT        one contract result per input record (JSONL, CSV or Parquet)
  docgap eval GOLD.jsonl          score docgap (or --results FILE) against gold annotations
  docgap rules                    list the rule catalogue
  docgap explain RULE-ID          print one rule's documentation
  docgap serve / queue load / user add   the review queue (see docgap.queue)

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 bad input or configuration.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from . import __version__
from .errors import DocgapError

SEVERITY_ORDER = ("info", "review", "hold")


def _engine(args):
    from .engine import Engine

    return Engine(**_engine_args(args))


def _load_jsonl(path: str) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise DocgapError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out


def _engine_args(args) -> dict:
    return {"payer_override": getattr(args, "payer", None), "splitter": args.splitter,
            "policies": getattr(args, "policies", None)}


def cmd_scan(args) -> int:
    if args.engine == "spark":
        return _scan_spark(args)
    from .batch import ScanOptions, default_workers, fingerprint, run_scan
    from .io import ResultWriter, count_records, read_jsonl_rows, read_records
    from .progress import Progress, wanted

    opts = ScanOptions(workers=args.workers or default_workers(), batch_size=args.batch_size,
                       note_timeout=args.note_timeout, resume=args.resume, history=args.history,
                       engine_args=_engine_args(args))
    if args.note_timeout is not None and args.note_timeout <= 0:
        raise DocgapError("--note-timeout must be a positive number of seconds")
    _engine(args)  # fail fast on a bad profile or policies folder, before any worker starts
    records = read_records(args.input)
    fp = fingerprint(args.input, opts)
    progress = Progress(count_records(args.input)) if wanted(args.quiet) else None
    writer = ResultWriter(args.output, args.format, atomic=True)
    counts, by_rule, holds_by_payer = Counter(), Counter(), Counter()
    worst = [-1]

    def write(res: dict) -> None:
        writer.write(res)
        counts["notes"] += 1
        counts[res["status"]] += 1
        for f in res["findings"]:
            by_rule[(f["rule"], f["severity"])] += 1
            worst[0] = max(worst[0], SEVERITY_ORDER.index(f["severity"]))
        if any(f["severity"] == "hold" for f in res["findings"]):
            holds_by_payer[res.get("payer_profile")] += 1

    t0 = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        run_scan(records, args.output, write, opts, fp, progress,
                 read_jsonl_rows(args.history) if args.history else None)
    except KeyboardInterrupt:
        writer.abort()
        if progress:
            progress.close()
        print(f"docgap: interrupted; extracted notes are kept in {Path(str(args.output))}.docgap-state.sqlite: "
              f"rerun the same command with --resume to continue", file=sys.stderr)
        return 130
    except BaseException:
        writer.abort()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    writer.close()
    if progress:
        progress.close()
    elapsed = time.monotonic() - t0
    if not args.quiet:
        _summary(counts, by_rule, holds_by_payer, args.output)
        print(f"docgap: {counts['notes']} notes in {elapsed:.1f} s ({counts['notes'] / max(elapsed, 1e-9):.1f} "
              f"notes/s, {opts.workers} worker{'s' if opts.workers > 1 else ''})", file=sys.stderr)
    if getattr(args, "queue", None):  # load the review queue with what was just written
        from .queue.cli import load_after_scan

        if load_after_scan(args):
            return 2
    threshold = SEVERITY_ORDER.index(args.fail_on) if args.fail_on != "never" else 99
    return 1 if worst[0] >= threshold else 0


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def _scan_spark(args) -> int:
    from .io import read_jsonl_rows
    from .spark import scan_parquet

    if args.resume:
        raise DocgapError("--resume is not available with --engine spark (Spark retries failed tasks itself; "
                          "a failed job is run again whole)")
    history = read_jsonl_rows(args.history) if args.history else None
    n = scan_parquet(args.input, args.output, _engine_args(args), master=args.spark_master, history=history)
    if not args.quiet:
        print(f"docgap: {n} notes scanned with Spark -> {args.output}", file=sys.stderr)
    return 0


def _summary(counts, by_rule, holds_by_payer, output) -> None:
    w = sys.stderr.write
    w(f"docgap: {counts['notes']} notes scanned, {counts['ok']} ok, {counts['error']} errors -> {output}\n")
    if by_rule:
        w(f"{'rule':34} {'severity':8} {'notes':>6}\n")
        for (rule, sev), n in sorted(by_rule.items(), key=lambda kv: (SEVERITY_ORDER.index(kv[0][1]) * -1, -kv[1])):
            w(f"{rule:34} {sev:8} {n:>6}\n")
    if holds_by_payer:
        w("holds by payer profile: " + ", ".join(f"{p}={n}" for p, n in holds_by_payer.most_common()) + "\n")


def cmd_eval(args) -> int:
    from .evaluate import evaluate

    gold = _load_jsonl(args.gold)
    if args.results:
        results = {r["note_id"]: r for r in _load_jsonl(args.results)}
    else:
        engine = _engine(args)
        results = {r["note_id"]: r for r in engine.scan(gold)}
    report = evaluate(gold, results)
    if args.json:
        print(json.dumps(report, indent=1, default=str))
        return 0
    for d in report["disagreements"]:
        print(f"{d['note_id']}:")
        for p in d["problems"]:
            if "got" in p:
                print(f"  {p['field']}: got {p['got']!r}, gold {p['want']!r}  [{p['evidence']}]")
            else:
                print(f"  {p['field']}: extra {p['extra']} missing {p['missing']}  [{p['evidence']}]")
    s = report["summary"]
    print("\nper rule (tp/fp/fn):")
    for rule, v in report["per_rule"].items():
        print(f"  {rule:34} {v['tp']:>3} {v['fp']:>3} {v['fn']:>3}")
    print("\nsummary:")
    for k, v in s.items():
        print(f"  {k:32} {v}")
    return 0


def cmd_rules(args) -> int:
    from .rules import RULES

    print(f"{'rule':34} {'category':18} severity")
    for rid, cls in RULES.items():
        print(f"{rid:34} {cls.category:18} {cls.severity}")
    return 0


def cmd_explain(args) -> int:
    from .docs import rule_page
    from .rules import RULES

    if args.rule not in RULES:
        print(f"unknown rule {args.rule!r}; see `docgap rules`", file=sys.stderr)
        return 2
    print(rule_page(args.rule))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="docgap", description="Trigger point injection documentation gaps.")
    p.add_argument("--version", action="version", version=f"docgap {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--payer", help="apply this payer profile to every record (overrides the record's payer)")
        sp.add_argument("--policies", help="a folder of extra/overriding payer profiles (JSON)")
        sp.add_argument("--splitter", default="docgap", choices=("docgap", "pyrush", "sentencizer"),
                        help="sentence splitter (default: docgap's line-aware splitter)")

    s = sub.add_parser("scan", help="scan notes and write one result per record")
    s.add_argument("input", help="a .jsonl, .csv or .parquet file, or a folder of .txt notes")
    s.add_argument("-o", "--output", required=True, help="output file (.jsonl, .csv or .parquet)")
    s.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="output format (default: from -o suffix)")
    s.add_argument("--history", help="earlier results (JSONL) whose sessions feed the frequency rules")
    s.add_argument("--fail-on", default="hold", choices=("info", "review", "hold", "never"),
                   help="exit 1 when a finding at or above this severity fires (default: hold)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary on stderr")
    s.add_argument("--workers", type=int, default=0,
                   help="worker processes, one pipeline each (default: all cores)")
    s.add_argument("--batch-size", type=int, default=16, help="notes per batch sent to a worker (default: 16)")
    s.add_argument("--note-timeout", type=float, metavar="SECONDS",
                   help="a note taking longer becomes an error row (type 'timeout') and the scan goes on")
    s.add_argument("--resume", action="store_true",
                   help="continue an interrupted scan of the same input into the same output")
    s.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local processes (default) or Spark (Parquet in, Parquet out)")
    s.add_argument("--spark-master", help="Spark master URL when --engine spark (default: from spark-submit, "
                   "else local[*])")
    s.add_argument("--queue", metavar="URL", help="also load the results and notes into this review queue database")
    common(s)
    s.set_defaults(func=cmd_scan)

    e = sub.add_parser("eval", help="score against gold annotations (contract section 6)")
    e.add_argument("gold")
    e.add_argument("--results", help="score this results file instead of running docgap")
    e.add_argument("--json", action="store_true")
    common(e)
    e.set_defaults(func=cmd_eval)

    r = sub.add_parser("rules", help="list the rule catalogue")
    r.set_defaults(func=cmd_rules)
    x = sub.add_parser("explain", help="print one rule's documentation")
    x.add_argument("rule")
    x.set_defaults(func=cmd_explain)

    from .queue.cli import add_queue_commands  # serve, queue load, user add (the review queue)

    add_queue_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="docgap: %(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DocgapError as e:
        print(f"docgap: error: {e}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
        print(f"docgap: error: {e.__class__.__name__}: {e.filename}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
