"""Log in and out."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ..audit import audit
from ..auth import authenticate, clear_failures, new_csrf_token, rate_limited, record_failure
from .app import render
from .deps import check_csrf, current_user, db

router = APIRouter()


def _safe_next(url: str | None) -> str:
    return url if url and url.startswith("/") and not url.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return render(request, "login.html", {"user": None, "next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          s: Session = Depends(db)):
    client = request.client.host if request.client else "unknown"
    if rate_limited(s, username, client):
        return render(request, "login.html", {"user": None, "next": _safe_next(next),
                                              "error": "Too many failed attempts. Wait 15 minutes and try again."},
                      status_code=429)
    user = authenticate(s, username, password)
    if user is None:
        record_failure(s, username, client)
        s.commit()
        return render(request, "login.html", {"user": None, "next": _safe_next(next),
                                              "error": "Wrong user name or password."}, status_code=401)
    clear_failures(s, username)
    audit(s, user, "login")
    s.commit()
    request.session.clear()  # a fresh session (and CSRF token) at every login
    request.session.update({"uid": user.id, "pw": user.password_hash[-16:], "csrf": new_csrf_token()})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, user=Depends(current_user)):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
