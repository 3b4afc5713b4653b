"""CLI commands of the review queue, added to `docgap`: serve, queue load, user add.
Their dependencies are imported when a command runs, so `docgap scan` works without them."""
from __future__ import annotations

import getpass
import json
import sys

from ..errors import DocgapError

DB_HELP = "queue database URL (sqlite:///file.db or postgresql://user@host/db); default $DOCGAP_QUEUE_URL or ./docgap_queue.sqlite3"


def _store(url):
    from .store import Store

    return Store(url)


def cmd_serve(args) -> int:
    import uvicorn

    from .web import create_app

    app = create_app(_store(args.db), secure_cookies=args.secure_cookies)
    print(f"docgap review queue on http://{args.host}:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=args.secure_cookies)
    return 0


def _load(db: str | None, results, notes_path) -> int:
    from .loader import load_results, read_notes

    notes = read_notes(notes_path)
    rep = load_results(_store(db), results, notes)
    print(f"docgap queue: {rep.summary()}", file=sys.stderr)
    if rep.missing_notes:
        shown = ", ".join(rep.missing_notes[:5]) + (" ..." if len(rep.missing_notes) > 5 else "")
        print(f"docgap queue: no note in {notes_path} for: {shown}", file=sys.stderr)
        return 2
    return 0


def _results_from(path: str):
    """Results from a .jsonl file, or from the result_json column of a CSV/Parquet result file."""
    from pathlib import Path

    from ..io import read_jsonl_rows

    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".parquet", ".pq"):
        if suffix == ".csv":
            import csv

            csv.field_size_limit(sys.maxsize)
            with open(path, encoding="utf-8", newline="") as f:
                rows = [r["result_json"] for r in csv.DictReader(f)]
        else:
            import pyarrow.parquet as pq

            rows = pq.read_table(path, columns=["result_json"]).column("result_json").to_pylist()
        return [json.loads(r) for r in rows if r]
    return read_jsonl_rows(path)


def cmd_queue_load(args) -> int:
    return _load(args.db, _results_from(args.results), args.notes)


def load_after_scan(args) -> int:
    """`docgap scan IN -o OUT --queue URL`: load what the scan just wrote, with its notes."""
    return _load(args.queue, _results_from(args.output), args.input)


def cmd_user_add(args) -> int:
    from .auth import AccountError, add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise DocgapError("the passwords differ")
    store = _store(args.db)
    with store.session() as s:
        try:
            add_user(s, args.username, password, args.role, update=args.update)
        except AccountError as e:
            raise DocgapError(str(e)) from None
        s.commit()
    print(f"docgap: user {args.username} ({args.role}) saved", file=sys.stderr)
    return 0


def add_queue_commands(sub) -> None:
    s = sub.add_parser("serve", help="run the review queue web app")
    s.add_argument("--db", help=DB_HELP)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--secure-cookies", action="store_true",
                   help="send the session cookie over HTTPS only (use behind a TLS proxy)")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("queue", help="manage the review queue's data")
    qs = q.add_subparsers(dest="queue_command", required=True)
    ql = qs.add_parser("load", help="load scan results and their notes into the queue")
    ql.add_argument("results", help="results of `docgap scan` (.jsonl, or .csv/.parquet with result_json)")
    ql.add_argument("--notes", required=True, help="the scanned input (same formats as `docgap scan`): the note text")
    ql.add_argument("--db", help=DB_HELP)
    ql.set_defaults(func=cmd_queue_load)

    u = sub.add_parser("user", help="manage review queue accounts")
    us = u.add_subparsers(dest="user_command", required=True)
    ua = us.add_parser("add", help="add an account (or reset it with --update)")
    ua.add_argument("username")
    ua.add_argument("--role", default="reviewer", choices=("reviewer", "admin"))
    ua.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ua.add_argument("--update", action="store_true", help="reset the password and role of an existing user")
    ua.add_argument("--db", help=DB_HELP)
    ua.set_defaults(func=cmd_user_add)
