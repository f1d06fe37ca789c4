"""Secrets kept at rest sealed (encrypted and authenticated) with keys derived from SECRET_KEY.

Sealed with the current SECRET_KEY; opened with it or any of SECRET_KEY_FALLBACKS, so that a secret sealed
before the key was rotated still opens while the old key is listed there (seal it again to move it over).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class Unsealable(ValueError):
    """The sealed text was not sealed with SECRET_KEY or any of SECRET_KEY_FALLBACKS, or was changed."""


def _fernet(secret, purpose: str) -> Fernet:
    material = secret.encode() if isinstance(secret, str) else bytes(secret)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"samlinger sealing",
               info=purpose.encode()).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _keys(purpose: str) -> MultiFernet:
    config = current_app.config
    secrets = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return MultiFernet([_fernet(secret, purpose) for secret in secrets if secret])


def seal(plain: str, purpose: str) -> str:
    """*plain* encrypted for *purpose* (a key of its own per purpose) with the current SECRET_KEY."""
    return _keys(purpose).encrypt(plain.encode()).decode("ascii")


def unseal(sealed: str, purpose: str) -> str:
    """The text *sealed* holds. Raises Unsealable if no configured key opens it."""
    try:
        return _keys(purpose).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise Unsealable("sealed with another SECRET_KEY or changed") from error
