"""The tokens in links that open something without a login: manage links, evaluation links, set-password links.

Manage links carry a token derived from a random secret kept in the row (`derive`): an HMAC
under SECRET_KEY, so the same link can be written in every mail, and neither the secret nor the token's
digest kept beside it (`digest`) gives a working link without the key. `find` looks a token up by its digest;
it refuses anything longer than a token can be before reading the database, and a row whose token, derived
again now, is not the one given (SECRET_KEY has changed since: every link ends).

Set-password links carry a signed, timed token instead (`sign`, `unsign`): its salt holds what it is bound to
(the password hash), so it dies once it has been used.

Evaluation links are stored nowhere, not even as a digest: each carries a number (the evaluation) and 128
random bits, signed (`sign_random`); the signature alone says it is ours (`unsign_random`), and a changed
SECRET_KEY ends them as it ends the others. What is keyed on such a link (an answer: `derive` of what it
carries) is keyed on what it carries, never on its text: several texts carry one signed payload.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadData, BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select

from .extensions import db

#: no token of ours is longer: anything longer is refused before the database is read
MAX_LENGTH = 100


def new_secret() -> str:
    """A row's random link secret (256 bits), from which its token is derived."""
    return secrets.token_hex(32)


def unguessable() -> str:
    """256 random bits: a token nobody knows, whose digest ends a row's links for good."""
    return secrets.token_urlsafe(32)


def _key() -> bytes:
    key = current_app.config["SECRET_KEY"]
    return key.encode() if isinstance(key, str) else key


def derive(purpose: str, secret: str) -> str:
    """The token of a link for *purpose* ("manage-link"), or a key ("evaluation-answer"): an HMAC of *secret*
    under SECRET_KEY (256 bits, URL-safe base64). The same secret and key give the same token every time."""
    mac = hmac.new(_key(), f"samlinger-{purpose}\x00{secret}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token) -> bool:
    """Whether *token* can be one of ours at all: a non-empty text no longer than MAX_LENGTH."""
    return isinstance(token, str) and 0 < len(token) <= MAX_LENGTH


def find(digest_column, token: str, derived: Callable[[object], str | None]):
    """The row whose *digest_column* holds the digest of *token*, or None.

    None without reading the database for a token that cannot be ours (`plausible`), and None for a row
    whose token derived now (`derived(row)`) is not *token*: a link derived under an earlier SECRET_KEY opens
    nothing. `derived` returns None for a row with nothing to derive (a random link from before derived links),
    which the digest alone opens.
    """
    if not plausible(token):
        return None
    found = db.session.scalar(select(digest_column.class_).where(digest_column == digest(token)))
    if found is None:
        return None
    again = derived(found)
    if again is not None and not hmac.compare_digest(again, token):
        return None
    return found


def sign(payload, *, salt: str) -> str:
    """A signed, timed token carrying *payload*; it reads back only with the same *salt* (`unsign`)."""
    return URLSafeTimedSerializer(_key(), salt=salt).dumps(payload)


def peek(token: str):
    """The payload of a signed token without checking it (to find what its salt is made of), or None for
    something that is no signed token of ours."""
    if not plausible(token):
        return None
    try:
        _, payload = URLSafeTimedSerializer(_key()).loads_unsafe(token)
    except Exception:  # noqa: BLE001 - any malformed token is simply not valid
        return None
    return payload


def unsign(token: str, *, salt: str, max_age: int):
    """The payload of *token* if it was signed with *salt* less than *max_age* seconds ago, else None."""
    if not plausible(token):
        return None
    try:
        return URLSafeTimedSerializer(_key(), salt=salt).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is one too
        return None


def sign_random(number: int, *, salt: str) -> str:
    """A new token carrying *number* and 128 random bits, signed under SECRET_KEY with *salt*: every call gives
    another, and none needs to be stored (`unsign_random` reads it back)."""
    return URLSafeSerializer(_key(), salt=salt).dumps([number, secrets.token_urlsafe(16)])


def unsign_random(token, *, salt: str) -> tuple[int, str] | None:
    """(number, random part) of a token `sign_random` made with *salt* under the current SECRET_KEY, else None.

    Base64 has spare bits, so more than one text passes the signature for one payload: key anything on the
    pair returned here, never on the token's text."""
    if not plausible(token):
        return None
    try:
        payload = URLSafeSerializer(_key(), salt=salt).loads(token)
    except BadData:  # a bad signature, or (ours, so never) a bad payload
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and type(payload[0]) is int
            and isinstance(payload[1], str)):
        return None
    return payload[0], payload[1]
