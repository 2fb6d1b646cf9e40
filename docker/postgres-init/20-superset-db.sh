#!/bin/bash
# Superset's metadata (dashboards, users, roles, row-level security) in its own database.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "create database \"${SUPERSET_DB:-superset}\""
