"""Fixtures of the scale tests: every server real, started here, stopped on exit (see servers.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.servers import dask_cluster, postgres_server, s3_server


@pytest.fixture(scope="session")
def scale_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory, scale_logs: Path) -> Iterator[str]:
    """A PostgreSQL server for the session; yields a URL without the database name."""
    with postgres_server(scale_logs) as base:
        yield base


@pytest.fixture
def postgres_url(postgres: str) -> str:
    """A fresh database on the session's server (Dagster creates its schema in it)."""
    import psycopg2

    name = f"dagster_{uuid.uuid4().hex[:12]}"
    con = psycopg2.connect(postgres + "/postgres")
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f"create database {name}")
    con.close()
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; dagster-postgres is built on psycopg2.
    return f"{postgres.replace('postgresql://', 'postgresql+psycopg2://')}/{name}"


def libpq_url(url: str) -> str:
    """The URL for psycopg2.connect (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+psycopg2://", "postgresql://")


@pytest.fixture(scope="session")
def s3(scale_logs: Path) -> Iterator[str]:
    """moto's S3 server; the process (and every child it starts) reaches it through fsspec's
    and botocore's endpoint settings in the environment."""
    with s3_server(scale_logs) as endpoint:
        keys = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
            "FSSPEC_S3_ENDPOINT_URL": endpoint,
        }
        old = {k: os.environ.get(k) for k in keys}
        os.environ.update(keys)
        try:
            yield endpoint
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@pytest.fixture
def s3_bucket(s3: str) -> str:
    import s3fs

    name = f"lake-{uuid.uuid4().hex[:10]}"
    s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3}).mkdir(name)
    return name


__all__ = ["dask_cluster"]
