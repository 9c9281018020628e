#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests that need one and prints the
# line that points them at it:
#
#   eval "$(.ci/postgres.sh)"        # sets LINKROT_TEST_POSTGRES
#   .ci/postgres.sh stop             # stops the server it started
#
# When LINKROT_TEST_POSTGRES is already set, that server is used and
# nothing is started. Debian's postgresql package is installed if missing.
# PostgreSQL refuses to run as root, so the server runs as the postgres
# user, on 127.0.0.1 only, with its data in a fresh directory under /tmp.
# Everything but the export line goes to stderr, so eval sees only that.
set -euo pipefail

port=${LINKROT_TEST_PG_PORT:-55432}
state=${LINKROT_TEST_PG_STATE:-/tmp/linkrot-ci-postgres.dir} # remembers the data directory for "stop"

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = stop ]; then
  if [ -f "$state" ]; then
    dir=$(cat "$state")
    as_postgres "$(pgbin)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir" "$state"
  fi
  exit 0
fi

if [ -n "${LINKROT_TEST_POSTGRES:-}" ]; then
  echo "postgres.sh: using LINKROT_TEST_POSTGRES as set" >&2
  printf 'export LINKROT_TEST_POSTGRES=%q\n' "$LINKROT_TEST_POSTGRES"
  exit 0
fi

if ! pgbin >/dev/null; then
  echo "== installing postgresql (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
bin=$(pgbin)

# A server left running by an earlier call is stopped first: its port is
# the one we want.
if [ -f "$state" ]; then
  "$0" stop
fi

# Find a free port from $port on (nothing answering on it).
while "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1 ||
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  port=$((port + 1))
done

dir=$(mktemp -d /tmp/linkrot-pg.XXXXXX)
chown postgres: "$dir" 2>/dev/null || true
chmod 700 "$dir"
echo "$dir" >"$state"

as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
# fsync off: a CI database is thrown away, and durability costs seconds.
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >&2

psql=("$bin/psql" -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p "$port" -U postgres -d postgres)
as_postgres "${psql[@]}" -c "CREATE ROLE linkrot LOGIN PASSWORD 'linkrot'" >&2
as_postgres "${psql[@]}" -c "CREATE DATABASE linkrot_test OWNER linkrot" >&2

echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data (stop: .ci/postgres.sh stop)" >&2
echo "export LINKROT_TEST_POSTGRES=postgres://linkrot:linkrot@127.0.0.1:$port/linkrot_test?sslmode=disable"
