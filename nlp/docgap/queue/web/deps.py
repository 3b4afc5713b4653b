"""Shared request dependencies: the database session, the signed-in user, admin role, CSRF check."""
from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ..auth import csrf_ok, new_csrf_token
from ..models import User


class LoginRequired(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class Forbidden(Exception):
    def __init__(self, message: str):
        self.message = message


def db(request: Request) -> Iterator[Session]:
    with request.app.state.store.session() as s:
        yield s


def current_user(request: Request, s: Session = Depends(db)) -> User:
    uid = request.session.get("uid")
    user = s.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or request.session.get("pw") != user.password_hash[-16:]:
        request.session.clear()
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(quote(path, safe="/?=&"))
    return user


def admin_user(user: User = Depends(current_user)) -> User:
    if user.role != "admin":
        raise Forbidden("This page is for administrators.")
    return user


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not tok:
        tok = request.session["csrf"] = new_csrf_token()
    return tok


async def check_csrf(request: Request) -> None:
    """Every POST carries the session's CSRF token in a hidden form field."""
    form = await request.form()
    if not csrf_ok(request.session.get("csrf"), form.get("csrf_token")):
        raise Forbidden("The form was missing its security token or it expired. Reload the page and try again.")
