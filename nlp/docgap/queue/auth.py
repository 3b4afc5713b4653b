"""Accounts (argon2 password hashes, roles), login rate limiting and CSRF tokens."""
from __future__ import annotations

import hmac
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .audit import audit
from .models import ROLES, LoginAttempt, User, utcnow

_hasher = PasswordHasher()
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{2,80}")
MIN_PASSWORD = 8
# Failed logins allowed per window before the login form refuses further tries (per user, per client).
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
# An argon2 hash of a random password, verified against when the user does not exist, so a login
# for an unknown name takes as long as one for a known name.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add_user(s: Session, username: str, password: str, role: str = "reviewer", by: User | None = None,
             update: bool = False) -> User:
    if not USERNAME.fullmatch(username or ""):
        raise AccountError("user names are 2-80 letters, digits or . _ @ -")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    user = s.scalars(select(User).where(User.username == username)).first()
    if user is not None and not update:
        raise AccountError(f"user {username!r} already exists")
    hashed = hash_password(password)
    if user is None:
        user = User(username=username, password_hash=hashed, role=role, active=True)
        s.add(user)
        s.flush()
        audit(s, by, "user_added", after={"user": username, "role": role}, username=None if by else "cli")
    else:
        before = {"user": username, "role": user.role, "active": user.active}
        user.password_hash, user.role, user.active = hashed, role, True
        audit(s, by, "user_updated", before=before, after={"user": username, "role": role, "active": True,
                                                           "password": "reset"}, username=None if by else "cli")
    return user


def authenticate(s: Session, username: str, password: str) -> User | None:
    user = s.scalars(select(User).where(User.username == username)).first()
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def rate_limited(s: Session, username: str, client: str) -> bool:
    since = utcnow() - FAILURE_WINDOW
    by_user = s.scalar(select(func.count()).select_from(LoginAttempt)
                       .where(LoginAttempt.username == username, LoginAttempt.at >= since))
    by_client = s.scalar(select(func.count()).select_from(LoginAttempt)
                         .where(LoginAttempt.client == client, LoginAttempt.at >= since))
    return by_user >= MAX_FAILURES_PER_USER or by_client >= MAX_FAILURES_PER_CLIENT


def record_failure(s: Session, username: str, client: str) -> None:
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - FAILURE_WINDOW))
    s.add(LoginAttempt(username=username[:80], client=client[:64]))


def clear_failures(s: Session, username: str) -> None:
    s.execute(delete(LoginAttempt).where(LoginAttempt.username == username))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
