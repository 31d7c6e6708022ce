"""A real PostgreSQL server for tests: Debian's `postgresql`, started by the test on a free loopback port.

The server refuses to run as root, so as root (CI) it runs as the `postgres` user the Debian package
creates. Password authentication over TCP (scram-sha-256), trust on its own Unix socket for set-up.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.runtime.servers import free_port

INSTALL_HINT = "run `bash scripts/setup.sh` (as root it installs Debian's PostgreSQL: `apt-get install -y postgresql`)"


def server_binary(name: str) -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise AssertionError(f"no PostgreSQL server binary {name!r} under /usr/lib/postgresql: {INSTALL_HINT}")
    return found[-1]


def client_binary() -> str:
    found = shutil.which("psql")
    if found is None:
        raise AssertionError(f"no PostgreSQL client psql on PATH: {INSTALL_HINT}")
    return found


class PostgresServer:
    def __init__(self):
        self.psql = client_binary()
        self.port = free_port()
        # As root the server runs as `postgres`, which must reach its folder: /tmp, not a private TMPDIR.
        self.root = Path(tempfile.mkdtemp(prefix="litellm-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise AssertionError(
                    f"no `postgres` user to run the server as (it refuses root): {INSTALL_HINT}"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        # From the server's own folder: the test's working directory may be closed to the postgres user.
        result = subprocess.run(
            [*self._as_postgres, *command], cwd=self.root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")

    def start(self) -> "PostgresServer":
        self._run(
            str(server_binary("initdb")),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.socket_dir}"
        self._run(
            str(server_binary("pg_ctl")),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run(str(server_binary("pg_ctl")), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the server's Unix socket; returns psql's unaligned output."""
        result = subprocess.run(
            [
                self.psql,
                "-XAtq",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"psql failed: {result.stderr}")
        return result.stdout
