"""The worklist, the encounter page and the reviewer's decisions (POST, then redirect back)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from .. import workflow
from ..encounter_view import encounter_context
from ..models import Encounter, User
from ..worklist import RANK_NAME, FilterError, Filters, fetch_page, filter_choices, status_counts
from .app import render
from .deps import check_csrf, current_user, db

router = APIRouter()
POST = {"dependencies": [Depends(check_csrf)]}


@router.get("/")
def worklist(request: Request, cursor: str | None = None, user: User = Depends(current_user), s: Session = Depends(db)):
    try:
        f = Filters.from_params(request.query_params)
        page = fetch_page(s, f, cursor)
    except FilterError as e:
        return render(request, "error.html", {"user": user, "message": str(e)}, status_code=400)
    return render(request, "worklist.html", {
        "user": user, "f": f, "page": page, "counts": status_counts(s, f), "choices": filter_choices(s),
        "rank_name": RANK_NAME, "cursor": cursor})


def _encounter(s: Session, enc_id: int) -> Encounter:
    enc = s.get(Encounter, enc_id)
    if enc is None:
        raise HTTPException(404, "no such encounter")
    return enc


@router.get("/encounters/{enc_id}")
def encounter(request: Request, enc_id: int, version: int | None = None, error: str | None = None,
              user: User = Depends(current_user), s: Session = Depends(db)):
    ctx = encounter_context(s, _encounter(s, enc_id), version)
    return render(request, "encounter.html", {"user": user, "error": error, **ctx})


def _act(request: Request, s: Session, enc: Encounter, fn, *args, anchor: str = ""):
    try:
        fn(*args)
        s.commit()
    except workflow.WorkflowError as e:
        s.rollback()
        ctx = encounter_context(s, s.get(Encounter, enc.id))
        user = s.get(User, request.session.get("uid"))
        return render(request, "encounter.html", {"user": user, "error": str(e), **ctx}, status_code=400)
    return RedirectResponse(f"/encounters/{enc.id}{anchor}", status_code=303)


@router.post("/encounters/{enc_id}/assign", **POST)
def assign(request: Request, enc_id: int, user: User = Depends(current_user), s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    return _act(request, s, enc, workflow.assign, s, user, enc)


@router.post("/encounters/{enc_id}/findings/{fid}/dismiss", **POST)
def dismiss(request: Request, enc_id: int, fid: int, reason: str = Form(""), user: User = Depends(current_user),
            s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    return _act(request, s, enc, workflow.dismiss, s, user, enc, fid, reason, anchor=f"#finding-{fid}")


@router.post("/encounters/{enc_id}/findings/{fid}/accept", **POST)
def accept(request: Request, enc_id: int, fid: int, user: User = Depends(current_user), s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    return _act(request, s, enc, workflow.accept, s, user, enc, fid, anchor=f"#finding-{fid}")


@router.post("/encounters/{enc_id}/queries", **POST)
def send_query(request: Request, enc_id: int, text: str = Form(""), finding_id: str = Form(""),
               user: User = Depends(current_user), s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    fid = int(finding_id) if finding_id.strip().isdigit() else None
    return _act(request, s, enc, workflow.send_query, s, user, enc, text, fid, anchor="#queries")


@router.post("/encounters/{enc_id}/queries/{qid}/response", **POST)
def record_response(request: Request, enc_id: int, qid: int, response: str = Form(""), resolves: str = Form(""),
                    user: User = Depends(current_user), s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    return _act(request, s, enc, workflow.record_response, s, user, enc, qid, response, bool(resolves),
                anchor="#queries")


@router.post("/encounters/{enc_id}/release", **POST)
def release(request: Request, enc_id: int, user: User = Depends(current_user), s: Session = Depends(db)):
    enc = _encounter(s, enc_id)
    return _act(request, s, enc, workflow.release, s, user, enc)
