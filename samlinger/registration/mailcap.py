"""A cap on the e-mail one address gets because of what someone did on the public pages.

Anyone may type any address into the registration form or "send me my link again"; without a cap the
service could be made to mail one person over and over in its own name. Each such e-mail counts against
the recipient's mailbox, its normalised address (models.normalise_email: a "+tag" folded, so kari+1@ and
kari+2@ share kari@'s count) (PUBLIC_MAIL_PER_ADDRESS, "5/hour"), in the storage the rate limits
use (RATELIMIT_STORAGE_URI: Redis shared by every process in production). The cap protects the
recipient, not the server: it holds also when RATELIMIT_ENABLED is off (tests, load tests), and it is
not the per-client limit (one sender with many addresses, or many senders with one address).

Only the repeatable mails count and are dropped over the cap ("already registered, here is your link",
"send me my link again"). A new registration's confirmation is always sent and not counted: dropping it
would let a stranger use up the cap and leave the person's next real registration without its link, and
counting it would cost every registration a round trip to the storage (with `memory://`, one more key that
the storage's expiry thread scans a hundred times a second). Confirmations are bounded by the gatherings
and their seats, and names cannot carry links. The cap must never fail a
registration: when its storage is down, the mail is allowed and a WARNING says so.
"""

import hashlib
import hmac
import logging

from flask import current_app
from limits import parse_many
from limits.errors import StorageError
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

log = logging.getLogger(__name__)


def _counter(app):
    """The app's limiter and limits, made on first use (one storage connection per process)."""
    counter = app.extensions.get("public_mail_cap")
    if counter is None:
        # Wrapped, the storage's own errors (Redis down) all arrive as StorageError.
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True)
        strategy = MovingWindowRateLimiter if isinstance(storage, MovingWindowSupport) else FixedWindowRateLimiter
        counter = app.extensions.setdefault(
            "public_mail_cap", (strategy(storage), parse_many(app.config["PUBLIC_MAIL_PER_ADDRESS"])))
    return counter


def allow(email_normalized: str) -> bool:
    """Count one e-mail to the mailbox (*email_normalized*, models.normalise_email) and say whether a repeatable
    one may be sent: not over the cap, and yes when the storage cannot tell."""
    app = current_app._get_current_object()
    limiter, limits = _counter(app)
    secret = app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    # Only a keyed hash of the address goes into the storage and the log.
    key = hmac.new(secret, email_normalized.encode(), hashlib.sha256).hexdigest()[:32]
    try:
        within = all(limiter.hit(limit, "public-mail", key) for limit in limits)
    except StorageError as error:
        log.warning("PUBLIC_MAIL_PER_ADDRESS not counted for address %s, the mail is sent: storage error %s",
                    key[:12], error.storage_error)
        return True
    if not within:
        log.warning("Address %s is over PUBLIC_MAIL_PER_ADDRESS (%s): repeatable mails are not sent", key[:12],
                    ", ".join(map(str, limits)))
    return within
