"""Starting an organiser's session, and the half-way state between the password and the second factor.

A password that is right for someone who needs the second factor starts no session: it leaves a *pending*
sign-in in the session cookie (the account, its session version, when), which only the second-factor and
enrolment pages read. Nothing else treats it as a login, so the workspace stays closed until the factor.
"""

import time

from flask import session, url_for
from flask_babel import get_locale
from flask_login import login_user

from ..audit.service import record
from ..extensions import db
from . import service
from .models import User

#: how long the second-factor pages wait after the password, in seconds
PENDING_SECONDS = 10 * 60
#: wrong codes after one password before it must be entered again
PENDING_TRIES = 5
_PENDING = "pending_sign_in"


def start_session(user: User, method: str, *, new_sign_in: bool = True, **extra) -> None:
    """A fresh session for *user* (no fixation) signed in by *method* ("password", "password+totp",
    "password+recovery code", "oidc"), recorded in the audit log without any secret. The language is in the
    address, not the session; *extra* is kept in the session (the provider's id token for signing out)."""
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME (SESSION_LIFETIME_HOURS) without use
    login_user(user, remember=False)
    session["sign_in_method"] = method
    session.update(extra)
    if new_sign_in:
        record("user.sign_in", user, f"{user.email} signed in with {method}")
    db.session.commit()
    service.remember_language(user, str(get_locale()))


def landing(user: User) -> str:
    """Where a sign-in lands without `next`: a national administrator's pages, or the office's dashboard."""
    return url_for("workspace.national.index" if user.is_national_admin else "workspace.dashboard")


def begin_pending(user: User, next_url: str | None) -> None:
    """Remember that *user* gave the right password; the second factor comes next."""
    session.clear()
    session[_PENDING] = {"u": user.id, "v": user.session_version, "at": int(time.time()), "tries": 0,
                         "next": next_url or ""}


def pending_user() -> User | None:
    """The active account whose password was given in this session within PENDING_SECONDS, or None."""
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("u"), int):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS or pending.get("tries", 0) >= PENDING_TRIES:
        return None
    user = db.session.get(User, pending["u"])
    if user is None or not user.active or user.session_version != pending.get("v"):
        return None
    return user


def pending_next() -> str | None:
    return (session.get(_PENDING) or {}).get("next") or None


def count_wrong_code() -> int:
    """Count a wrong code against the pending sign-in; returns how many tries are left."""
    pending = dict(session.get(_PENDING) or {})
    pending["tries"] = pending.get("tries", 0) + 1
    session[_PENDING] = pending
    return max(PENDING_TRIES - pending["tries"], 0)


def end_pending() -> None:
    session.pop(_PENDING, None)
