"""Manage links: the registration a link opens, the link mailed again, and new links that end the old ones."""

from ..audit.service import record
from ..extensions import db
from ..locking import begin_write
from ..tokens import find
from . import mailcap, notify
from .models import Registration, normalise_email
from .service import ANONYMISED, _active_with, _refuse


def find_by_token(token: str) -> Registration | None:
    """The registration a manage link opens, or None for an unknown or malformed token, or one derived under an
    earlier SECRET_KEY (tokens.find). A registration from before derived links is opened by its random link."""
    return find(Registration.manage_token_hash, token, lambda found: found.link_secret and found.manage_token())


def request_link(gathering_id: int, email: str) -> bool:
    """E-mail the manage link again if *email* holds an active registration; say nothing either way.

    The link stays the same: anyone may type an address here, and that must not end the link the
    participant already has.
    """
    registration = _active_with(gathering_id, normalise_email(email))
    if registration is None:
        return False
    if mailcap.allow(registration.email_normalized):
        begin_write()
        notify.notify_manage_link(registration)
        db.session.commit()
    return True


def renew_link(registration_id: int, *, by_organiser: bool = False) -> Registration:
    """End a registration's manage links and mail the new one to its address, in one transaction.

    Asked by the participant ("stop the old links") or by an organiser (a forwarded e-mail, a shared
    mailbox). Refuses "anonymised": an anonymised registration has no address and no link.
    """
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.anonymised_at is not None:
        _refuse("anonymised", ANONYMISED)
    registration.new_link()
    notify.notify_new_link(registration)
    if by_organiser:
        record("registration.new_link", registration,
               f"New manage link sent for {registration.gathering.text('title', 'nb')}")
    db.session.commit()
    return registration
