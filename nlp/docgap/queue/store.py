"""Opening the queue's database: URL resolution, engine options per dialect, Alembic migrations."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from ..errors import DocgapError
from .models import Setting

DEFAULT_SQLITE = "docgap_queue.sqlite3"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(url: str | None = None) -> str:
    """An explicit URL, else $DOCGAP_QUEUE_URL, else a SQLite file in the current folder.
    A bare file path is taken as SQLite; postgresql:// uses psycopg (v3)."""
    url = url or os.environ.get("DOCGAP_QUEUE_URL") or DEFAULT_SQLITE
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        eng = create_engine(u, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if u.database and u.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return eng
    return create_engine(u, pool_pre_ping=True)


def migrate(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class Store:
    """The engine and a session factory for one queue database, migrated to the latest schema."""

    def __init__(self, url: str | None = None, migrate_schema: bool = True):
        self.url = resolve_url(url)
        try:
            self.engine = make_engine(self.url)
            if migrate_schema:
                migrate(self.engine)
        except ModuleNotFoundError as e:
            raise DocgapError(f"the review queue needs {e.name}: pip install 'docgap[queue]'") from None
        except Exception as e:  # noqa: BLE001  (bad URL, server down: say so without a traceback)
            if isinstance(e, DocgapError):
                raise
            raise DocgapError(f"cannot open the queue database {make_url(self.url).render_as_string(hide_password=True)}"
                              f": {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def secret_key(self) -> str:
        """The session-cookie signing key: $DOCGAP_SECRET_KEY, else one generated and kept in the store."""
        env = os.environ.get("DOCGAP_SECRET_KEY")
        if env:
            return env
        with self.session() as s:
            row = s.get(Setting, "secret_key")
            if row is None:
                row = Setting(key="secret_key", value=secrets.token_urlsafe(48))
                s.add(row)
                s.commit()
            return row.value

    def dispose(self) -> None:
        self.engine.dispose()
