"""Backups that restore (issue 12): `scripts/backup.sh` (make backup) dumps the database, the
private uploads and the public media; `scripts/restore.sh` (make restore) puts them into an
empty database and empty folders and rebuilds the search index. The restored site has the
catalogue, the submissions and their files, and the images and documents editors uploaded."""

import io
import subprocess
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import connection
from PIL import Image as PillowImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from assessments import services
from assessments.models import Criterion, Upload
from tests.assessments.factories import SubmissionFactory
from tests.assessments.helpers import PDF_BYTES, pdf
from tests.conftest import _require
from tests.registry.factories import ProductFactory

from .server import ROOT, database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.elasticsearch,
    # The scripts, in other processes, see only committed rows; serialized_rollback puts back
    # the reference data the migrations load once the test's rows are flushed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run(script, *args, env):
    done = subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def catalogue_with_a_submission(db):
    if connection.vendor != "postgresql":
        _require("PostgreSQL", f"the database is {connection.vendor}; set DATABASE_URL")
    ProductFactory(title="Ward Watch")
    submission = SubmissionFactory(product_name="Breathe Easy", status="submitted")
    criterion = next(
        item.criterion
        for section in services.load_state(submission)
        for item in section.criteria
        if item.criterion.question_type == "file"
    )
    upload = Upload(
        submission=submission,
        criterion=criterion,
        original_name="safety.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    upload.file.save("safety.pdf", pdf(), save=True)
    return upload


@pytest.fixture
def editors_media(db):
    """An image and a document as an editor uploads them in the CMS (under MEDIA_ROOT)."""
    png = io.BytesIO()
    PillowImage.new("RGB", (4, 3), "#005eb8").save(png, format="PNG")
    image = Image.objects.create(
        title="Ward at night",
        file=ImageFile(io.BytesIO(png.getvalue()), name=f"ward-{uuid.uuid4().hex[:6]}.png"),
    )
    document = Document(title="Adoption guide")
    document.file.save(f"guide-{uuid.uuid4().hex[:6]}.pdf", ContentFile(PDF_BYTES), save=True)
    yield image, document, png.getvalue()
    image.file.delete(save=False)
    document.file.delete(save=False)


@pytest.fixture
def empty_database():
    name = f"reg_restore_{uuid.uuid4().hex[:10]}"
    admin = database_url(name="postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name=name)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restore_index_prefix(es_client):
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-restore-{uuid.uuid4().hex[:6]}"
    yield prefix
    es_client.indices.delete(index=f"{prefix}*", ignore_unavailable=True, allow_no_indices=True)


def test_a_backup_restores_into_an_empty_database_with_its_files(
    catalogue_with_a_submission, editors_media, empty_database, restore_index_prefix, tmp_path
):
    upload = catalogue_with_a_submission
    image, document, png_bytes = editors_media
    base_env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    out = run(
        "backup.sh",
        env={
            **base_env,
            "DATABASE_URL": database_url(),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
    )
    dumps = list((tmp_path / "backups").glob("registry-*Z.dump"))
    assert len(dumps) == 1, out
    assert list((tmp_path / "backups").glob("registry-*Z-private-media.tar.gz"))
    assert list((tmp_path / "backups").glob("registry-*Z-media.tar.gz"))

    restored_media = tmp_path / "restored-private-media"
    restored_public_media = tmp_path / "restored-media"
    restore_env = {
        **base_env,
        "DATABASE_URL": empty_database,
        "PRIVATE_MEDIA_ROOT": str(restored_media),
        "MEDIA_ROOT": str(restored_public_media),
        "ELASTICSEARCH_URL": settings.ELASTICSEARCH_URL,
        "SEARCH_INDEX_PREFIX": restore_index_prefix,
    }
    out = run("restore.sh", str(dumps[0]), env=restore_env)
    assert "search index: rebuild" in out

    with psycopg.connect(empty_database) as db:
        titles = {row[0] for row in db.execute("SELECT title FROM wagtailcore_page")}
        assert "Ward Watch" in titles
        submissions = db.execute(
            "SELECT product_name, status FROM assessments_submission"
        ).fetchall()
        assert ("Breathe Easy", "submitted") in submissions
        files = db.execute("SELECT file, original_name FROM assessments_upload").fetchall()
        assert (upload.file.name, "safety.pdf") in files
        criteria = db.execute("SELECT count(*) FROM assessments_criterion").fetchone()[0]
        assert criteria == Criterion.objects.count()
        images = db.execute("SELECT title, file FROM wagtailimages_image").fetchall()
        assert ("Ward at night", image.file.name) in images
        documents = db.execute("SELECT title, file FROM wagtaildocs_document").fetchall()
        assert ("Adoption guide", document.file.name) in documents
    assert (restored_media / upload.file.name).read_bytes() == PDF_BYTES
    assert (restored_public_media / image.file.name).read_bytes() == png_bytes
    assert (restored_public_media / document.file.name).read_bytes() == PDF_BYTES
    # Evidence stays out of the public folder.
    assert not (restored_public_media / upload.file.name).exists()

    # Restoring over a database that holds data is refused (even into empty folders).
    again = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(dumps[0])],
        cwd=ROOT,
        env={
            **restore_env,
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "empty-private-media"),
            "MEDIA_ROOT": str(tmp_path / "empty-media"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0
    assert "restore only into an empty database" in again.stderr


def test_a_restore_never_writes_over_public_media(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    dump = backups / "registry-20261203T091500Z.dump"
    dump.write_bytes(b"not read: the folders are checked first")
    for suffix in ("-private-media.tar.gz", "-media.tar.gz"):
        subprocess.run(
            ["tar", "-czf", str(backups / f"{dump.stem}{suffix}"), "--files-from", "/dev/null"],
            check=True,
        )
    media = tmp_path / "media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "live.png").write_bytes(b"an editor's image")
    done = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(dump)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
            "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
            "DATABASE_URL": "postgres://registry:registry@127.0.0.1:1/none",
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private-media"),
            "MEDIA_ROOT": str(media),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert f"{media} is not empty: restore files only into an empty folder" in done.stderr
    assert (media / "original_images" / "live.png").read_bytes() == b"an editor's image"
