"""The second factor: a TOTP authenticator app, and ten one-time recovery codes in its stead.

Who needs it (`required`): admins always, every organiser unless SECOND_FACTOR_REQUIRED_FOR=admins; whoever
has enrolled is asked for it in any case. The secret is kept sealed (sealing.py); a code is accepted once,
never again nor one older than the last accepted (`totp_last_step`), also when two arrive at once.
"""

import base64
import hashlib
import hmac
import logging
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from ..audit.service import record
from ..extensions import db
from ..refusal import Refused
from ..sealing import Unsealable, seal, unseal
from ..texts import current_language
from ..timeutil import utcnow
from .models import RecoveryCode, User
from .service import office_of_account

log = logging.getLogger(__name__)

POLICIES = ("everyone", "admins")
RECOVERY_CODES = 10
#: recovery codes are written with letters and digits that cannot be mistaken for one another
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SEALED_AS = "totp-secret"
#: a code from the step before or after the current one is accepted too (a clock off by up to 30 seconds)
WINDOW = 1
WRONG_CODE = _l("The code is wrong or has already been used. Enter the newest code from the app.")


def check_setting(app) -> None:
    """Stop the start for a SECOND_FACTOR_REQUIRED_FOR that is neither everyone nor admins."""
    if app.config["SECOND_FACTOR_REQUIRED_FOR"] not in POLICIES:
        raise RuntimeError(f"SECOND_FACTOR_REQUIRED_FOR must be everyone or admins, "
                           f"not {app.config['SECOND_FACTOR_REQUIRED_FOR']!r}")


def required(user: User) -> bool:
    """Whether *user* must have a second factor to sign in with a password."""
    return user.is_admin or current_app.config["SECOND_FACTOR_REQUIRED_FOR"] == "everyone"


def asked_for(user: User) -> bool:
    """Whether a password sign-in of *user* goes on to the second factor (entering or enrolling it)."""
    return user.has_second_factor or required(user)


# --- enrolment -----------------------------------------------------------------------------------------

def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The authenticator's entry, labelled with the account's own office (the sign-in pages serve every office, and
    /logg-inn is the first office's address)."""
    issuer = office_of_account(user).name_in(current_language())
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code: an SVG in a data: address (the content security policy allows those)."""
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def spaced(secret: str) -> str:
    """The secret in groups of four, as apps ask for it to be typed."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Take *secret* into use once *code* shows the app has it; returns ten new recovery codes (shown once).

    Refuses "wrong_code". The caller commits.
    """
    step = _matching_step(secret, code)
    if step is None:
        raise Refused("wrong_code", _l("The code is wrong. Check that the app shows the code for this account."))
    user.totp_secret = seal(secret, _SEALED_AS)
    user.totp_last_step = step
    user.totp_enrolled_at = utcnow()
    codes = _new_recovery_codes(user)
    record("user.second_factor_enrol", user, f"Second factor enrolled for {user.email}")
    return codes


def reset(user: User) -> None:
    """Take away *user*'s second factor and recovery codes and end their sessions; they enrol again at their
    next sign-in. Recorded in the audit log. The caller commits."""
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enrolled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version = (user.session_version or 0) + 1
    record("user.second_factor_reset", user, f"Second factor reset for {user.email}")


# --- signing in ----------------------------------------------------------------------------------------

def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def looks_like_totp(code: str) -> bool:
    code = _normalise(code)
    return len(code) == 6 and code.isdigit()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = _normalise(code or "")
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now or time.time()) // totp.interval)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(user: User, code: str) -> bool:
    """Whether *code* is a TOTP code of *user* not used before; marks it used. The caller commits."""
    if user.totp_secret is None:
        return False
    try:
        secret = unseal(user.totp_secret, _SEALED_AS)
    except Unsealable:  # SECRET_KEY changed without the old one in SECRET_KEY_FALLBACKS: no code can match
        log.error("The second factor of account %s cannot be opened with SECRET_KEY or SECRET_KEY_FALLBACKS: put "
                  "the old key back in SECRET_KEY_FALLBACKS, or reset the second factor", user.id)
        return False
    step = _matching_step(secret, code)
    if step is None:
        return False
    # One statement decides, so that the same code sent twice at once is taken only once.
    taken = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return False
    db.session.refresh(user)
    return True


def _code_hashes(code: str) -> list[str]:
    """The keyed hash of *code* under SECRET_KEY and each of SECRET_KEY_FALLBACKS (the first is stored)."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return [hmac.new(b"recovery-code:" + (k.encode() if isinstance(k, str) else k), _normalise(code).encode(),
                     hashlib.sha256).hexdigest() for k in keys if k]


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hashes(raw)[0]))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether *code* is one of *user*'s recovery codes not used before; marks it used. The caller commits."""
    if len(_normalise(code or "")) != 10:
        return False
    used = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                   RecoveryCode.code_hash.in_(_code_hashes(code)))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
