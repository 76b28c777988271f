"""Uploads are checked by their bytes, not their names."""

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
