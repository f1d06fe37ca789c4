"""What a participant may still do with their own registration, asked by the pages (`can_…`) and enforced by the
service (registration/service.py) through `require_…`, which refuse with the same words: the page and the rule
cannot disagree.

- Details change while the registration is active and the gathering has not ended.
- A participant cancels until the gathering has ended (an organiser may cancel later: someone added by mistake).
(Changing side and moving up have theirs beside the service's rules: service.can_switch_mode, can_move_up.)
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..refusal import Refused

NOT_ACTIVE = _l("This registration is cancelled.")
ENDED = _l("The gathering is over: the registration can no longer be changed.")


def can_change_details(registration, now: datetime | None = None) -> bool:
    return registration.is_active and not registration.gathering.has_ended(now)


def require_change_details(registration, now: datetime | None = None) -> None:
    """Refuse "not_active" for a cancelled registration, "ended" once the gathering has ended."""
    if not registration.is_active:
        raise Refused("not_active", NOT_ACTIVE)
    if registration.gathering.has_ended(now):
        raise Refused("ended", ENDED)


def can_cancel(registration, now: datetime | None = None) -> bool:
    """Whether the participant may cancel now (an organiser may also after the gathering)."""
    return registration.is_active and not registration.gathering.has_ended(now)


def require_cancel(registration, now: datetime | None = None) -> None:
    """Refuse "ended" once the gathering has ended: what happened there is attendance, not a cancellation."""
    if registration.gathering.has_ended(now):
        raise Refused("ended", ENDED)

