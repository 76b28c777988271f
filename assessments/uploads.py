"""Checking uploaded evidence by what it is, not by what it is called.

The type is read from the file's first bytes (its magic number); a Word document is a zip
archive that must contain word/document.xml. A renamed executable, a zip of anything else,
or a file whose name claims one type while its bytes are another is refused.
"""

import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg"}, DOCX: {"docx"}}
ACCEPTED = "a PDF, Word document (DOCX), PNG or JPEG"


def sniff_content_type(upload):
    """The content type the bytes show, or None if they are none of the accepted kinds."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def sanitise_filename(name):
    """A safe base name: no folders, no control or shell characters, at most 100 characters,
    keeping the extension."""
    name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    name = re.split(r"[\\/]", name)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")[:90] or "document"
    extension = re.sub(r"[^A-Za-z0-9]", "", extension).lower()[:5]
    return f"{stem}.{extension}" if extension else stem


def validate_upload(upload):
    """Returns (content type, safe name) or raises ValidationError with a message for people."""
    limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    if upload.size > limit:
        megabytes = limit // (1024 * 1024)
        raise ValidationError(f"The selected file must be smaller than {megabytes} MB.")
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(f"The selected file must be {ACCEPTED}.")
    safe_name = sanitise_filename(upload.name)
    extension = safe_name.rpartition(".")[2].lower() if "." in safe_name else ""
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            f"The selected file's name does not match its contents: it must be {ACCEPTED}, "
            "named with the right extension."
        )
    return content_type, safe_name
