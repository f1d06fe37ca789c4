"""A cap on the e-mail one address gets because of what someone did on the public pages.

Anyone may type any address into the registration form or "send me my link again"; without a cap the
service could be made to mail one person over and over in its own name. Each such e-mail counts against
the recipient's normalised address (PUBLIC_MAIL_PER_ADDRESS, "5/hour"), in the storage the rate limits
use (RATELIMIT_STORAGE_URI: Redis shared by every process in production). The cap protects the
recipient, not the server: it holds also when RATELIMIT_ENABLED is off (tests, load tests), and it is
not the per-client limit (one sender with many addresses, or many senders with one address).
"""

import hashlib
import hmac
import logging

from flask import current_app
from limits import parse_many
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

log = logging.getLogger(__name__)


def _counter(app):
    """The app's limiter and limits, made on first use (one storage connection per process)."""
    counter = app.extensions.get("public_mail_cap")
    if counter is None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        strategy = MovingWindowRateLimiter if isinstance(storage, MovingWindowSupport) else FixedWindowRateLimiter
        counter = app.extensions.setdefault(
            "public_mail_cap", (strategy(storage), parse_many(app.config["PUBLIC_MAIL_PER_ADDRESS"])))
    return counter


def allow(email_normalized: str) -> bool:
    """Count one e-mail to the address and say whether it may be sent; over the cap it must not be."""
    app = current_app._get_current_object()
    limiter, limits = _counter(app)
    # Only a keyed hash of the address goes into the storage and the log.
    key = hmac.new(app.config["SECRET_KEY"].encode(), email_normalized.encode(), hashlib.sha256).hexdigest()[:32]
    if all(limiter.hit(limit, "public-mail", key) for limit in limits):
        return True
    log.warning("Not sending mail to address %s: over PUBLIC_MAIL_PER_ADDRESS (%s)", key[:12],
                app.config["PUBLIC_MAIL_PER_ADDRESS"])
    return False
