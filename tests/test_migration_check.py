"""A failed migration stops the rollout: the check beside the chart's migration Job, as the chart renders
it, run against a real PostgreSQL on loopback with the rendered command and environment."""

import functools
import os
import re
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
from tests.runtime.tools import runtime_site_packages

pytestmark = pytest.mark.runtime

PASSWORD = "p@ss:w/rd?#%&=+ 1"
TIMEOUT = 3
# Small migrations for the ledger states: each makes one object the check can look for.
SMALL = {
    "20250326162113_baseline": 'CREATE TABLE "LiteLLM_A" ("id" TEXT NOT NULL, CONSTRAINT "A_pkey" PRIMARY KEY ("id"));',
    "20250326171002_add_daily_user_table": 'CREATE TABLE "LiteLLM_B" ("n" INTEGER NOT NULL DEFAULT 0);',
    "20250802162330_prompt_table": 'ALTER TABLE "LiteLLM_A" ADD COLUMN "prompt" JSONB;',
}
IMAGE_MIGRATIONS = list(SMALL)
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
    server.sql("DROP SCHEMA litellm CASCADE; CREATE SCHEMA litellm AUTHORIZATION litellm", database="app")


@pytest.fixture
def image(tmp_path):
    """The shared folder as `list-migrations` fills it from the small migrations."""
    return _image_folder(tmp_path, {name: sql.encode() for name, sql in SMALL.items()})


def _image_folder(tmp_path: Path, migrations: dict[str, bytes]) -> Path:
    (tmp_path / "sql").mkdir()
    for name, sql in migrations.items():
        (tmp_path / "sql" / f"{name}.sql").write_bytes(sql)
    (tmp_path / "expected").write_text("".join(f"{name}\n" for name in migrations))
    return tmp_path


def _apply(server, sql: bytes) -> subprocess.CompletedProcess:
    """Run one migration's SQL as the migration user in the live schema, in one transaction: what Prisma's
    `migrate deploy` does with a migration.sql (its script is one implicit transaction on PostgreSQL)."""
    url = f"postgresql://litellm:{quote(PASSWORD, safe='')}@127.0.0.1:{server.port}/app"
    return subprocess.run(
        ["psql", url, "-XAtq1", "-v", "ON_ERROR_STOP=1", "-c", "SET search_path TO litellm", "-f", "-"],
        input=sql,
        capture_output=True,
        check=False,
    )


def _migrate(server, folder: Path, names: list[str]) -> dict[str, str]:
    """Apply `names` the way `prisma migrate deploy` and LiteLLM's retry loop leave the database; returns the
    SQL errors of the migrations that failed.

    Prisma inserts a ledger row when it starts a migration and sets `finished_at` when it succeeds, or
    `logs` when it fails (P3018). LiteLLM (litellm-proxy-extras 0.2.18 utils.py:312-334) then runs
    `prisma migrate resolve --rolled-back <name>` (sets `rolled_back_at`, utils.py:114-121) and
    `prisma migrate resolve --applied <name>` (a new row, finished, no steps, the SQL never run:
    utils.py:123-131), and its next `migrate deploy` goes on with the rest."""
    failures = {}
    for name in names:
        result = _apply(server, (folder / "sql" / f"{name}.sql").read_bytes())
        if result.returncode == 0:
            _record(server, name, steps=1)
            continue
        failures[name] = result.stderr.decode().strip()
        _record(server, name, finished=False, logs=f"Database error: {failures[name]}", rolled_back=True)
        _record(server, name, steps=0)
    return failures


