"""Backups that restore (issue 12): `scripts/backup.sh` (make backup) dumps the database and
the private uploads; `scripts/restore.sh` (make restore) puts them into an empty database and
an empty folder and rebuilds the search index. The restored site has the catalogue, the
submissions and their files."""

import subprocess
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

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
    catalogue_with_a_submission, empty_database, restore_index_prefix, tmp_path
):
    upload = catalogue_with_a_submission
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
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
    )
    dumps = list((tmp_path / "backups").glob("registry-*Z.dump"))
    assert len(dumps) == 1, out
    assert list((tmp_path / "backups").glob("registry-*Z-private-media.tar.gz"))

    restored_media = tmp_path / "restored-private-media"
    restore_env = {
        **base_env,
        "DATABASE_URL": empty_database,
        "PRIVATE_MEDIA_ROOT": str(restored_media),
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
    assert (restored_media / upload.file.name).read_bytes() == PDF_BYTES

    # Restoring over data is refused, and changes nothing.
    again = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(dumps[0])],
        cwd=ROOT,
        env=restore_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0
    assert "restore only into an empty database" in again.stderr
