"""Administration: accounts and roles, and a read-only view of the payer profiles and fee data in
force (both are data files in policies/, changed through review like code)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import audit
from ..auth import AccountError, add_user
from ..fees import fee_schedule
from ..models import ROLES, User
from .app import render
from .deps import admin_user, check_csrf, db

router = APIRouter(prefix="/admin")


def _users_page(request, s, user, error=None, status_code=200):
    users = list(s.scalars(select(User).order_by(User.username)))
    return render(request, "admin_users.html", {"user": user, "users": users, "roles": ROLES, "error": error},
                  status_code=status_code)


@router.get("/users")
def users(request: Request, user: User = Depends(admin_user), s: Session = Depends(db)):
    return _users_page(request, s, user)


@router.post("/users", dependencies=[Depends(check_csrf)])
def create_user(request: Request, username: str = Form(""), password: str = Form(""), role: str = Form("reviewer"),
                user: User = Depends(admin_user), s: Session = Depends(db)):
    try:
        add_user(s, username.strip(), password, role, by=user)
        s.commit()
    except AccountError as e:
        s.rollback()
        return _users_page(request, s, user, str(e), 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{uid}", dependencies=[Depends(check_csrf)])
def update_user(request: Request, uid: int, role: str = Form(...), active: str = Form(""),
                user: User = Depends(admin_user), s: Session = Depends(db)):
    target = s.get(User, uid)
    if target is None:
        raise HTTPException(404)
    if role not in ROLES:
        return _users_page(request, s, user, "unknown role", 400)
    if target.id == user.id and (role != "admin" or not active):
        return _users_page(request, s, user, "you cannot remove your own admin role or deactivate yourself", 400)
    before = {"user": target.username, "role": target.role, "active": target.active}
    target.role, target.active = role, bool(active)
    audit(s, user, "user_updated", before=before, after={"user": target.username, "role": role, "active": bool(active)})
    s.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/profiles")
def profiles(request: Request, user: User = Depends(admin_user)):
    from ...profiles import ProfileSet

    ps = ProfileSet()
    return render(request, "admin_profiles.html", {"user": user, "profiles": sorted(ps.profiles.items()),
                                                   "fees": fee_schedule()})
