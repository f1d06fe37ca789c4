"""The account e-mails: a welcome with a link to choose a password, and a reset link.

An account's mail is its office's, whoever asks for it and at whichever address: the welcome an admin (or the
command line) queues, and the reset asked for at /logg-inn/glemt-passord, a sign-in page that serves every
office (and whose address is the first office's). It goes out in that office's name, with its reply-to, and its
link opens in the office's section (/rogaland/logg-inn/nytt-passord/…). A national administrator belongs to no
office: their mail is written in the first office's name, with its links.
"""

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import usable
from ..mail.outbox import queue_unwritten
from ..mail.writing import Written, writer
from ..offices.scope import ALL_OFFICES, use_office
from ..urls import absolute_url
from .models import User
from .service import LINK_LIFETIMES, find_by_email, office_of_account, password_link_token

SUBJECTS = {"reset": _l("Choose a new password"), "welcome": _l("Your account for the gatherings")}


def queue_password_link(user: User, purpose: str) -> None:
    """Queue a reset (or welcome) e-mail in the account's language and its office's name, whoever asked for it;
    the caller commits.

    The mail worker writes it with its link (write_password_mail), so the outbox never holds a
    usable link; the copy kept after sending has the token redacted.
    """
    with use_office(office_of_account(user)):  # the outbox row's office: its sender, reply-to and links
        queue_unwritten(f"account_{purpose}", to=user.email, language=usable(user.language),
                        unwritten={"user": user.id})


@writer("account_reset", "account_welcome")
def write_password_mail(message) -> Written:
    """Write a queued reset or welcome e-mail with a fresh link. Raises ValueError if the account is gone."""
    # By its id, in every office: a national administrator's account is in none (their mail is the first office's).
    user = db.session.get(User, message.unwritten["user"], execution_options={ALL_OFFICES: True})
    if user is None:
        raise ValueError(f"the account of message {message.id} no longer exists")
    purpose = message.kind.removeprefix("account_")
    token = password_link_token(user, purpose)
    context = {"user": user, "link": absolute_url("auth.set_password", message.language, token=token),
               "hours": LINK_LIFETIMES[purpose] // 3600}
    with force_locale(message.language):
        return Written(str(SUBJECTS[purpose]), render_template(f"email/account_{purpose}.txt", **context),
                       render_template(f"email/account_{purpose}.html", **context), None, None, (token,))


def request_reset(email: str) -> None:
    """Mail a reset link if the address has an active account; say nothing either way."""
    user = find_by_email(email)
    if user is not None and user.active:
        queue_password_link(user, "reset")
        db.session.commit()
