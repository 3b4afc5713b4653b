"""The pre-bill review queue: a store of scan results (SQLAlchemy + Alembic), a worklist web app
(FastAPI + Jinja2) and the CLI commands `docgap serve`, `docgap queue load` and `docgap user add`."""
