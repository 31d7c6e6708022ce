"""A failed migration stops the rollout: the check beside the chart's migration Job, as the chart renders
it, run against a real PostgreSQL on loopback with the rendered command and environment."""

import functools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from components.migration_check import CHECK_CONTAINER, EXPECTED_FILE, LIST_CONTAINER
from tests.chart import MIGRATION_CONTAINER
from tests.conftest import SECRETS, render_stack
from tests.postgres import PostgresServer

pytestmark = pytest.mark.runtime

PASSWORD = "p@ss:w/rd?#%&=+ 1"
IMAGE_MIGRATIONS = ["20250326162113_baseline", "20250326171002_add_daily_user_table", "20250802162330_prompt_table"]
TIMEOUT = 3
# The table as Prisma's schema engine creates it (prisma-engines, sql-schema-connector, postgres flavour).
PRISMA_MIGRATIONS_TABLE = """
CREATE TABLE litellm._prisma_migrations (
    id VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum VARCHAR(64) NOT NULL,
    finished_at TIMESTAMPTZ,
    migration_name VARCHAR(255) NOT NULL,
    logs TEXT,
    rolled_back_at TIMESTAMPTZ,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count INTEGER NOT NULL DEFAULT 0
)"""


@pytest.fixture(scope="module")
def server():
    postgres = PostgresServer().start()
    try:
        postgres.sql(f"CREATE ROLE litellm LOGIN PASSWORD '{PASSWORD.replace(chr(39), chr(39) * 2)}'")
        postgres.sql("CREATE DATABASE app OWNER litellm")
        postgres.sql("CREATE SCHEMA litellm AUTHORIZATION litellm", database="app")
        yield postgres
    finally:
        postgres.stop()


@pytest.fixture
def table(server):
    server.sql(PRISMA_MIGRATIONS_TABLE + "; ALTER TABLE litellm._prisma_migrations OWNER TO litellm", database="app")
    yield server
    server.sql("DROP TABLE IF EXISTS litellm._prisma_migrations", database="app")


def _record(server, name: str, finished: bool = True, logs: str | None = None, rolled_back: bool = False) -> None:
    server.sql(
        "INSERT INTO litellm._prisma_migrations (id, checksum, migration_name, finished_at, logs, rolled_back_at)"
        f" VALUES (gen_random_uuid()::text, 'sum', '{name}', {'now()' if finished else 'NULL'},"
        f" {'NULL' if logs is None else repr(logs)}, {'now()' if rolled_back else 'NULL'})",
        database="app",
    )


def _job(server, **overrides):
    return _render_job(server.port, **overrides) if overrides else _prod_job(server.port)


@functools.cache
def _prod_job(port: int):
    return _render_job(port)


def _render_job(port: int, **overrides):
    database = {"host": "127.0.0.1", "port": port, "namespace": "postgresql"}
    manifests = render_stack(
        "prod", {"litellm:database": database, **overrides}, {**SECRETS, "litellm:databasePassword": PASSWORD}
    )
    secrets = {secret["metadata"]["name"]: secret["stringData"] for secret in manifests.all("Secret")}
    pod = manifests.find("Job", "litellm-migrations")["spec"]["template"]["spec"]
    return manifests, {container["name"]: container for container in pod["containers"]}, secrets


def _environment(container, secrets, expected: Path) -> dict[str, str]:
    """The container's env as the kubelet builds it ($(VAR) from earlier entries), the emptyDir remapped."""
    environment: dict[str, str] = {}
    for entry in container["env"]:
        if "valueFrom" in entry:
            ref = entry["valueFrom"]["secretKeyRef"]
            environment[entry["name"]] = secrets[ref["name"]][ref["key"]]
        else:
            value = entry["value"]
            for name, known in environment.items():
                value = value.replace(f"$({name})", known)
            environment[entry["name"]] = value
    assert environment["MIGRATION_CHECK_EXPECTED"] == EXPECTED_FILE
    environment["MIGRATION_CHECK_EXPECTED"] = str(expected)
    return environment


def _check(server, tmp_path, listed=IMAGE_MIGRATIONS, **env_overrides) -> subprocess.CompletedProcess:
    _, containers, secrets = _job(server)
    check = containers[CHECK_CONTAINER]
    expected = tmp_path / "expected"
    expected.write_text("".join(f"{name}\n" for name in listed))
    environment = _environment(check, secrets, expected)
    environment.update({"MIGRATION_CHECK_TIMEOUT": str(TIMEOUT), "MIGRATION_CHECK_INTERVAL": "1", **env_overrides})
    environment["PATH"] = os.environ["PATH"]
    return subprocess.run(check["command"], env=environment, capture_output=True, text=True, timeout=60, check=False)


