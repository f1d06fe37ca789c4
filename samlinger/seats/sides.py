"""On site or online: the sides a gathering offers and the seats of each.

A gathering is on site, online or hybrid. A registration's `attendance_mode` is its side: an on-site
gathering has only on-site registrations and an online one only online ones (changing the gathering's mode
moves them: `settle`). A hybrid gathering has two sides with their own seats and waiting lists: `capacity`
on site and `online_capacity` online (None: unlimited). An online gathering's seats are `capacity`.
"""

from sqlalchemy import update

from ..extensions import db
from ..gatherings.models import ATTENDANCE, GATHERING_MODES, ON_SITE, ONLINE
from ..registration.models import Registration

__all__ = ["ATTENDANCE", "GATHERING_MODES", "ON_SITE", "ONLINE", "capacity_for", "held_side", "offered", "on_side",
           "sees_video", "settle", "side"]


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


def held_side(gathering) -> str:
    """The side whose seats are `capacity`, of which the held seats are kept."""
    return ONLINE if gathering.mode == ONLINE else ON_SITE


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
