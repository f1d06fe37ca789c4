"""The one filter that keeps a request to its office's rows.

Each model says where its office is, in `office_scope`: its own column ("office_id": rounds, gatherings,
municipalities, accounts, the audit log), its gathering ("gathering_id": registrations, presentations, questions,
evaluations, video links) or its evaluation ("evaluation_id"). Every ORM statement run while an office is in
scope (SELECT, and bulk UPDATE and DELETE) gets that office's criteria on every such entity it touches, by
SQLAlchemy's `with_loader_criteria`: a row of another office is not found, whatever the route, id or query,
as if it did not exist (404).

What is in scope is decided once per request (`begin_request`): a public page, its address's office; a
workspace page, the organiser's own office (a national administrator has none: `NOTHING`); the sign-in pages,
every office's accounts. The command line and the mail worker say theirs with `use_office`. A statement that
must see every office (the national figures, the national API, the session's account) says so with
`execution_options(all_offices=True)`, the one way past the filter. An object read so stays in the request's
session: a later `session.get` of its id finds it there without a statement, so the filter is not asked again;
read with `all_offices` only what the request may hold whatever its office (its account, a refusal's subject).
"""

from contextlib import contextmanager
from functools import lru_cache

from flask import abort, current_app, g, has_app_context, redirect, request, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session, with_loader_criteria

from ..extensions import db
from ..i18n import LANGUAGE
from .settings import G_KEY, MOUNT, NATIONAL, OFFICE, OfficeSettings, segment

#: the key in flask.g of the office id in scope; NOTHING matches no office (fail closed)
SCOPE_KEY = "office_scope"
NOTHING = 0
#: execution option for a statement that reads every office
ALL_OFFICES = "all_offices"
#: set (True) on a new row whose maker gave it its office, None meaning no office's (a national administrator's
#: account entry): the before_flush hook leaves it as it is
OFFICE_GIVEN = "office_given"


def set_scope(office_id: int | None) -> None:
    """Keep this request (or command) to *office_id*'s rows; None: every office (sign-in pages, commands)."""
    setattr(g, SCOPE_KEY, office_id)


def in_scope() -> int | None:
    return g.get(SCOPE_KEY) if has_app_context() else None


@contextmanager
def use_office(office: OfficeSettings | None):
    """Serve *office* inside the block (a command with --office, the worker writing an office's mail)."""
    before_office, before_scope = g.get(G_KEY), g.get(SCOPE_KEY)
    setattr(g, G_KEY, office)
    setattr(g, SCOPE_KEY, None if office is None else office.id if office.id is not None else NOTHING)
    try:
        yield office
    finally:
        setattr(g, G_KEY, before_office)
        setattr(g, SCOPE_KEY, before_scope)


def _scoped_classes():
    return [(mapper.class_, mapper.class_.office_scope) for mapper in db.Model.registry.mappers
            if getattr(mapper.class_, "office_scope", None)]


@lru_cache(maxsize=64)
def _criteria(office_id: int) -> tuple:
    tables = db.metadata.tables
    gathering, evaluation = tables["gathering"], tables["evaluation"]
    gatherings = select(gathering.c.id).where(gathering.c.office_id == office_id)
    evaluations = select(evaluation.c.id).where(evaluation.c.gathering_id.in_(gatherings))
    options = []
    for cls, column in _scoped_classes():
        if column == "office_id":
            clause = cls.office_id == office_id
        elif column == "gathering_id":
            clause = cls.gathering_id.in_(gatherings)
        elif column == "evaluation_id":
            clause = cls.evaluation_id.in_(evaluations)
        else:
            raise ValueError(f"{cls.__name__}.office_scope = {column!r}: office_id, gathering_id or evaluation_id")
        options.append(with_loader_criteria(cls, clause, include_aliases=True))
    return tuple(options)


@event.listens_for(Session, "do_orm_execute")
def _keep_to_the_office(state):
    if state.is_column_load or state.is_relationship_load or state.execution_options.get(ALL_OFFICES):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    office_id = in_scope()
    if office_id is None:
        return
    state.statement = state.statement.options(*_criteria(office_id))


