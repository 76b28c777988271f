"""Filling in a submission through the public pages, as an innovator would."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import QuestionType, Verdict

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx_bytes(with_document=True):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("payload.bin", "x")
    return buffer.getvalue()


def pdf(name="evidence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


ASSESSED = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()

# What the innovator says an evidence upload is, as the NHS.UK date input posts it.
EVIDENCE_DETAILS = {
    "evidence_type": "rct",
    "title": "A randomised trial of home breathlessness support",
    "completed_on_0": "14",
    "completed_on_1": "3",
    "completed_on_2": "2024",
    "summary": "120 adults with COPD in two community services; fewer admissions at 6 months.",
    "may_publish": "yes",
}


def answer_data(criterion):
    kind = criterion.question_type
    if kind == QuestionType.YES_NO:
        return {"value": "yes"}
    if kind == QuestionType.TEXT:
        return {"value": f"Our answer to {criterion.code}."}
    if kind == QuestionType.DATE:
        return {"value": ASSESSED}
    if kind == QuestionType.NUMBER:
        return {"value": "42"}
    if kind == QuestionType.CHOICE:
        return {"value": criterion.choices[0]}
    if kind == QuestionType.MULTIPLE_CHOICE:
        return {"value": [criterion.choices[0]]}
    if kind == QuestionType.FILE and criterion.evidence_uploads:
        return {"value": pdf(f"{criterion.code} evidence.pdf"), **EVIDENCE_DETAILS}
    if kind == QuestionType.FILE:
        return {"value": pdf(f"{criterion.code} evidence.pdf")}
    return {"status": "met", "assessed_on": ASSESSED, "expires_on": ""}


def question_url(submission, criterion):
    return f"/submissions/{submission.pk}/questions/{criterion.code}/"


def answer_everything(client, submission):
    """Posts an answer to every question in scope; returns how many were answered."""
    count = 0
    for section in services.load_state(submission):
        for state in section.criteria:
            response = client.post(
                question_url(submission, state.criterion), answer_data(state.criterion)
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            count += 1
    return count


def submit_and_approve(client, submission, innovator):
    """The innovator answers every question and submits; one assessor finds every criterion
    met and proposes approval; a second signs it off."""
    from .factories import AssessorFactory

    client.force_login(innovator)
    answer_everything(client, submission)
    services.submit(submission, innovator)
    reviewer, second = AssessorFactory(), AssessorFactory()
    services.record_verdicts(
        submission,
        reviewer,
        {
            item.criterion: (Verdict.MET, "")
            for section in services.load_state(submission)
            for item in section.criteria
        },
    )
    services.propose_approval(submission, reviewer)
    services.sign_off(submission, second)
