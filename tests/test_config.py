from __future__ import annotations

import stat

import pytest

from improve.config import database_url, secret_key


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("", "sqlite:////srv/instance/improve.sqlite"),
        ("postgres://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("postgresql://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("postgresql+psycopg://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("sqlite:////tmp/other.sqlite", "sqlite:////tmp/other.sqlite"),
    ],
)
def test_database_url_defaults_to_the_instance_folder_and_uses_psycopg(
    monkeypatch, configured, expected
):
    monkeypatch.setenv("IMPROVE_DATABASE_URL", configured)
    assert database_url("/srv/instance") == expected


def test_secret_key_is_generated_once_kept_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPROVE_SECRET_KEY", raising=False)

    first = secret_key(str(tmp_path))
    second = secret_key(str(tmp_path))

    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPROVE_SECRET_KEY", "from-the-environment")
    assert secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
