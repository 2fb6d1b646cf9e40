"""Superset dashboards for city and county viewers, with row-level security by 行政区划代码.

Superset runs in its own locked environment (``envs/superset``: it pins SQLAlchemy < 2 and
pandas < 2.2), so this package is split by where its modules run:

- main environment (``govmon dashboards …``): :mod:`settings`, :mod:`server` (install the
  environment, start and stop Superset on 127.0.0.1), :mod:`client` (Superset's REST API as a
  given user), :mod:`browser` (headless Chromium), :mod:`commands`, :mod:`demo`;
- Superset's environment: :mod:`superset_config` (Superset's config module) and
  :mod:`superset_tasks` (metadata upgrade, asset import and export, roles, RLS and users);
- both (standard library and PyYAML only): :mod:`assets` (the ``dashboards/`` tree) and
  :mod:`access` (who may see which rows).
"""