def test_the_job_runs_the_check_beside_the_migration_and_fails_on_its_first_failure(server):
    manifests, containers, _ = _job(server)
    assert set(containers) == {MIGRATION_CONTAINER, LIST_CONTAINER, CHECK_CONTAINER}
    job = manifests.find("Job", "litellm-migrations")
    assert job["spec"]["backoffLimit"] == 0
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    volumes = {volume["name"] for volume in job["spec"]["template"]["spec"]["volumes"]}
    assert all(
        mount["name"] in volumes
        for name in (LIST_CONTAINER, CHECK_CONTAINER)
        for mount in containers[name]["volumeMounts"]
    )
    assert containers[LIST_CONTAINER]["image"] == containers[MIGRATION_CONTAINER]["image"]


def test_every_migration_applied_passes(table, tmp_path):
    for name in IMAGE_MIGRATIONS:
        _record(table, name)
    result = _check(table, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "all 3 migrations of the image are applied" in result.stdout


def test_a_failed_migration_fails_the_job_with_prisma_s_log(table, tmp_path):
    _record(table, IMAGE_MIGRATIONS[0])
    _record(table, IMAGE_MIGRATIONS[1])
    _record(table, IMAGE_MIGRATIONS[2], finished=False, logs="ERROR: permission denied for schema litellm")
    result = _check(table, tmp_path)
    assert result.returncode == 1
    assert f"failed: {IMAGE_MIGRATIONS[2]}; not applied: none" in result.stderr
    assert "permission denied for schema litellm" in result.stderr


def test_a_migration_of_the_image_never_applied_fails_the_job(table, tmp_path):
    for name in IMAGE_MIGRATIONS[:2]:
        _record(table, name)
    result = _check(table, tmp_path)
    assert result.returncode == 1
    assert f"not applied: {IMAGE_MIGRATIONS[2]}" in result.stderr


def test_a_migration_still_running_at_the_deadline_fails_the_job(table, tmp_path):
    for name in IMAGE_MIGRATIONS[:2]:
        _record(table, name)
    _record(table, IMAGE_MIGRATIONS[2], finished=False)
    result = _check(table, tmp_path)
    assert result.returncode == 1 and f"not applied: {IMAGE_MIGRATIONS[2]}" in result.stderr


def test_a_failed_migration_that_litellm_rolled_back_and_applied_again_passes(table, tmp_path):
    for name in IMAGE_MIGRATIONS:
        _record(table, name)
    _record(table, IMAGE_MIGRATIONS[2], finished=False, logs="ERROR: deadlock detected", rolled_back=True)
    result = _check(table, tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_check_waits_for_migrations_applied_while_it_runs(table, tmp_path):
    _record(table, IMAGE_MIGRATIONS[0])

    def migrate_later():
        time.sleep(1.5)
        for name in IMAGE_MIGRATIONS[1:]:
            _record(table, name)

    migrator = threading.Thread(target=migrate_later)
    migrator.start()
    started = time.monotonic()
    result = _check(table, tmp_path, MIGRATION_CHECK_TIMEOUT="30")
    migrator.join()
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 15


def test_no_migrations_table_fails_the_job(server, tmp_path):
    result = _check(server, tmp_path)
    assert result.returncode == 1
    assert 'cannot read "litellm"._prisma_migrations' in result.stderr


def test_a_wrong_password_fails_the_job(table, tmp_path):
    for name in IMAGE_MIGRATIONS:
        _record(table, name)
    wrong = f"postgresql://litellm:{quote('not-the-password', safe='')}@127.0.0.1:{table.port}/app"
    result = _check(table, tmp_path, MIGRATION_CHECK_URL=wrong)
    assert result.returncode == 1 and "password authentication failed" in result.stderr


def test_no_list_from_the_image_fails_the_job(table, tmp_path):
    for name in IMAGE_MIGRATIONS:
        _record(table, name)
    result = _check(table, tmp_path, listed=[])
    assert result.returncode == 1 and "no list of the image's migrations" in result.stderr


def test_the_list_container_lists_the_image_s_migration_folders(server, tmp_path):
    _, containers, _ = _job(server)
    listing = containers[LIST_CONTAINER]
    package = tmp_path / "site-packages" / "litellm_proxy_extras"
    for name in IMAGE_MIGRATIONS:
        (package / "migrations" / name).mkdir(parents=True)
        (package / "migrations" / name / "migration.sql").write_text("SELECT 1;\n")
    (package / "__init__.py").write_text("")
    (package / "migrations" / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (package / "schema.prisma").write_text("")
    expected = tmp_path / "expected"
    environment = {"PYTHONPATH": str(package.parent), "MIGRATION_CHECK_EXPECTED": str(expected)}
    command = [sys.executable if part == "python" else part for part in listing["command"]]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert expected.read_text().splitlines() == IMAGE_MIGRATIONS


def test_without_the_check_the_job_keeps_the_chart_s_defaults(server):
    manifests, containers, _ = _job(server, **{"litellm:migrationCheck": {"enabled": False}})
    assert set(containers) == {MIGRATION_CONTAINER}
    assert manifests.find("Job", "litellm-migrations")["spec"]["backoffLimit"] == 4
