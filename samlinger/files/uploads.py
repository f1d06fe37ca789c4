"""Checking uploaded presentation files by their content, not only by their name.

An upload is accepted only when its bytes are recognisably one of the allowed kinds and the extension of
its file name agrees. Zip-based formats are recognised from the zip's central directory alone: nothing is
extracted (apart from the few bytes of an ODF `mimetype` entry), so a zip bomb costs nothing to check.
"""

from __future__ import annotations

import enum
import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from ..forms import clean_text
from ..refusal import Refused

__all__ = ["REASONS", "CheckedUpload", "Kind", "check_size", "check_upload", "detect_kind", "display_name"]


class Kind(enum.Enum):
    """An allowed file kind: its usual extension and the content type to store and serve it with."""

    PDF = ("pdf", "application/pdf")
    PPTX = ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
    DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ODP = ("odp", "application/vnd.oasis.opendocument.presentation")
    PPT = ("ppt", "application/vnd.ms-powerpoint")

    @property
    def extension(self) -> str:
        return self.value[0]

    @property
    def content_type(self) -> str:
        return self.value[1]


REASONS = ("empty", "too_large", "unknown_type", "mismatch")


def _refuse(reason: str, max_bytes: int):
    """Refuse the upload with the rule's code and what the organiser is told."""
    messages = {
        "empty": _l("The file is empty."),
        "too_large": _l("The file is larger than the limit of %(mb)d MB.", mb=max_bytes // 2**20),
        "unknown_type": _l("Only PDF, PowerPoint (PPTX, PPT), Word (DOCX), Excel (XLSX) and ODP files can be "
                           "uploaded."),
        "mismatch": _l("The file's name does not match its content; check the file extension."),
    }
    raise Refused(reason, messages[reason])


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted upload: what it is, its lower-case extension, content type and size in bytes."""

    kind: Kind
    extension: str
    content_type: str
    size: int


_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# The part every Office Open XML package of each kind has; `[Content_Types].xml` marks the zip as OOXML.
_OOXML_MARKER = "[Content_Types].xml"
_OOXML_MAIN_PARTS = {
    "ppt/presentation.xml": Kind.PPTX,
    "word/document.xml": Kind.DOCX,
    "xl/workbook.xml": Kind.XLSX,
}
_ODF_MIMETYPES = {b"application/vnd.oasis.opendocument.presentation": Kind.ODP}
# Longer than any ODF mimetype; a bigger `mimetype` entry cannot be one and is not read at all.
_ODF_MIMETYPE_MAX = 128


def _zip_kind(fileobj: BinaryIO) -> Kind | None:
    """Return the kind of the zip in `fileobj` from its central directory, or None if it is not one."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if _OOXML_MARKER in names:
                kinds = {kind for part, kind in _OOXML_MAIN_PARTS.items() if part in names}
                # A package claiming to be two kinds at once is not something Office produces.
                return kinds.pop() if len(kinds) == 1 else None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > _ODF_MIMETYPE_MAX:
                    return None
                # Bounded read: the declared size could be a lie, the read limit cannot.
                with archive.open(info) as entry:
                    mimetype = entry.read(_ODF_MIMETYPE_MAX + 1)
                return _ODF_MIMETYPES.get(mimetype.strip())
            return None
    except Exception:  # noqa: BLE001 - see below
        # A damaged or hostile zip can make zipfile raise almost anything (BadZipFile, EOFError,
        # NotImplementedError, RuntimeError for encryption, zlib.error, UnicodeDecodeError, ...);
        # whatever it is, the file is not a document we accept.
        return None


def detect_kind(source: bytes | bytearray | memoryview | BinaryIO) -> Kind | None:
    """Return the Kind of a file from its content, or None if it is none of the allowed kinds.

    `source` is the file's content or a seekable binary file (examined from its start; its position is
    restored). PDF and PPT are recognised from the first bytes; zip-based kinds need the whole file, since
    the zip directory is at the end. PPT means any OLE2 compound file, which legacy Word and Excel files
    also are. Never raises for bad content. The caller should bound the size first (see check_upload).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        head = data[:8]
        fileobj: BinaryIO | None = None
    else:
        fileobj = source
        position = fileobj.tell()
        fileobj.seek(0)
        head = fileobj.read(8)
    try:
        if head.startswith(_PDF_MAGIC):
            return Kind.PDF
        if head.startswith(_OLE2_MAGIC):
            return Kind.PPT
        if head.startswith(_ZIP_MAGIC):
            if fileobj is None:
                return _zip_kind(io.BytesIO(data))
            fileobj.seek(0)
            return _zip_kind(fileobj)
        return None
    finally:
        if fileobj is not None:
            fileobj.seek(position)


def _extension(filename: str) -> str:
    """Return the lower-case extension of `filename` without the dot, or "" if it has none."""
    # Some browsers send a full client path ("C:\\fakepath\\slides.pdf"); only the last part counts.
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    _stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def check_size(data: bytes, max_bytes: int) -> int:
    """Return the size of an upload, or refuse it as "empty" or "too_large" (any kind of file)."""
    if not data:
        _refuse("empty", max_bytes)
    if len(data) > max_bytes:
        _refuse("too_large", max_bytes)
    return len(data)


def check_upload(filename: str, data: bytes, max_bytes: int) -> CheckedUpload:
    """Return what the uploaded `data` is, or refuse it (`Refused`, its code one of REASONS).

    Reasons, checked in this order: "empty" (no bytes), "too_large" (more than `max_bytes`),
    "unknown_type" (content is not PDF, PPTX, DOCX, XLSX, ODP or PPT), "mismatch" (the file name's
    extension, compared case-insensitively, is not the one for the detected content).
    """
    size = check_size(data, max_bytes)
    kind = detect_kind(data)
    if kind is None:
        _refuse("unknown_type", max_bytes)
    if _extension(filename) != kind.extension:
        _refuse("mismatch", max_bytes)
    return CheckedUpload(kind=kind, extension=kind.extension, content_type=kind.content_type, size=size)


def display_name(filename: str, extension: str) -> str:
    """The name a download gets: the uploader's file name without folders, cleaned as all stored text is
    (`forms.clean_text`: no control, direction or zero-width characters, NFC), without line breaks, tabs or
    quotes (it goes into a Content-Disposition header), and with the extension its content was found to have."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r'[\n\t"]', "", clean_text(name)).strip()
    stem = name.rpartition(".")[0].strip() or "presentasjon"
    return f"{stem[:200]}.{extension}"