def _record(
    server, name: str, finished: bool = True, logs: str | None = None, rolled_back: bool = False, steps: int = 1
) -> None:
    quoted_logs = "NULL" if logs is None else "'" + logs.replace("'", "''") + "'"
    server.sql(
        "INSERT INTO litellm._prisma_migrations"
        " (id, checksum, migration_name, finished_at, logs, rolled_back_at, applied_steps_count)"
        f" VALUES (gen_random_uuid()::text, 'sum', '{name}', {'now()' if finished else 'NULL'},"
        f" {quoted_logs}, {'now()' if rolled_back else 'NULL'}, {steps})",
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


def _check(server, folder: Path, **env_overrides) -> subprocess.CompletedProcess:
    _, containers, secrets = _job(server)
    check = containers[CHECK_CONTAINER]
    environment = _environment(check, secrets, folder / "expected")
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
    assert re.search(r"@sha256:[0-9a-f]{64}$", containers[CHECK_CONTAINER]["image"])


def test_every_migration_applied_passes(table, image):
    assert _migrate(table, image, IMAGE_MIGRATIONS) == {}
    result = _check(table, image)
    assert result.returncode == 0, result.stderr
    assert "the schema holds what all 3 migrations of the image make" in result.stdout


def test_a_failed_migration_fails_the_job_with_prisma_s_log(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS[:2])
    _record(table, IMAGE_MIGRATIONS[2], finished=False, logs="ERROR: permission denied for schema litellm")
    result = _check(table, image)
    assert result.returncode == 1
    assert f"failed: {IMAGE_MIGRATIONS[2]}; not applied: none" in result.stderr
    assert "permission denied for schema litellm" in result.stderr


def test_a_migration_of_the_image_never_applied_fails_the_job(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS[:2])
    result = _check(table, image)
    assert result.returncode == 1
    assert f"not applied: {IMAGE_MIGRATIONS[2]}" in result.stderr


def test_a_migration_still_running_at_the_deadline_fails_the_job(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS[:2])
    _record(table, IMAGE_MIGRATIONS[2], finished=False)
    result = _check(table, image)
    assert result.returncode == 1 and f"not applied: {IMAGE_MIGRATIONS[2]}" in result.stderr


def test_a_migration_litellm_marked_applied_after_its_sql_failed_fails_the_job(table, image):
    """H1: the column was never added (the table belongs to another role: 42501), yet the ledger says applied."""
    _migrate(table, image, IMAGE_MIGRATIONS[:2])
    table.sql('ALTER TABLE litellm."LiteLLM_A" OWNER TO postgres', database="app")
    failures = _migrate(table, image, IMAGE_MIGRATIONS[2:])
    assert "must be owner of table LiteLLM_A" in failures[IMAGE_MIGRATIONS[2]]
    result = _check(table, image)
    assert result.returncode == 1, result.stdout
    assert "says all 3 migrations are applied, but the schema lacks what they make:" in result.stderr
    assert "column LiteLLM_A.prompt jsonb" in result.stderr
    assert f"prisma log of {IMAGE_MIGRATIONS[2]}: Database error:" in result.stderr
    assert "must be owner of table LiteLLM_A" in result.stderr


def test_a_column_of_another_type_than_the_migration_makes_fails_the_job(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS)
    table.sql('ALTER TABLE litellm."LiteLLM_B" ALTER COLUMN "n" DROP NOT NULL', database="app")
    result = _check(table, image)
    assert result.returncode == 1 and "column LiteLLM_B.n integer not null default 0" in result.stderr


def test_objects_beyond_the_image_s_migrations_pass(table, image):
    """A newer release's migrations (a canary's) leave more than this image makes: that is no failure."""
    _migrate(table, image, IMAGE_MIGRATIONS)
    table.sql('ALTER TABLE litellm."LiteLLM_A" ADD COLUMN "newer" TEXT; CREATE TABLE litellm."Newer" (x int)', "app")
    result = _check(table, image)
    assert result.returncode == 0, result.stderr


def test_the_check_waits_for_migrations_applied_while_it_runs(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS[:1])

    def migrate_later():
        time.sleep(1.5)
        _migrate(table, image, IMAGE_MIGRATIONS[1:])

    migrator = threading.Thread(target=migrate_later)
    migrator.start()
    started = time.monotonic()
    result = _check(table, image, MIGRATION_CHECK_TIMEOUT="30")
    migrator.join()
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 15


def test_no_migrations_table_fails_the_job(server, image):
    result = _check(server, image)
    assert result.returncode == 1
    assert 'cannot read "litellm"._prisma_migrations' in result.stderr


def test_a_wrong_password_fails_the_job(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS)
    wrong = f"postgresql://litellm:{quote('not-the-password', safe='')}@127.0.0.1:{table.port}/app"
    result = _check(table, image, MIGRATION_CHECK_URL=wrong)
    assert result.returncode == 1 and "password authentication failed" in result.stderr


def test_no_list_from_the_image_fails_the_job(table, tmp_path):
    result = _check(table, _image_folder(tmp_path, {}))
    assert result.returncode == 1 and "no list of the image's migrations" in result.stderr


def test_migration_sql_that_does_not_apply_to_an_empty_schema_fails_the_job(table, image):
    _migrate(table, image, IMAGE_MIGRATIONS)
    (image / "sql" / f"{IMAGE_MIGRATIONS[2]}.sql").write_text('ALTER TABLE "Nowhere" ADD COLUMN "x" TEXT;')
    result = _check(table, image)
    assert result.returncode == 1
    assert "cannot apply the image's migrations to a temporary schema" in result.stderr
    assert 'relation "Nowhere" does not exist' in result.stderr


@pytest.fixture(scope="module")
def release_migrations(tmp_path_factory) -> Path:
    """The migration SQL of the LiteLLM release the runtime tier installs (litellm-proxy-extras)."""
    source = runtime_site_packages() / "litellm_proxy_extras" / "migrations"
    found = {path.parent.name: path.read_bytes() for path in sorted(source.glob("*/migration.sql"))}
    assert len(found) > 30, f"no migrations of the release under {source}"
    return _image_folder(tmp_path_factory.mktemp("release"), found)


def test_a_healthy_upgrade_of_the_release_s_own_migrations_passes(table, release_migrations):
    names = (release_migrations / "expected").read_text().split()
    assert _migrate(table, release_migrations, names[:-5]) == {}  # the release before
    assert _migrate(table, release_migrations, names[-5:]) == {}  # the upgrade
    result = _check(table, release_migrations)
    assert result.returncode == 0, result.stderr
    assert f"the schema holds what all {len(names)} migrations of the image make" in result.stdout


def test_a_failed_migration_of_the_release_that_litellm_marked_applied_fails_the_job(table, release_migrations):
    """The real release's SQL: its migration adding `litellm_params` to the vector stores table fails (the
    table is not the migration user's: "must be owner", 42501); LiteLLM marks it applied and goes on."""
    names = (release_migrations / "expected").read_text().split()
    failing = "20250718125714_add_litellm_params_to_vector_stores"
    before = names[: names.index(failing)]
    assert _migrate(table, release_migrations, before) == {}
    table.sql('ALTER TABLE litellm."LiteLLM_ManagedVectorStoresTable" OWNER TO postgres', database="app")
    failures = _migrate(table, release_migrations, names[len(before) :])
    assert list(failures) == [failing]
    ledger = table.sql(
        "SELECT count(*) FILTER (WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL) FROM"
        f" litellm._prisma_migrations WHERE migration_name = '{failing}'",
        database="app",
    )
    assert ledger.strip() == "1"  # what the ledger-only gate accepted
    result = _check(table, release_migrations)
    assert result.returncode == 1, result.stdout
    assert "column LiteLLM_ManagedVectorStoresTable.litellm_params jsonb" in result.stderr


def _run_list_container(server, tmp_path, started: bool) -> tuple[subprocess.CompletedProcess, Path]:
    _, containers, _ = _job(server)
    listing = containers[LIST_CONTAINER]
    package = tmp_path / "site-packages" / "litellm_proxy_extras"
    for name, sql in SMALL.items():
        (package / "migrations" / name).mkdir(parents=True)
        (package / "migrations" / name / "migration.sql").write_text(sql)
    (package / "__init__.py").write_text("")
    (package / "migrations" / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (package / "schema.prisma").write_text("")
    shared = tmp_path / "shared"
    shared.mkdir()
    if started:
        (shared / "check-started").write_text("")
    environment = {
        "PYTHONPATH": str(package.parent),
        **{entry["name"]: entry["value"] for entry in listing["env"]},
        "MIGRATION_CHECK_EXPECTED": str(shared / "expected"),
        "MIGRATION_CHECK_TIMEOUT": "1",
        "MIGRATION_CHECK_INTERVAL": "0.2",
    }
    command = [sys.executable if part == "python" else part for part in listing["command"]]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False), shared


def test_the_list_container_copies_the_image_s_migrations(server, tmp_path):
    result, shared = _run_list_container(server, tmp_path, started=True)
    assert result.returncode == 0, result.stderr
    assert (shared / "expected").read_text().splitlines() == IMAGE_MIGRATIONS
    assert {path.stem: path.read_text() for path in (shared / "sql").iterdir()} == SMALL


def test_a_check_container_that_never_starts_fails_the_job(server, tmp_path):
    result, _ = _run_list_container(server, tmp_path, started=False)
    assert result.returncode == 1
    assert "container migration-check did not start within 1s" in result.stderr


def test_without_the_check_the_job_keeps_the_chart_s_defaults(server):
    manifests, containers, _ = _job(server, **{"litellm:migrationCheck": {"enabled": False}})
    assert set(containers) == {MIGRATION_CONTAINER}
    assert manifests.find("Job", "litellm-migrations")["spec"]["backoffLimit"] == 4
