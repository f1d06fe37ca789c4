"""Messages written when they are sent, by the feature that sends them.

A message that carries a link (a registration's manage link, an evaluation link, an account's set-password
link) is queued unwritten (`outbox.queue_unwritten`): the row holds only what cannot be looked up later. The
mail worker writes it just before sending, with `write`: the link is computed then, so no usable link is ever
stored. How a kind of message is written belongs to the feature that sends it, which registers its writer
here (`writer`); mail/ imports no feature. `samlinger/mails.py` imports every feature's mails, so every process
that runs the worker knows every kind.

What was sent is kept on the row afterwards (`Written.keep_in`) with every link's token replaced by REDACTED.

A message about a registration goes to that registration's address of the moment it is sent, not the one it
was queued for: the feature that keeps registrations registers how to find it (`address_book`). An address an
organiser has corrected since queueing gets nothing, neither the secrets a message may carry (a manage link,
a video link and its passcode, an evaluation link) nor the rest: the message goes to the corrected address.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import OutboundEmail

#: what a link's token is replaced by in the copy of a sent message that the outbox keeps
REDACTED = "…"


def one_line(subject) -> str:
    """A subject on one line: nothing typed can add a mail header."""
    return " ".join(str(subject).split())


@dataclass(frozen=True)
class Written:
    subject: str
    text_body: str
    html_body: str
    ics: str | None
    ics_method: str | None
    #: the tokens of the links in the bodies: sent, never stored
    tokens: tuple[str, ...] = ()
    #: (text, html, invite) written with the video link redacted, when the message carries one: what is kept
    kept: tuple | None = None

    def keep_in(self, message: OutboundEmail) -> None:
        """Store what was sent on the row, with the links' tokens and the video link replaced by REDACTED."""
        text_body, html_body, invite = self.kept or (self.text_body, self.html_body, self.ics)
        for token in self.tokens:
            if token:
                text_body, html_body = text_body.replace(token, REDACTED), html_body.replace(token, REDACTED)
        message.subject, message.text_body, message.html_body = self.subject, text_body, html_body
        message.ics, message.ics_method, message.unwritten = invite, self.ics_method, None


@dataclass(frozen=True)
class Writer:
    #: writes the message in its language; raises ValueError when what it is about is gone
    write: Callable[[OutboundEmail], Written]
    #: run before writing, in a write transaction of its own that it commits (None: nothing to do first)
    prepare: Callable[[OutboundEmail], None] | None = None


_WRITERS: dict[str, Writer] = {}


def writer(*kinds: str, prepare: Callable[[OutboundEmail], None] | None = None):
    """Register the decorated function as the writer of the messages of *kinds* queued unwritten."""
    def register(write: Callable[[OutboundEmail], Written]):
        for kind in kinds:
            known = _WRITERS.get(kind)
            if known is not None and known != Writer(write, prepare):
                raise ValueError(f"{kind!r} messages already have a writer: {known.write.__qualname__}")
            _WRITERS[kind] = Writer(write, prepare)
        return write
    return register


def kinds() -> frozenset[str]:
    """Every kind of message a writer is registered for."""
    return frozenset(_WRITERS)


def writer_of(message: OutboundEmail) -> Writer:
    """How *message*, queued unwritten, is written. Raises ValueError for a kind no feature has registered."""
    try:
        return _WRITERS[message.kind]
    except KeyError:
        raise ValueError(f"no writer for {message.kind!r} messages: the feature that queues them registers one "
                         f"(mail/writing.py), and samlinger/mails.py imports it") from None


#: finds the address of now of the registration a message is about (registered by the feature that keeps them)
_ADDRESS_BOOK: list[Callable[[OutboundEmail], str | None]] = []


def address_book(find: Callable[[OutboundEmail], str | None]):
    """Register *find*: the address a message about a registration goes to when it is sent, which is that
    registration's address then, or None when it has none (gone, anonymised, a walk-in without one)."""
    _ADDRESS_BOOK[:] = [find]
    return find


def address_now(message: OutboundEmail) -> str:
    """Where *message* goes when it is sent: the address of now of the registration it is about, or the address
    it was queued for when it is about none (an account's mail). Raises ValueError when the registration has no
    address now: the message is not sent, to the old address least of all."""
    if message.registration_id is None:
        return message.recipient
    if not _ADDRESS_BOOK:
        raise ValueError("no address book: the feature that keeps registrations registers one (mail/writing.py)")
    address = _ADDRESS_BOOK[0](message)
    if not address:
        raise ValueError(f"the registration of message {message.id} has no address now: not sent")
    return address
