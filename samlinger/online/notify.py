"""The mail online participants get when the video link is added or changed (written as every participant mail:
registration/notify.py)."""

from flask_babel import lazy_gettext as _l

from ..registration.notify import participant_mail, queue

participant_mail("link_ready", _l("The video link is ready: %(title)s"), video=True)


def notify_link_ready(registration):
    """Give a confirmed online participant the video link added or changed since, with an updated invite."""
    return queue("link_ready", registration, link=True, invite="REQUEST")
