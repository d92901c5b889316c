"""A real PostgreSQL server for the storage tests: initdb and pg_ctl (Debian's postgresql 15) in a temporary folder,
listening on 127.0.0.1 on a free port, as the `postgres` system user when the tests run as root; stopped and removed
at the end of the session. Tests that use it are marked `postgres`."""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
_databases = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """postgres refuses to run as root: run it as the `postgres` system user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


@pytest.fixture(scope="session")
def postgres_server():
    """(host, port, user) of a PostgreSQL server started for this test session."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 is not installed: apt-get install -y postgresql (bash .ci/run does it)")
    folder = Path(tempfile.mkdtemp(prefix="geo-pg-"))
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        shutil.chown(folder, user)
    data, sockets, port = folder / "data", folder, _free_port()
    subprocess.run(_as_server_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "start", "-o",
                                    f"-h 127.0.0.1 -p {port} -k {sockets}"]), check=True, capture_output=True)
    try:
        yield "127.0.0.1", port, user
    finally:
        subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's server."""
    import psycopg

    host, port, user = postgres_server
    name = f"geo_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://{user}@{host}:{port}/{name}"
