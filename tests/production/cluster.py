"""A private PostgreSQL 15 cluster for one test, made like scripts/services.sh makes the
shared one (initdb into a fresh folder, loopback only, a free port), so a test can stop and
start it without touching the database everyone else uses."""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import _require

from .server import HOST, free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
OS_USER = "postgres" if os.geteuid() == 0 else None


def _run(*args, check=True):
    command = [str(arg) for arg in args]
    if OS_USER:
        command = ["runuser", "-u", OS_USER, "--", *command]
    return subprocess.run(
        command, cwd="/", capture_output=True, text=True, check=check, timeout=120
    )


class PrivateCluster:
    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            _require("PostgreSQL 15", f"no initdb in {PG_BIN} (apt-get install postgresql)")
        self.folder = Path(tempfile.mkdtemp(prefix="registry-private-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        if OS_USER:
            entry = pwd.getpwnam(OS_USER)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        _run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def url(self):
        return f"postgres://postgres@{HOST}:{self.port}/registry"

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self):
        _run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def psql(self, sql, database="postgres"):
        return _run(
            PG_BIN / "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            HOST,
            "-p",
            self.port,
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        )

    def copy_database_from(self, source_url):
        """The schema and rows of another database (the migrated test database), piped
        through pg_dump and pg_restore: much quicker than running every migration."""
        self.psql("CREATE DATABASE registry")
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "--format=custom", "--no-owner", "--no-acl", source_url],
            capture_output=True,
            check=True,
            timeout=300,
        )
        restore_command = [
            str(PG_BIN / "pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "-h",
            HOST,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "registry",
        ]
        subprocess.run(
            restore_command, input=dump.stdout, check=True, timeout=300, capture_output=True
        )

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
