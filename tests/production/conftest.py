import pytest

from .server import manage, production_env


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """`collectstatic` with the production settings, once per run: a STATIC_ROOT to serve."""
    static_root = tmp_path_factory.mktemp("static")
    built = manage(
        "collectstatic",
        "--noinput",
        env=production_env(
            DATABASE_URL="postgres://registry@127.0.0.1:5432/registry", STATIC_ROOT=static_root
        ),
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert (static_root / "staticfiles.json").exists()
    return static_root
