"""A gate beside the chart's migration Job: the Job fails unless the live schema holds what every migration
of the image makes.

The chart's container runs `litellm/proxy/prisma_migration.py`, which exits 0 whatever `prisma migrate
deploy` did (litellm 1.76.1 `proxy/prisma_migration.py` never calls `sys.exit`; litellm-proxy-extras
0.2.18 `utils.py` `setup_database` swallows every error but three and returns False), so the ArgoCD
PreSync / Helm pre-upgrade hook never blocks. Nor can Prisma's ledger tell: on any P3018 ("a migration
failed to apply", whatever the SQL error) LiteLLM marks the migration rolled back and then applied
without running it (utils.py:312-334, `_roll_back_migration` and `_resolve_specific_migration` at
114-131), and on P3005 it marks every migration applied after a diff it may have failed to apply
(utils.py:133-230, the failure only logged at 207-208). Two containers join the Job's pod through the
chart's `migrationJob.extraContainers`:

- `list-migrations` (the proxy image, so no other image to trust) copies the migration SQL the image
  ships (`litellm_proxy_extras/migrations/<name>/migration.sql`) and their names into a shared emptyDir,
  then waits for `migration-check` to start: a check whose image never runs fails the Job by this
  container's exit instead of holding the sync forever;
- `migration-check` (a PostgreSQL client image, pinned by digest) polls `_prisma_migrations` until each
  migration has an applied row (Prisma's own progress: the migration runs beside it), then checks the
  schema itself: it describes the live schema's tables, columns (type, nullability, default), indexes,
  constraints and enum labels, applies the image's migration SQL in order to its session's temporary
  schema (`pg_temp`: no privilege beyond the default TEMP, nothing left behind), describes that, and
  fails on any object the migrations make that the live schema lacks or defines otherwise. Objects the
  live schema has beyond them (a newer release's columns) pass. A deadline bounds both: the check exits
  1 with a report when it passes first, and with `migrationJob.backoffLimit: 0` that fails the Job, so
  the sync or the release fails and the pods keep running the previous version.
"""

from typing import Any

from components.settings import Settings

VOLUME = "migration-check"
MOUNT_PATH = "/migration-check"
EXPECTED_FILE = f"{MOUNT_PATH}/expected"
LIST_CONTAINER = "list-migrations"
CHECK_CONTAINER = "migration-check"

LIST_MIGRATIONS = """\
import os
import shutil
import sys
import time

import litellm_proxy_extras

folder = os.path.join(os.path.dirname(litellm_proxy_extras.__file__), "migrations")
names = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n, "migration.sql")))
target = os.environ["MIGRATION_CHECK_EXPECTED"]
shared = os.path.dirname(target)
os.makedirs(os.path.join(shared, "sql"), exist_ok=True)
for name in names:
    shutil.copyfile(os.path.join(folder, name, "migration.sql"), os.path.join(shared, "sql", name + ".sql"))
with open(target + ".tmp", "w") as listing:
    listing.write("".join(name + "\\n" for name in names))
os.rename(target + ".tmp", target)
print(f"{len(names)} migrations in this image, the last {names[-1] if names else None}")
seconds = int(os.environ["MIGRATION_CHECK_TIMEOUT"])
deadline = time.monotonic() + seconds
while not os.path.exists(os.path.join(shared, "check-started")):
    if time.monotonic() > deadline:
        print(f"migration check FAILED: container migration-check did not start within {seconds}s"
              " (its image cannot be pulled?)", file=sys.stderr)
        sys.exit(1)
    time.sleep(float(os.environ.get("MIGRATION_CHECK_INTERVAL", "5")))
"""

# One line per object of the schema first in search_path, spelled as that search_path shows it (so the
# live schema and pg_temp compare equal): tables, columns, indexes, constraints, enum labels.
SCHEMA_CATALOG = """\
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()),
rel AS (SELECT c.oid, c.relname FROM pg_class c JOIN ns ON c.relnamespace = ns.oid
        WHERE c.relkind IN ('r', 'p') AND c.relname <> 'migration_check_live')
SELECT 'table ' || relname AS entry FROM rel
UNION ALL
SELECT 'column ' || rel.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'index ' || rel.relname || ' ' || regexp_replace(pg_get_indexdef(i.indexrelid), ' ON \\S+ USING ', ' USING ')
FROM rel JOIN pg_index i ON i.indrelid = rel.oid
UNION ALL
SELECT 'constraint ' || rel.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
FROM rel JOIN pg_constraint con ON con.conrelid = rel.oid
UNION ALL
SELECT 'enum ' || t.typname || ' ' || e.enumlabel
FROM ns JOIN pg_type t ON t.typnamespace = ns.oid JOIN pg_enum e ON e.enumtypid = t.oid"""

