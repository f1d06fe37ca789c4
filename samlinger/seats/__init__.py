"""The seat ledger: the one place that counts a gathering's registrations and decides who may take a seat.

`ledger.py` reads, in one query for any batch of gatherings, the registrations per side (on site, online),
status and municipality, and answers both questions asked of seats: *may this person take a seat here now,
and if not, why* (`Ledger.why_not`: FULL, MUNICIPALITY_LIMIT or HELD) and *what do the pages show* (capacity,
confirmed and waiting per side, per municipality over both sides, held seats and until when). Every writer
(registration/service.py, registration/attendance.py, gatherings/service.py, municipalities/resolving.py)
asks it under the gathering's lock; every reader (the public pages, the JSON API, the dashboard, the
participant list, check-in, messages) reads it. `sides.py` says which sides a gathering offers and how many
seats each has; `rules.py` holds the reason codes and the sentences that tell them.
"""
