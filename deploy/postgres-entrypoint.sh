#!/bin/sh
# Entry point of deploy/Dockerfile.postgres: on the first start (an empty $PGDATA) creates
# the cluster with a password-protected superuser `postgres` and the role and database
# Bulletin's content service uses (both named $POSTGRES_DB, default bulletin, the role owning
# the database), then runs PostgreSQL in the foreground listening on every address with
# scram-sha-256 passwords required. Later starts only run PostgreSQL. The password comes
# from POSTGRES_PASSWORD or, better, POSTGRES_PASSWORD_FILE (a mounted Secret).
set -eu
BIN=/usr/lib/postgresql/15/bin
PGDATA=${PGDATA:-/var/lib/postgresql/data}
DB=${POSTGRES_DB:-bulletin}
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE" >&2
    exit 1
  fi
  case "$DB" in
    *[!a-z0-9_]* | "") echo "postgres-entrypoint: POSTGRES_DB must be [a-z0-9_]+" >&2; exit 1 ;;
  esac
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' \
    >>"$PGDATA/pg_hba.conf"
  # The role's password as an SQL literal (quotes doubled), through single-user mode: no
  # server listens yet, and no password reaches a command line.
  # One statement a line (CREATE DATABASE cannot share a transaction).
  case "$POSTGRES_PASSWORD" in
    *"
"*) echo "postgres-entrypoint: the password must be one line" >&2; exit 1 ;;
  esac
  literal=$(printf '%s' "$POSTGRES_PASSWORD" | sed "s/'/''/g")
  printf "CREATE ROLE %s LOGIN PASSWORD '%s';\nCREATE DATABASE %s OWNER %s;\n" \
    "$DB" "$literal" "$DB" "$DB" |
    "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null
  echo "postgres-entrypoint: created the cluster, role and database $DB"
fi
# pg_prewarm's autoprewarm: the pages cached at shutdown (search documents, mostly) are read
# back after a start (docs/operations.md). Arguments given to the container come after, so
# a `-c` there wins.
exec "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp \
  -c shared_preload_libraries=pg_prewarm "$@"
