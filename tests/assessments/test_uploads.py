"""Uploads are checked by their bytes, not their names."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.uploads import DOCX, JPEG, PDF, PNG, sanitise_filename, validate_upload

from .helpers import EXE_BYTES, JPEG_BYTES, PDF_BYTES, PNG_BYTES, docx_bytes


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", PDF_BYTES, PDF),
        ("scan.PNG", PNG_BYTES, PNG),
        ("photo.jpeg", JPEG_BYTES, JPEG),
        ("photo.jpg", JPEG_BYTES, JPEG),
        ("case.docx", docx_bytes(), DOCX),
    ],
)
def test_accepted_files_are_recognised_by_their_content(name, content, expected):
    content_type, _ = validate_upload(SimpleUploadedFile(name, content))
    assert content_type == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", EXE_BYTES, "must be a PDF, Word document"),
        ("setup.exe", EXE_BYTES, "must be a PDF, Word document"),
        ("archive.docx", docx_bytes(with_document=False), "must be a PDF, Word document"),
        ("report.png", PDF_BYTES, "does not match its contents"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_other_files_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content))
    assert message in error.value.messages[0]


def test_files_over_20_megabytes_are_refused(settings):
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="smaller than 20 MB"):
        validate_upload(big)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Safety case (final).PDF", "Safety-case-final.pdf"),
        ("rapport été.docx", "rapport-ete.docx"),
        ("<script>.pdf", "script.pdf"),
        (".pdf", "document.pdf"),
    ],
)
def test_filenames_are_sanitised(given, safe):
    assert sanitise_filename(given) == safe


# --- What a file could do once opened (issue 12, finding 9) -----------------------------------


def pdf_with(body):
    return b"%PDF-1.7\n" + body + b"\ntrailer <<>>\n%%EOF\n"


def compressed_object_stream(objects):
    packed = zlib.compress(objects)
    return (
        b"5 0 obj << /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream\nendobj"
    )


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj", "JavaScript"),
        (b"1 0 obj << /Names << /JavaScript 2 0 R >> >> endobj", "JavaScript"),
        (b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj", "JavaScript"),
        (b"1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj", "a launch action"),
        (compressed_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
    ],
)
def test_pdfs_with_scripts_or_launch_actions_are_refused(body, what):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("report.pdf", pdf_with(body)))
    assert f"contains {what}" in error.value.messages[0]


def test_a_pdf_that_opens_at_its_first_page_is_still_accepted():
    plain = pdf_with(b"1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj")
    content_type, _ = validate_upload(SimpleUploadedFile("report.pdf", plain))
    assert content_type == PDF


@pytest.mark.parametrize(
    "content",
    [
        pdf_with(b"<html><script>alert(document.cookie)</script></html>"),
        b"%PDF-1.4\n<!DOCTYPE html><body onload=alert(1)>\n%%EOF",
        pdf_with(b"1 0 obj << >> endobj\n" + b"0" * 5000 + b"<SCRIPT src=//evil.example>"),
        JPEG_BYTES + b"<iframe src=//evil.example>",
    ],
)
def test_html_polyglots_are_refused(content):
    name = "photo.jpg" if content.startswith(JPEG_BYTES) else "report.pdf"
    with pytest.raises(ValidationError, match="contains web page code"):
        validate_upload(SimpleUploadedFile(name, content))


def office_zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_docx_that_inflates_past_the_limit_is_refused(settings):
    settings.OFFICE_MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    bomb = office_zip({"word/media/padding.bin": b"\0" * (5 * 1024 * 1024)})
    assert len(bomb) < 50_000  # small on the wire
    with pytest.raises(ValidationError, match="would expand to more than 4 MB"):
        validate_upload(SimpleUploadedFile("case.docx", bomb))


def test_a_docx_that_declares_512_mib_inside_is_refused_before_anything_inflates():
    """The size in the issue: a few bytes stored, 512 MiB declared in the zip's directory.
    Refused from the declared size alone."""
    data = bytearray(office_zip({"word/media/huge.bin": b"x"}, compression=zipfile.ZIP_STORED))
    central = data.rfind(b"PK\x01\x02")  # the last member's central directory entry
    data[central + 24 : central + 28] = (512 * 1024 * 1024).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("word/media/huge.bin").file_size == 512 * 1024 * 1024
    with pytest.raises(ValidationError, match="would expand to more than 100 MB"):
        validate_upload(SimpleUploadedFile("case.docx", bytes(data)))


def test_a_highly_compressed_member_is_refused_even_under_the_size_limit():
    bomb = office_zip({"word/media/padding.bin": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="compressed far more than a normal document"):
        validate_upload(SimpleUploadedFile("case.docx", bomb))


def test_an_ordinary_docx_is_still_accepted():
    content_type, _ = validate_upload(
        SimpleUploadedFile("case.docx", office_zip({"word/styles.xml": "<w:styles/>" * 200}))
    )
    assert content_type == DOCX
