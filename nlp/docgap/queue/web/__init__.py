"""The review queue's web app: server-rendered pages (FastAPI + Jinja2), no JavaScript build."""
from .app import create_app

__all__ = ["create_app"]
