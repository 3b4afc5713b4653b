"""The app factory: session cookies (signed, HttpOnly, SameSite=strict), templates, static files,
redirect-to-login and error pages."""
from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from ..store import Store
from .deps import Forbidden, LoginRequired, csrf_token

HERE = Path(__file__).parent
SESSION_HOURS = 8


def money(cents) -> str:
    return f"${(cents or 0) / 100:,.2f}"


def create_app(store: Store | str | None = None, secure_cookies: bool = False) -> FastAPI:
    store = store if isinstance(store, Store) else Store(store)
    app = FastAPI(title="docgap review queue", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.filters["money"] = money
    templates.env.filters["label"] = lambda v: str(v or "").replace("_", " ")
    templates.env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
    app.state.templates = templates
    app.add_middleware(SessionMiddleware, secret_key=store.secret_key(), session_cookie="docgap_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict", https_only=secure_cookies)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return templates.TemplateResponse(request, "error.html", {"message": exc.message, "user": None},
                                          status_code=403)

    from . import admin, pages, reports, session

    for mod in (session, pages, reports, admin):
        app.include_router(mod.router)
    # request logs carry paths and status codes only; never note text (no body logging anywhere)
    logging.getLogger("docgap.queue").setLevel(logging.INFO)
    return app


def render(request: Request, name: str, ctx: dict, status_code: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
