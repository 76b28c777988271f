"""Checking uploaded evidence by what it is, not by what it is called.

The type is read from the file's first bytes (its magic number); a Word document is a zip
archive that must contain word/document.xml. A renamed executable, a zip of anything else,
or a file whose name claims one type while its bytes are another is refused.

Then what the file could do once an assessor opens it:

- **Active PDFs.** A PDF that carries JavaScript (`/JS`, `/JavaScript`) or a launch action
  (`/Launch`) is refused. PDF names may be spelt with `#xx` escapes (`/J#61vaScript`) and
  objects may sit inside compressed object streams, so names are unescaped and Flate streams
  inflated (up to a bound) before looking.
- **Polyglots.** A file that is also an HTML page is refused: HTML markers in its first
  kilobyte (where a browser's content sniffing looks) or a `<script` or `<html` tag anywhere.
- **Zip bombs.** An Office file (any zip: docx, xlsx, pptx) whose members declare more than
  `OFFICE_MAX_UNCOMPRESSED_BYTES` in all, or a member that inflates more than
  `OFFICE_MAX_COMPRESSION_RATIO` times, is refused before anything inflates it.
"""

import re
import unicodedata
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg"}, DOCX: {"docx"}}
ACCEPTED = "a PDF, Word document (DOCX), PNG or JPEG"

# Whatever the file is, opened as a page these make it HTML.
SNIFF_WINDOW = 1024
HTML_MARKERS_AT_START = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
    b"<meta",
    b"<style",
    b"<title",
    b"<a ",
    b"<img",
    b"<div",
    b"<p>",
    b"<!--",
)
HTML_MARKERS_ANYWHERE = (b"<script", b"<html")
PDF_ACTIVE_NAMES = {
    b"/JS": "JavaScript",
    b"/JavaScript": "JavaScript",
    b"/Launch": "a launch action",
}
PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_INFLATE_LIMIT = 64 * 1024 * 1024


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


def _read_all(upload):
    upload.seek(0)
    try:
        return upload.read()
    finally:
        upload.seek(0)


def _unescape_pdf_name(name):
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda match: bytes([int(match.group(1), 16)]), name)


def _inflated_streams(data):
    """The Flate-compressed streams of a PDF, inflated, at most PDF_INFLATE_LIMIT bytes in all
    (a stream that will not inflate is left alone: it may be an image)."""
    budget = PDF_INFLATE_LIMIT
    for match in PDF_STREAM.finditer(data):
        if budget <= 0:
            raise ValidationError(
                "The selected PDF could not be checked: its compressed content is too large."
            )
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        yield inflated


def check_pdf_is_inert(data):
    """Refuse a PDF that runs JavaScript or launches programs when opened."""
    for chunk in (data, *_inflated_streams(data)):
        for raw_name in PDF_NAME.findall(chunk):
            what = PDF_ACTIVE_NAMES.get(_unescape_pdf_name(raw_name))
            if what:
                raise ValidationError(
                    f"The selected PDF contains {what}. Save it again without scripts or "
                    "actions (for example, print it to a new PDF) and upload that."
                )


def check_not_html(data):
    """Refuse a file a browser could take for a web page (an HTML polyglot)."""
    start = data[:SNIFF_WINDOW].lower()
    lowered = data.lower()
    if any(marker in start for marker in HTML_MARKERS_AT_START) or any(
        marker in lowered for marker in HTML_MARKERS_ANYWHERE
    ):
        raise ValidationError(
            "The selected file contains web page code (HTML), so it cannot be accepted. "
            "Upload the document itself."
        )


def check_zip_size(upload):
    """Refuse an Office file that would inflate past the stated limits."""
    limit = settings.OFFICE_MAX_UNCOMPRESSED_BYTES
    ratio = settings.OFFICE_MAX_COMPRESSION_RATIO
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return
    finally:
        upload.seek(0)
    declared = sum(member.file_size for member in members)
    too_compressed = any(
        member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1)
        for member in members
    )
    if declared > limit or too_compressed:
        megabytes = limit // (1024 * 1024)
        raise ValidationError(
            f"The selected file would expand to more than {megabytes} MB when opened, or is "
            "compressed far more than a normal document. Upload a smaller document."
        )


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
    head = upload.read(4)
    upload.seek(0)
    if head == b"PK\x03\x04":
        check_zip_size(upload)
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
    data = _read_all(upload)
    check_not_html(data)
    if content_type == PDF:
        check_pdf_is_inert(data)
    return content_type, safe_name
