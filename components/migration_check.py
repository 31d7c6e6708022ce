"""A gate beside the chart's migration Job: the Job fails unless every migration of the image is applied.

The chart's container runs `litellm/proxy/prisma_migration.py`, which exits 0 whatever `prisma migrate
deploy` did (litellm 1.76.1 `proxy/prisma_migration.py` never calls `sys.exit`; litellm-proxy-extras
0.2.18 `utils.py` `setup_database` swallows every error but three and returns False), so the ArgoCD
PreSync / Helm pre-upgrade hook never blocks. Two containers join the Job's pod through the chart's
`migrationJob.extraContainers`:

- `list-migrations` (the proxy image) writes the names of the migrations the image ships
  (`litellm_proxy_extras/migrations/<name>/migration.sql`) into a shared emptyDir;
- `migration-check` (a PostgreSQL client image) polls Prisma's `_prisma_migrations` table until each
  of them has an applied row, and exits 1 with a report when the deadline passes first: a failed row
  (Prisma leaves `finished_at` empty and writes `logs`), an unapplied one, or no database at all.

With `migrationJob.backoffLimit: 0` that exit fails the Job, so the sync or the release fails, and
the pods keep running the previous version. The check cannot decide earlier than the deadline on a
failed row: LiteLLM resolves a failed migration as rolled back and retries it (utils.py, P3009).
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
import litellm_proxy_extras

folder = os.path.join(os.path.dirname(litellm_proxy_extras.__file__), "migrations")
names = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n, "migration.sql")))
target = os.environ["MIGRATION_CHECK_EXPECTED"]
with open(target + ".tmp", "w") as listing:
    listing.write("".join(name + "\\n" for name in names))
os.rename(target + ".tmp", target)
print(f"{len(names)} migrations in this image, the last {names[-1] if names else None}")
"""

# POSIX sh (busybox ash in the image, dash in the tests) and psql.
CHECK_MIGRATIONS = """\
set -u
deadline=$(( $(date +%s) + MIGRATION_CHECK_TIMEOUT ))
table="\\"$MIGRATION_CHECK_SCHEMA\\"._prisma_migrations"
query="SELECT migration_name, CASE
  WHEN bool_or(finished_at IS NOT NULL AND rolled_back_at IS NULL) THEN 'applied'
  WHEN bool_or(finished_at IS NULL AND rolled_back_at IS NULL AND logs IS NOT NULL) THEN 'failed'
  WHEN bool_or(finished_at IS NULL AND rolled_back_at IS NULL) THEN 'running'
  ELSE 'rolled-back' END FROM $table GROUP BY migration_name"
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
    if [ -z "$failed$pending" ]; then
      echo "migration check: all $(grep -c . "$MIGRATION_CHECK_EXPECTED") migrations of the image are applied"
      exit 0
    fi
    report="failed:${failed:- none}; not applied:${pending:- none}"
  else
    report="cannot read $table: $rows"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "migration check FAILED after ${MIGRATION_CHECK_TIMEOUT}s: $report" >&2
    for name in $failed; do
      psql "$MIGRATION_CHECK_URL" -XAtq -c "SELECT 'prisma log of $name: ' || left(logs, 2000) FROM $table
        WHERE migration_name = '$name' AND logs IS NOT NULL ORDER BY started_at DESC LIMIT 1" >&2
    done
    exit 1
  fi
  sleep "${MIGRATION_CHECK_INTERVAL:-5}"
done
"""


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
    database = settings.database
    return [
        {
            "name": LIST_CONTAINER,
            "image": f"{settings.image.repository}:{settings.image.tag}",
            "imagePullPolicy": settings.image.pull_policy,
            "command": ["python", "-c", LIST_MIGRATIONS],
            "env": [expected],
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
                {"name": "MIGRATION_CHECK_TIMEOUT", "value": str(check.timeout_seconds)},
                expected,
                {"name": "PGCONNECT_TIMEOUT", "value": "10"},
            ],
            "volumeMounts": mount,
            "resources": small,
            "securityContext": security_context,
        },
    ]


def migration_check_volumes() -> list[dict[str, Any]]:
    """The chart adds `volumes` to the Deployment's pods too, where this small emptyDir stays unused."""
    return [{"name": VOLUME, "emptyDir": {"sizeLimit": "1Mi"}}]
