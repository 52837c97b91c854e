#!/bin/bash
# Creates the role and the database the application uses. The official postgres image runs
# this once, from /docker-entrypoint-initdb.d, the first time it starts on an empty data
# volume (a volume that already holds a cluster is left as it is).
#
# Row-level security binds only roles that are neither superuser nor BYPASSRLS, and the
# image makes POSTGRES_USER a superuser: so the application never connects as POSTGRES_USER,
# but as `smarketing`, created here with APP_DB_PASSWORD. It owns its database, so it can
# run the migrations; the tables it creates force row-level security on their owner too.
#
# Safe to source as well as to execute: no `exit`, no `set -u` (the entrypoint sources
# scripts that are not executable).
set -e

: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set for the application role}"

# The password goes in as a psql variable, quoted by psql (:'app_password'), never pasted
# into the SQL text by the shell.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE smarketing LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE smarketing OWNER smarketing ENCODING 'UTF8';
REVOKE ALL ON DATABASE smarketing FROM PUBLIC;
SQL
