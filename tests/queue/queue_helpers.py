"""Helpers shared by the queue tests (users, login, CSRF tokens)."""
from __future__ import annotations

import re


def make_user(store, username="rita", role="reviewer", password="correct horse battery"):
    from docgap.queue.auth import add_user

    with store.session() as s:
        u = add_user(s, username, password, role)
        s.commit()
        return u


def login(client, username="rita", password="correct horse battery"):
    r = client.get("/login")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": tok, "next": "/"},
                       follow_redirects=False)


def csrf(client, path="/"):
    r = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
