"""Imports every feature's mails, so that the mail worker can write every kind of message it finds queued
(mail/writing.py), in whichever process it runs."""

from .auth import notify as auth  # noqa: F401
from .documents import notify as documents  # noqa: F401
from .evaluations import notify as evaluations  # noqa: F401
from .online import notify as online  # noqa: F401
from .registration import notify as registration  # noqa: F401
