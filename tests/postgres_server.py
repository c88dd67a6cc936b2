"""A real PostgreSQL server for the tests: a throwaway cluster in a temp dir on 127.0.0.1 and a free port.

The session fixture ``postgres`` runs ``initdb`` and ``pg_ctl start`` once per test session (imported by
conftest) and stops the server at the end. Binaries come from PATH (``pg_ctl``/``initdb``) or from Debian's
``postgresql`` package (``/usr/lib/postgresql/<version>/bin``, which is not on PATH); without either, every
test that takes the fixture is skipped with that reason. ``initdb`` refuses to run as root, so under root the
cluster belongs to the ``postgres`` user (Debian's package creates it), else ``nobody``, via ``runuser``.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD, DATABASE = "cmo", "cmo-test-secret", "crm"


def find_binaries() -> Path | None:
    """The folder with initdb and pg_ctl: PATH first, then Debian's versioned folders (newest first)."""
    on_path = shutil.which("pg_ctl"), shutil.which("initdb")
    if all(on_path):
        return Path(os.path.realpath(on_path[0])).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2])
                        if p.split("/")[-2].isdigit() else 0, reverse=True)
    for folder in candidates:
        if Path(folder, "pg_ctl").is_file() and Path(folder, "initdb").is_file():
            return Path(folder)
    return None


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str

    def url(self, *, password: bool = True, database: str | None = None) -> str:
        auth = f"{self.user}:{self.password}" if password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database or self.database}"

    def connect(self, database: str | None = None):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=database or self.database, autocommit=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _owner() -> str | None:
    """The user that runs the cluster: ourselves, or under root a user initdb accepts."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("PostgreSQL tests skipped: running as root and neither a postgres nor a nobody user exists "
                "(initdb refuses root)")


def _as(owner: str | None, *cmd: str) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else list(cmd)


@pytest.fixture(scope="session")
def postgres():
    """A running PostgreSQL server with user ``cmo`` (password auth) and database ``crm``."""
    bindir = find_binaries()
    if bindir is None:
        pytest.skip("PostgreSQL tests skipped: no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin "
                    "(install Debian's postgresql package; .ci/run does)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("PostgreSQL tests skipped: running as root without runuser (initdb refuses root)")
    owner = _owner()
    base = Path(tempfile.mkdtemp(prefix="cmo-pg-"))  # not pytest's tmp: the cluster owner must reach it
    data, pwfile, log = base / "data", base / "pwfile", base / "server.log"
    pwfile.write_text(PASSWORD + "\n")
    if owner:
        info = pwd.getpwnam(owner)
        os.chown(base, info.pw_uid, info.pw_gid)
        os.chown(pwfile, info.pw_uid, info.pw_gid)
    port = _free_port()
    try:
        subprocess.run(_as(owner, str(bindir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(pwfile),
                           "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C"),
                       check=True, capture_output=True, text=True, cwd=base)
        subprocess.run(_as(owner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                           "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off", "start"),
                       check=True, capture_output=True, text=True, cwd=base)
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{server_log}") from None
    server = PostgresServer("127.0.0.1", port, USER, PASSWORD, DATABASE)
    try:
        with server.connect("postgres") as conn:
            conn.execute(f"create database {DATABASE}")
        yield server
    finally:
        subprocess.run(_as(owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"),
                       capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)
