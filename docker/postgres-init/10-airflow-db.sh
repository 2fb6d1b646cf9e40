#!/bin/bash
# Airflow's metadata lives in its own database beside govmon's.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "create database \"${AIRFLOW_DB:-airflow}\""
