"""Tests for samlinger.files.uploads: uploads are recognised by content, and the file name must agree."""

import contextlib
import io
import random
import tracemalloc
import zipfile

import openpyxl
import pytest

from samlinger.files.uploads import REASONS, CheckedUpload, Kind, check_upload, detect_kind
from samlinger.refusal import Refused

MB = 1024 * 1024
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
CONTENT_TYPES = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="x"/>'


def make_zip(entries, *, stored_first=None):
    """Return a zip holding `entries` (name -> bytes); `stored_first` is written first, uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            name, data = stored_first
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_ooxml(main_part, extra=None):
    entries = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
               main_part: b"<root/>"}
    entries.update(extra or {})
    return make_zip(entries)


def make_odp(mimetype=b"application/vnd.oasis.opendocument.presentation"):
    return make_zip({"content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<m/>"},
                    stored_first=("mimetype", mimetype))


def make_xlsx_with_openpyxl():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Deltakarliste"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejection(filename, data, max_bytes=10 * MB):
    with pytest.raises(Refused) as raised:
        check_upload(filename, data, max_bytes)
    assert raised.value.code in REASONS
    return raised.value.code


VALID = {
    "pdf": (PDF, Kind.PDF, "application/pdf"),
    "pptx": (make_ooxml("ppt/presentation.xml"), Kind.PPTX,
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "docx": (make_ooxml("word/document.xml"), Kind.DOCX,
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (make_xlsx_with_openpyxl(), Kind.XLSX,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odp": (make_odp(), Kind.ODP, "application/vnd.oasis.opendocument.presentation"),
    "ppt": (OLE2_MAGIC + bytes(504), Kind.PPT, "application/vnd.ms-powerpoint"),
}


# --- accepted files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("extension", sorted(VALID))
def test_each_allowed_kind_is_accepted_with_its_content_type(extension):
    data, kind, content_type = VALID[extension]
    assert detect_kind(data) is kind
    checked = check_upload(f"Foredrag om samling.{extension}", data, max_bytes=MB)
    assert checked == CheckedUpload(kind=kind, extension=extension, content_type=content_type, size=len(data))


@pytest.mark.parametrize("filename", ["SLIDES.PDF", "slides.Pdf ", "C:\\fakepath\\slides.pdf",
                                      "/home/kari/slides.v2.pdf", "æøå.pdf"])
def test_extension_is_taken_case_insensitively_from_the_last_path_part(filename):
    assert check_upload(filename, PDF, MB).extension == "pdf"


def test_detect_kind_reads_a_file_object_and_restores_its_position():
    for data, kind, _ in VALID.values():
        stream = io.BytesIO(data)
        stream.seek(3)
        assert detect_kind(stream) is kind
        assert stream.tell() == 3


def test_detect_kind_on_a_head_recognises_pdf_and_ppt_but_not_zip():
    assert detect_kind(PDF[:16]) is Kind.PDF
    assert detect_kind(OLE2_MAGIC) is Kind.PPT
    # The zip directory is at the end, so the first bytes of a pptx are not enough.
    assert detect_kind(VALID["pptx"][0][:64]) is None


def test_a_size_exactly_at_the_limit_is_accepted():
    assert check_upload("a.pdf", PDF, max_bytes=len(PDF)).size == len(PDF)


# --- rejections ---------------------------------------------------------------------------------------

def test_empty_upload():
    assert rejection("slides.pdf", b"") == "empty"


def test_too_large_upload():
    assert rejection("slides.pdf", PDF, max_bytes=len(PDF) - 1) == "too_large"


def test_windows_program_renamed_to_pdf():
    exe = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48)
           + b"This program cannot be run in DOS mode")
    assert rejection("slides.pdf", exe) == "unknown_type"


def test_html_with_script_named_as_presentation():
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    assert rejection("slides.pptx", html) == "unknown_type"
    assert rejection("slides.pdf", b"  " + html + b"%PDF-1.4") == "unknown_type"


def test_pdf_named_pptx_is_a_mismatch():
    assert rejection("slides.pptx", PDF) == "mismatch"


@pytest.mark.parametrize("filename", ["slides", "slides.", "slides.exe", "slides.pdf.exe", "slides.ppt",
                                      "pdf", ""])
def test_other_names_for_a_pptx_are_mismatches(filename):
    assert rejection(filename, VALID["pptx"][0]) == "mismatch"


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + b"\x00" * 100,
    b"PK\x03\x04garbage that is no zip at all",
    make_ooxml("ppt/presentation.xml")[:-30],  # cut off in the central directory
    make_ooxml("ppt/presentation.xml")[:200],
])
def test_corrupt_zip_is_unknown_type(data):
    assert detect_kind(data) is None
    assert rejection("slides.pptx", data) == "unknown_type"


@pytest.mark.parametrize("data", [
    make_zip({"readme.txt": b"just a zip"}),
    make_zip({"ppt/presentation.xml": b"<root/>"}),  # no [Content_Types].xml
    make_ooxml("ppt/slides/slide1.xml"),  # OOXML marker but no main part
    make_ooxml("ppt/presentation.xml", {"word/document.xml": b"<root/>"}),  # two kinds at once
    make_odp(b"application/vnd.oasis.opendocument.text"),
    make_odp(b"application/vnd.oasis.opendocument.presentation" + b"x" * 200),
])
def test_zips_that_are_not_an_allowed_document(data):
    assert detect_kind(data) is None


def test_encrypted_looking_or_unsupported_entries_do_not_raise():
    data = bytearray(make_odp())
    # Set the "encrypted" flag on the mimetype entry in its local and central headers.
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(signature)
        flag_at = at + (6 if signature == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x01
    assert detect_kind(bytes(data)) is None
    assert rejection("slides.odp", bytes(data)) == "unknown_type"


def test_zip_bomb_is_checked_without_extracting_it():
    # 64 MB of zeros compresses to about 64 kB; extracting it would show up in the memory peak.
    bomb = make_ooxml("ppt/presentation.xml", {"ppt/media/huge.bin": bytes(64 * MB)})
    odp_bomb = make_zip({"mimetype": bytes(64 * MB)})
    assert len(bomb) < MB
    tracemalloc.start()
    try:
        checked = check_upload("bomb.pptx", bomb, max_bytes=10 * MB)
        assert detect_kind(odp_bomb) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked.kind is Kind.PPTX
    assert peak < 5 * MB


def test_each_refusal_tells_the_organiser_why(app):
    with app.test_request_context():
        with pytest.raises(Refused) as raised:
            check_upload("stor.pdf", b"%PDF-1.7" + bytes(3 * MB), 2 * MB)
        assert (raised.value.code, str(raised.value)) == ("too_large", "Filen er større enn grensen på 2 MB.")


@pytest.mark.parametrize("extension", ["pptx", "odp", "xlsx"])
def test_damaged_documents_are_only_ever_refused(extension):
    original = VALID[extension][0]
    generator = random.Random(f"samlinger-{extension}")  # fixed seed: the same damage on every run
    for _ in range(300):
        data = bytearray(original)
        for _ in range(generator.randint(1, 8)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        # Accepted or rejected are both fine; any other exception fails the test.
        with contextlib.suppress(Refused):
            check_upload(f"damaged.{extension}", bytes(data), MB)
