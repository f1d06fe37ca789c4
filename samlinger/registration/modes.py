"""On site or online: which seats a registration takes and which waiting list a freed seat goes to.

A gathering is on site, online or hybrid. A registration's `attendance_mode` is its side: an on-site
gathering has only on-site registrations and an online one only online ones (changing the gathering's mode
moves them: `settle`). A hybrid gathering has two sides with their own seats and waiting lists: `capacity`
on site and `online_capacity` online (None: unlimited). An online gathering's seats are `capacity`.

The capacity rule is here, in one place, for registration/service.py (`register`, `promote_waiting`,
`switch_mode`) to call under the gathering's lock.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..extensions import db
from .counts import Counts, mode_counts
from .models import Registration

ON_SITE, ONLINE = "on_site", "online"
GATHERING_MODES = {"on_site": _l("On site"), "online": _l("Online"), "hybrid": _l("Hybrid: on site and online")}
ATTENDANCE = {ON_SITE: _l("On site"), ONLINE: _l("Online")}


def offered(gathering) -> tuple[str, ...]:
    """The sides a participant may choose: both for a hybrid gathering, else the gathering's one."""
    if gathering.mode == "hybrid":
        return (ON_SITE, ONLINE)
    return (ONLINE,) if gathering.mode == ONLINE else (ON_SITE,)


def side(gathering, wanted: str | None) -> str:
    """The side a registration takes: the one wanted if the gathering offers it, else the first it offers."""
    sides = offered(gathering)
    return wanted if wanted in sides else sides[0]


def capacity_for(gathering, mode: str) -> int | None:
    """The seats of one side; None for unlimited."""
    if gathering.mode == "hybrid" and mode == ONLINE:
        return gathering.online_capacity
    return gathering.capacity


def seats_left(gathering, mode: str, counts: dict[str, Counts]) -> int | None:
    """Free seats on a side, from mode_counts() of the gathering; None for unlimited."""
    capacity = capacity_for(gathering, mode)
    if capacity is None:
        return None
    return max(capacity - counts.get(mode, Counts()).confirmed, 0)


def free_seats(gathering) -> list[tuple[str, int | None]]:
    """[(side, free seats or None for unlimited)]: the waiting lists a freed seat promotes from."""
    counts = mode_counts([gathering.id])[gathering.id]
    return [(mode, seats_left(gathering, mode, counts)) for mode in offered(gathering)]


def on_side(mode: str):
    """The condition for registrations on one side, for a query."""
    return Registration.attendance_mode == mode


def settle(gathering) -> None:
    """After the gathering's mode changed: registrations on a side it no longer offers move to the one it
    does (hybrid to on site: the online participants attend on site). The caller holds the lock."""
    sides = offered(gathering)
    if len(sides) == 1:
        db.session.execute(update(Registration).where(Registration.gathering_id == gathering.id,
                                                      Registration.attendance_mode != sides[0])
                           .values(attendance_mode=sides[0]).execution_options(synchronize_session="fetch"))


def sees_video(registration) -> bool:
    """Only a confirmed participant who follows online is given the video link (and the meeting id and
    passcode): never the waiting list, never someone on site, never after cancelling."""
    return (registration.status == "confirmed" and registration.attendance_mode == ONLINE
            and registration.gathering.mode in ("online", "hybrid") and registration.anonymised_at is None)
