#!/usr/bin/env bash
# Install (if missing) and start PostgreSQL on 127.0.0.1:5432 with a role and database for agentcore's tests.
# Idempotent. URL: postgresql://agentcore:agentcore@127.0.0.1:5432/agentcore_test
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='agentcore'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role agentcore login superuser password 'agentcore'\""
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='agentcore_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O agentcore agentcore_test"
echo "postgres: postgresql://agentcore:agentcore@127.0.0.1:5432/agentcore_test"
