"""The county governor's offices one installation serves.

Each office has its own municipality register, organisers, rounds and gatherings (and through them
registrations, presentations, evaluations and mail), audit log and reach figures. `settings.py` is what a page
knows of its office (names, languages, mail sender), `models.py` the table, `registry.py` every office as a
process keeps it, `scope.py` the one filter that keeps a request to its office's rows, `paths.py` the office in
the address (`/<slug>/…`, `/<lang>/<slug>/…`), `service.py` creating an office.
"""
