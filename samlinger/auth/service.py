"""Accounts: creating users, passwords, reset links and deactivation (the account e-mails: notify.py)."""

import secrets
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.service import record
from ..extensions import db
from ..offices.registry import office_by_id, offices
from ..offices.scope import ALL_OFFICES
from ..offices.settings import OfficeSettings, current
from ..refusal import Refused
from ..tokens import peek, sign, unsign
from .models import User

#: how long a link is valid, in seconds, by purpose
LINK_LIFETIMES = {"reset": 2 * 3600, "welcome": 7 * 24 * 3600}


def find_by_email(email: str) -> User | None:
    """The account of an address, in whichever office: an address has one account in the installation."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()),
                             execution_options={ALL_OFFICES: True})


@cache
def _dummy_hash() -> str:
    """A hash made as real ones are (same method and cost), made once per process."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this address and password, or None.

    An unknown or inactive address is checked against a dummy hash, so that the answer takes as long as
    for an account: the time it takes must not tell which addresses have one.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if user.check_password(password) else None


def create_user(email: str, name: str, *, admin: bool = False, password: str | None = None,
                language: str | None = None, national_admin: bool = False) -> User:
    """Create an account in the office being served (or a national administrator's, in none); without
    *password* it gets one nobody knows until a link sets it. *language* is the language of its e-mails (the
    office's written standard if not given).

    Refuses "exists" for an address that already has an account. The caller commits.
    """
    email = email.strip()
    if find_by_email(email) is not None:
        raise Refused("exists", _l("This address already has an account."))
    office = current()
    user = User(email=email, name=name.strip(), role="admin" if admin else "organiser", active=True,
                language=language or office.default_language, is_national_admin=national_admin,
                office_id=None if national_admin else office.id)
    user.set_password(password or secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def office_of_account(user: User) -> OfficeSettings:
    """The office an account is of, for what is written in its name (its mail, its authenticator's label): its own;
    the first office for a national administrator, who belongs to none."""
    return office_by_id(user.office_id) or offices().first


def _salt(purpose: str, user: User) -> str:
    # The password hash in the salt makes a link die as soon as it has been used.
    return f"password-{purpose}:{user.password_hash}"


def password_link_token(user: User, purpose: str) -> str:
    return sign({"u": user.id, "p": purpose}, salt=_salt(purpose, user))


def user_for_token(token: str) -> User | None:
    """The active user a set-password link belongs to, or None if it is forged, used or too old."""
    payload = peek(token)
    if not isinstance(payload, dict) or payload.get("p") not in LINK_LIFETIMES or not isinstance(
            payload.get("u"), int) or not 0 < payload["u"] < 2**31:  # unchecked yet: a forged id is no id
        return None
    user = db.session.get(User, payload["u"])
    if user is None or not user.active:
        return None
    if unsign(token, salt=_salt(payload["p"], user), max_age=LINK_LIFETIMES[payload["p"]]) is None:
        return None
    return user


def remember_language(user: User, language: str) -> None:
    """The language the person last logged in with is the one their account's e-mails are written in."""
    if user.language != language:
        user.language = language
        db.session.commit()


def set_password(user: User, password: str) -> None:
    """Set a new password; every other session of the user ends."""
    user.set_password(password)
    record("user.password", user, f"Password changed for {user.email}")
    db.session.commit()


OWN_ACCOUNT = _l("You cannot deactivate your own account.")


def can_set_active(user: User, acting: User | None) -> bool:
    """Whether *acting* may deactivate or reactivate *user*: anyone's account but their own (the last way in for
    an administrator must not be closed by a slip)."""
    return acting is None or user.id != acting.id


def set_active(user: User, active: bool, *, acting: User | None = None) -> None:
    """Deactivate (ending the user's sessions) or reactivate an account, for *acting* (None: from the command
    line). Refuses "own_account" for *acting*'s own."""
    if not can_set_active(user, acting):
        raise Refused("own_account", OWN_ACCOUNT)
    user.active = active
    user.session_version = (user.session_version or 0) + 1
    record("user.activate" if active else "user.deactivate", user, user.email)
    db.session.commit()


def end_sessions(user: User) -> None:
    """End every session of the user, as logging out does."""
    user.session_version = (user.session_version or 0) + 1
    db.session.commit()


def users():
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name)))