# POSIX sh (busybox ash in the image, dash in the tests) and psql. Kubernetes expands `$(NAME)` in a
# command only for the names of the container's env, which nothing here spells that way.
CHECK_MIGRATIONS = (
    """\
set -u
workdir=$(dirname "$MIGRATION_CHECK_EXPECTED")
: > "$workdir/check-started"
deadline=$(( $(date +%s) + MIGRATION_CHECK_TIMEOUT ))
table="\\"$MIGRATION_CHECK_SCHEMA\\"._prisma_migrations"
query="SELECT migration_name, CASE
  WHEN bool_or(finished_at IS NOT NULL AND rolled_back_at IS NULL) THEN 'applied'
  WHEN bool_or(finished_at IS NULL AND rolled_back_at IS NULL AND logs IS NOT NULL) THEN 'failed'
  WHEN bool_or(finished_at IS NULL AND rolled_back_at IS NULL) THEN 'running'
  ELSE 'rolled-back' END FROM $table GROUP BY migration_name"
catalog=$(cat <<'CATALOG'
"""
    + SCHEMA_CATALOG
    + """
CATALOG
)
missing_objects() {
  {
    echo "SET client_min_messages TO warning;"
    printf 'SET search_path TO "%s";\\n' "$MIGRATION_CHECK_SCHEMA"
    printf 'CREATE TEMP TABLE migration_check_live AS %s;\\n' "$catalog"
    echo "SET search_path TO pg_temp;"
    while IFS= read -r name; do
      [ -z "$name" ] || printf '\\\\i %s/sql/%s.sql\\n' "$workdir" "$name"
    done < "$MIGRATION_CHECK_EXPECTED"
    printf 'SELECT entry FROM (%s) AS made EXCEPT SELECT entry FROM migration_check_live ORDER BY 1;\\n' "$catalog"
  } | psql "$MIGRATION_CHECK_URL" -XAtq -v ON_ERROR_STOP=1 -f - 2>&1
}
while :; do
  failed=""
  if [ ! -s "$MIGRATION_CHECK_EXPECTED" ]; then
    report="no list of the image's migrations (container list-migrations)"
  elif rows=$(psql "$MIGRATION_CHECK_URL" -XAtq -v ON_ERROR_STOP=1 -c "$query" 2>&1); then
    pending=""
    while IFS= read -r name; do
      [ -n "$name" ] || continue
      state=$(printf '%s\\n' "$rows" | awk -F'|' -v name="$name" '$1 == name { print $2 }')
      case "$state" in
        applied) ;;
        failed) failed="$failed $name" ;;
        *) pending="$pending $name" ;;
      esac
    done < "$MIGRATION_CHECK_EXPECTED"
    count=$(grep -c . "$MIGRATION_CHECK_EXPECTED")
    if [ -n "$failed$pending" ]; then
      report="failed:${failed:- none}; not applied:${pending:- none}"
    elif missing=$(missing_objects); then
      if [ -z "$missing" ]; then
        echo "migration check: the schema holds what all $count migrations of the image make"
        exit 0
      fi
      report="$table says all $count migrations are applied, but the schema lacks what they make:
$missing"
    else
      report="cannot apply the image's migrations to a temporary schema to compare: $missing"
    fi
  else
    report="cannot read $table: $rows"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "migration check FAILED after ${MIGRATION_CHECK_TIMEOUT}s: $report" >&2
    psql "$MIGRATION_CHECK_URL" -XAtq -c "SELECT DISTINCT ON (migration_name)
      'prisma log of ' || migration_name || ': ' || left(logs, 2000) FROM $table
      WHERE logs IS NOT NULL ORDER BY migration_name, started_at DESC" >&2 2>/dev/null
    exit 1
  fi
  sleep "${MIGRATION_CHECK_INTERVAL:-5}"
done
"""
)


def _database_url(settings: Settings) -> str:
    """libpq's URI for the same database as DATABASE_URL, without Prisma's `schema` parameter (libpq
    rejects it). The credentials come percent-encoded from the Secret, which libpq decodes."""
    database = settings.database
    host = f"[{database.host}]" if ":" in database.host else database.host
    query = f"?sslmode={database.ssl_mode}" if database.ssl_mode else ""
    return f"postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@{host}:{database.port}/{database.name}{query}"


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def migration_check_containers(settings: Settings, security_context: dict[str, Any]) -> list[dict[str, Any]]:
    check = settings.migration_check
    mount = [{"name": VOLUME, "mountPath": MOUNT_PATH}]
    small = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}
    expected = {"name": "MIGRATION_CHECK_EXPECTED", "value": EXPECTED_FILE}
    timeout = {"name": "MIGRATION_CHECK_TIMEOUT", "value": str(check.timeout_seconds)}
    database = settings.database
    return [
        {
            "name": LIST_CONTAINER,
            "image": f"{settings.image.repository}:{settings.image.tag}",
            "imagePullPolicy": settings.image.pull_policy,
            "command": ["python", "-c", LIST_MIGRATIONS],
            "env": [expected, timeout],
            "volumeMounts": mount,
            "resources": small,
            "securityContext": security_context,
        },
        {
            "name": CHECK_CONTAINER,
            "image": check.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c", CHECK_MIGRATIONS],
            "env": [
                _secret_env("DATABASE_USERNAME", database.secret_name, database.username_key),
                _secret_env("DATABASE_PASSWORD", database.secret_name, database.password_key),
                {"name": "MIGRATION_CHECK_URL", "value": _database_url(settings)},
                {"name": "MIGRATION_CHECK_SCHEMA", "value": database.schema_},
                timeout,
                expected,
                {"name": "PGCONNECT_TIMEOUT", "value": "10"},
            ],
            "volumeMounts": mount,
            "resources": small,
            "securityContext": security_context,
        },
    ]


def migration_check_volumes() -> list[dict[str, Any]]:
    """The chart adds `volumes` to the Deployment's pods too, where this small emptyDir stays unused. It
    holds the image's migration SQL (31 KB in 1.76.1)."""
    return [{"name": VOLUME, "emptyDir": {"sizeLimit": "8Mi"}}]