@event.listens_for(Session, "before_flush")
def _new_rows_in_the_office(session, _context, _instances):
    """A new row of an office-owned model belongs to the office in scope, or to its gathering's office; outside
    any office (a command without --office, the tests' factories), to the first office."""
    for obj in session.new:
        if (getattr(type(obj), "office_scope", None) != "office_id" or obj.office_id is not None
                or getattr(obj, "is_national_admin", False) or getattr(obj, OFFICE_GIVEN, False)):
            continue
        obj.office_id = _office_for_new(session, obj)


def _office_for_new(session, obj) -> int | None:
    tables = db.metadata.tables
    round_id = getattr(obj, "round_id", None)
    if round_id is None and getattr(obj, "round", None) is not None:
        round_id = obj.round.id or None
        if round_id is None:
            return obj.round.office_id if obj.round.office_id is not None else _office_for_new(session, obj.round)
    if round_id is not None:
        return session.execute(select(tables["round"].c.office_id).where(tables["round"].c.id == round_id),
                               execution_options={ALL_OFFICES: True}).scalar_one()
    office_id = in_scope()
    if office_id:
        return office_id
    if office_id == NOTHING and getattr(type(obj), "national_allowed", False):
        return None  # the national administrator's own audit entries
    return session.execute(select(tables["office"].c.id).order_by(tables["office"].c.id).limit(1)).scalar()


#: the sign-in pages: they look accounts up by address or subject, in every office
SIGN_IN_BLUEPRINTS = frozenset({"auth", "factor", "oidc"})


def begin_request() -> None:
    """The office this request serves, from its address; the workspace narrows it to the organiser's own
    (`enter_workspace`). A national page (the list of offices) has no office's rows in scope."""
    office = request.environ.get(OFFICE)
    setattr(g, G_KEY, office)
    blueprints = set(request.blueprints)
    if "workspace" in blueprints:
        set_scope(NOTHING)
    elif blueprints & SIGN_IN_BLUEPRINTS:
        set_scope(None)
    else:
        # an office without an id is the settings' stand-in (no tables yet): no rows, rather than every office's
        set_scope(office.id if office is not None and office.id is not None else NOTHING)


#: the workspace pages of a national administrator, who belongs to no office: the national pages and their own
#: account; every office page answers them 403 (with nothing in scope it would show an office's page empty)
NATIONAL_PAGES = ("workspace.national.", "workspace.account.", "workspace.second_factor.")
#: where a national administrator who opens the workspace's front page is sent, once the national pages exist
NATIONAL_HOME = "workspace.national.index"


def enter_workspace(user, registry):
    """Serve the signed-in organiser's own office; a national administrator serves none, and may open only
    `NATIONAL_PAGES`. An address of another office's workspace answers the same page in the organiser's own
    (GET), or 404."""
    if getattr(user, "is_national_admin", False):
        set_scope(NOTHING)
        setattr(g, NATIONAL, True)  # headed as no one office's page
        endpoint = request.endpoint or ""
        if endpoint.startswith(NATIONAL_PAGES):
            return None
        if endpoint == "workspace.dashboard" and NATIONAL_HOME in current_app.view_functions:
            return redirect(url_for(NATIONAL_HOME))  # their front page
        abort(403)
    own = registry.get().by_id(user.office_id)
    if own is None:
        abort(403)
    here = request.environ.get(OFFICE)
    if here is not None and here.id != own.id:
        if request.method not in ("GET", "HEAD"):
            abort(404)
        language = request.environ.get(LANGUAGE)
        lang = "" if language in (None, own.default_language) or language not in own.languages else "/" + language
        query = request.query_string.decode("latin-1")
        target = request.environ.get(MOUNT, "") + lang + segment(own) + request.path + ("?" + query if query else "")
        return redirect(target)
    setattr(g, G_KEY, own)
    set_scope(own.id)
    return None
