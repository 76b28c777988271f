"""Serving the site as production does, from a test: collected static, gunicorn with the
production settings on a free loopback port, plain HTTP requests to it."""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SECRET_KEY = "production-test-" + "k3y-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def database_url(settings_dict=None, name=None):
    """A DATABASE_URL for the database Django is using now (in tests: the test database)."""
    db = settings_dict or __import__("django.db").db.connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or HOST}:{db['PORT'] or 5432}"
        f"/{name or db['NAME']}"
    )


def production_env(**overrides):
    """The environment production runs with: the settings module, the secrets it refuses to
    start without, and nothing of the test settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "PAGE_CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=f"{HOST},localhost",
        ELASTICSEARCH_URL="",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(*args, env, timeout=300):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def gunicorn(env, workers=1, threads=2, log_path=None):
    """gunicorn serving config.wsgi on a free port; yields the port once it answers."""
    port = free_port()
    log = open(log_path or os.devnull, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; log: {log_path}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def fetch(port, path, method="GET", headers=None, https=True):
    """One request; behind the proxy production runs behind, which says the visitor used
    HTTPS (SECURE_PROXY_SSL_HEADER)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    all_headers = {"Host": "localhost"}
    if https:
        all_headers["X-Forwarded-Proto"] = "https"
    all_headers.update(headers or {})
    try:
        connection.request(method, path, headers=all_headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()
