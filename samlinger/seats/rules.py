"""Why a seat cannot be given, as a code and as the sentence that tells it (the receipt, the waiting-list mail
and every refusal say the same)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from ..formatting import date_long

#: why a seat cannot be given now
FULL, MUNICIPALITY_LIMIT, HELD = "full", "municipality_limit", "held"
#: what the audit log says of a seat an organiser gives over a rule (never free text about a person)
OVER_WORDS = {FULL: "; over capacity", MUNICIPALITY_LIMIT: "; over the municipality's limit", HELD: "; in a held seat"}


def has_rules(gathering) -> bool:
    """Whether anything but capacity decides who gets a seat."""
    return bool(gathering.per_municipality_limit or gathering.held_seats)


def reason(gathering, why: str | None):
    """The sentence that says why there is no seat now (for MUNICIPALITY_LIMIT and HELD), lazily translated;
    None for any other *why*."""
    if why == MUNICIPALITY_LIMIT and gathering.per_municipality_limit:
        return lazy_ngettext("Your municipality has reached the limit of %(num)d seat for this gathering.",
                             "Your municipality has reached the limit of %(num)d seats for this gathering.",
                             gathering.per_municipality_limit)
    if why == HELD and gathering.held_until:
        return _l("The seats left are held until %(day)s for municipalities that have nobody registered yet.",
                  day=date_long(gathering.held_until))
    return None
