# One image for the Airflow services and the govmon command: the locked environment plus the repo.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/govmon/.venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/govmon/.venv/bin:$PATH

WORKDIR /opt/govmon
COPY tools/bootstrap_uv.py tools/bootstrap_uv.py
RUN GOVMON_STATE_DIR=/opt/govmon/.govmon python tools/bootstrap_uv.py
COPY pyproject.toml uv.lock README.md ./
COPY govmon govmon
RUN .govmon/tools/uv sync --locked --no-dev --python /usr/local/bin/python3.11
COPY dags dags
COPY sql sql
COPY scenarios scenarios
COPY spiders spiders
COPY expectations expectations

RUN useradd --create-home --uid 50000 airflow && chown -R airflow /opt/govmon
USER airflow
