"""Superset-side tasks, run with Superset's interpreter (``envs/superset/.venv/bin/python``)::

    python -m govmon.dashboards.superset_tasks setup  [--assets DIR] [--users] [--logins FILE]
    python -m govmon.dashboards.superset_tasks import [--assets DIR]
    python -m govmon.dashboards.superset_tasks access [--users] [--reset-passwords] [--logins FILE]
    python -m govmon.dashboards.superset_tasks export OUT_DIR [--assets DIR]

``setup`` does everything a fresh or upgraded Superset needs, in one process (Superset's app takes
seconds to start): migrate its metadata database and sync its permissions when the installed
Superset version changed, create or update the ``admin`` login, import ``dashboards/`` with the
database URI from the environment, then create the roles, row-level security filters and (with
``--users``) the viewer logins from ``registry.regions``. Everything is idempotent.

Environment (set by :func:`govmon.dashboards.settings.superset_env`, or by docker-compose.yml):
``SUPERSET_CONFIG_PATH``, ``SUPERSET_SECRET_KEY``, ``GOVMON_SUPERSET_HOME``,
``GOVMON_SUPERSET_DATABASE_URL`` (what the dashboards query), ``GOVMON_SUPERSET_ADMIN_PASSWORD``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import shutil
import sys
from pathlib import Path

from govmon.dashboards import access, assets

ASSETS_DIR = Path(__file__).resolve().parents[2] / "dashboards"


def _say(line: str) -> None:
    print(line, flush=True)


def _app():
    import logging

    logging.getLogger("superset").setLevel(logging.WARNING)
    from superset.app import create_app

    return create_app()


# ---- metadata database and admin -----------------------------------------------------------------

def upgrade_metadata(force: bool = False) -> bool:
    """``superset db upgrade`` + ``superset init`` when Superset's version differs from the last run."""
    import superset
    from flask import current_app

    home = Path(os.environ.get("GOVMON_SUPERSET_HOME", "."))
    stamp = home / "metadata-version"
    version = superset.__version__ if hasattr(superset, "__version__") else current_app.config.get("VERSION_STRING")
    key = f"{version} {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}"
    if not force and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == key:
        return False
    from flask_migrate import upgrade
    from superset import appbuilder, db, security_manager

    # A new SQLite metadata file starts as a copy of a freshly migrated one kept beside Superset's
    # environment (per Superset version): migrating from nothing takes ~20 s, copying none.
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite_file = Path(uri[len("sqlite:///"):]) if uri.startswith("sqlite:///") else None
    template = Path(sys.prefix) / f"govmon-superset-metadata-{version}.db"
    if sqlite_file is not None:
        from sqlalchemy import inspect

        fresh = "alembic_version" not in inspect(db.engine).get_table_names()  # never migrated
    else:
        fresh = False
    if fresh and template.exists() and not force:
        db.engine.dispose()
        shutil.copyfile(template, sqlite_file)
    else:
        upgrade()
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        db.session.commit()
        if fresh:
            db.engine.dispose()
            tmp = template.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(sqlite_file, tmp)
            os.replace(tmp, template)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(key + "\n", encoding="utf-8")
    return True


def ensure_admin(username: str = "admin", password: str | None = None):
    from superset import db, security_manager as sm

    password = password or os.environ["GOVMON_SUPERSET_ADMIN_PASSWORD"]
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, "govmon", "管理员", f"{username}@govmon.invalid", sm.find_role("Admin"),
                           password=password)
    else:
        from werkzeug.security import check_password_hash

        if not check_password_hash(user.password, password):
            sm.reset_password(user.id, password)
    db.session.commit()
    return sm.find_user(username=username)


# ---- assets ------------------------------------------------------------------------------------

def import_assets(assets_dir: Path, admin) -> dict[str, int]:
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.utils.core import override_user

    files = assets.load_tree(assets_dir)
    url = os.environ.get("GOVMON_SUPERSET_DATABASE_URL") or os.environ.get("GOVMON_DATABASE_URL")
    if not url:
        raise assets.AssetError("GOVMON_SUPERSET_DATABASE_URL / GOVMON_DATABASE_URL 未设置：看板不知道查询哪个数据库")
    rendered = assets.render(files, {**os.environ, "GOVMON_DATABASE_URL": assets.sqlalchemy_uri(url)})
    with override_user(admin):
        ImportAssetsCommand(assets.bundle(rendered)).run()
    _fix_filter_scopes([cfg["uuid"] for cfg in assets.by_kind(files, "dashboards").values()])
    return {kind: len(assets.by_kind(files, kind)) for kind in assets.ASSET_DIRS}


def _fix_filter_scopes(dashboard_uuids: list[str]) -> None:
    """Superset's import maps a native filter's ``scope.excluded`` to the new chart ids but leaves
    ``chartsInScope`` (which the dashboard applies filters by) with the exported ids: recompute it."""
    from superset import db
    from superset.models.dashboard import Dashboard

    for dashboard in db.session.query(Dashboard).filter(Dashboard.uuid.in_(dashboard_uuids)):
        meta = json.loads(dashboard.json_metadata or "{}")
        chart_ids = {s.id for s in dashboard.slices}
        for flt in meta.get("native_filter_configuration", []):
            excluded = set((flt.get("scope") or {}).get("excluded") or [])
            flt["chartsInScope"] = sorted(chart_ids - excluded)
        gcc = meta.get("global_chart_configuration")
        if isinstance(gcc, dict):
            excluded = set((gcc.get("scope") or {}).get("excluded") or [])
            gcc["chartsInScope"] = sorted(chart_ids - excluded)
        dashboard.json_metadata = json.dumps(meta, ensure_ascii=False)
    db.session.commit()


def govmon_database(assets_dir: Path):
    from superset import db
    from superset.models.core import Database

    uuids = [cfg["uuid"] for cfg in assets.by_kind(assets.load_tree(assets_dir), "databases").values()]
    found = db.session.query(Database).filter(Database.uuid.in_(uuids)).all()
    if not found:
        raise RuntimeError("govmon 数据库尚未导入 Superset：先运行 import")
    return found[0]


def export_assets(out_dir: Path, assets_dir: Path, admin) -> list[str]:
    """Export the govmon dashboards (with their charts, datasets and database) into ``out_dir``."""
    from superset import db
    from superset.commands.dashboard.export import ExportDashboardsCommand
    from superset.models.dashboard import Dashboard
    from superset.utils.core import override_user

    current = assets.load_tree(assets_dir) if (assets_dir / "metadata.yaml").exists() else {"metadata.yaml": {}}
    existing = {cfg["uuid"]: path for path, cfg in current.items() if path != "metadata.yaml"}
    uuids = [cfg["uuid"] for cfg in assets.by_kind(current, "dashboards").values()]
    dashboards = db.session.query(Dashboard).all()
    ids = [d.id for d in dashboards if str(d.uuid) in uuids or (d.slug or "").startswith("govmon")]
    exported: dict[str, str] = {}
    with override_user(admin):
        for name, content in ExportDashboardsCommand(ids).run():
            exported[name] = content() if callable(content) else content
    tree = assets.normalize_export(exported, existing)
    assets.write_tree(tree, out_dir)
    return sorted(tree)


# ---- roles, row-level security, logins ------------------------------------------------------------

def read_regions(url: str) -> list[access.Region]:
    import psycopg2

    conn = psycopg2.connect(url, application_name="govmon-superset")
    try:
        with conn.cursor() as cur:
            cur.execute("select region_code, name, level, parent_code from registry.regions "
                        "where removed_at is null order by region_code")
            return [access.Region(*row) for row in cur.fetchall()]
    finally:
        conn.close()


def _random_password() -> str:
    return secrets.token_urlsafe(9)


def apply_access(assets_dir: Path, regions: list[access.Region], *, users: bool, reset_passwords: bool = False,
                 logins: Path | None = None) -> dict[str, int]:
    """Level roles, region roles, RLS filters on every govmon dataset and (optionally) viewer logins."""
    from superset import db, security_manager as sm
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.utils.core import RowLevelSecurityFilterType

    database = govmon_database(assets_dir)
    tables = db.session.query(SqlaTable).filter(SqlaTable.database_id == database.id).all()
    plan = access.plan(regions)

    # level roles: Gamma's permissions (what a logged-in non-admin user may do), drill to detail and
    # filter values (both row-level filtered), and read on the govmon datasets
    gamma = sm.find_role("Gamma")
    dataset_perms = [pvm for pvm in (sm.find_permission_view_menu(p, v) for p, v in access.VIEWER_EXTRA_PERMISSIONS) if pvm]
    for table in tables:
        pvm = sm.find_permission_view_menu("datasource_access", table.perm)
        if pvm is None:
            sm.add_permission_view_menu("datasource_access", table.perm)
            pvm = sm.find_permission_view_menu("datasource_access", table.perm)
        dataset_perms.append(pvm)
    for level_role in access.LEVEL_ROLES.values():
        role = sm.find_role(level_role) or sm.add_role(level_role)
        role.permissions = list({p.id: p for p in [*gamma.permissions, *dataset_perms]}.values())

    # region roles and their filters
    wanted = {}
    for item in plan:
        role = sm.find_role(item.role) or sm.add_role(item.role)
        role.permissions = []
        wanted[item.filter_name] = item
        flt = db.session.query(RowLevelSecurityFilter).filter_by(name=item.filter_name).one_or_none()
        if flt is None:
            flt = RowLevelSecurityFilter(name=item.filter_name)
            db.session.add(flt)
        flt.filter_type = RowLevelSecurityFilterType.REGULAR
        flt.clause = item.clause
        flt.group_key = access.RLS_GROUP_KEY
        flt.description = item.description
        flt.tables = list(tables)
        flt.roles = [role]
    # filters of regions no longer in the registry: gone (their viewers are deactivated below)
    for flt in db.session.query(RowLevelSecurityFilter).filter(RowLevelSecurityFilter.group_key == access.RLS_GROUP_KEY):
        if flt.name not in wanted:
            db.session.delete(flt)

    base = db.session.query(RowLevelSecurityFilter).filter_by(name=access.BASE_FILTER_NAME).one_or_none()
    if base is None:
        base = RowLevelSecurityFilter(name=access.BASE_FILTER_NAME)
        db.session.add(base)
    base.filter_type = RowLevelSecurityFilterType.BASE
    base.clause = access.BASE_FILTER_CLAUSE
    base.description = "没有区划角色的用户看不到任何行（Admin 和各区划角色除外）"
    base.tables = list(tables)
    base.roles = [r for r in (sm.find_role(n) for n in [*access.UNFILTERED_ROLES, *(i.role for i in plan)]) if r]
    db.session.commit()

    counts = {"regions": len(plan), "datasets": len(tables), "users_created": 0, "users_updated": 0,
              "users_deactivated": 0}
    if not users:
        return counts

    known = _read_logins(logins) if logins else {}
    for item in plan:
        roles = [sm.find_role(item.level_role), sm.find_role(item.role)]
        user = sm.find_user(username=item.username)
        password = None
        if user is None:
            password = _random_password()
            sm.add_user(item.username, item.region.name, access.LEVEL_LABELS[item.region.level] + "查看",
                        f"{item.username}@govmon.invalid", roles, password=password)
            counts["users_created"] += 1
        else:
            user.roles = roles
            user.first_name = item.region.name
            user.active = True
            if reset_passwords:
                password = _random_password()
                sm.reset_password(user.id, password)
            counts["users_updated"] += 1
        if password:
            known[item.username] = {"用户名": item.username, "密码": password, "角色": f"{item.level_role}；{item.role}",
                                    "行政区划代码": item.region.code, "名称": item.region.name}
        elif item.username in known:
            known[item.username].update({"角色": f"{item.level_role}；{item.role}", "名称": item.region.name})
    planned = {i.username for i in plan}
    from flask_appbuilder.security.sqla.models import User

    for user in db.session.query(User).filter(User.username.like("viewer\\_%", escape="\\")):
        if user.username not in planned and user.active:
            user.active = False
            counts["users_deactivated"] += 1
    db.session.commit()
    if logins:
        _write_logins(logins, {k: v for k, v in known.items() if k in planned})
    return counts


LOGIN_FIELDS = ["用户名", "密码", "角色", "行政区划代码", "名称"]


def _read_logins(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["用户名"]: row for row in csv.DictReader(fh)}


def _write_logins(path: Path, rows: dict[str, dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=LOGIN_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for key in sorted(rows, key=lambda k: rows[k].get("行政区划代码", "")):
        writer.writerow(rows[key])
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, path)


# ---- command line --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="superset_tasks")
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("setup", "import", "access", "export"):
        p = sub.add_parser(name)
        p.add_argument("--assets", type=Path, default=ASSETS_DIR)
        if name == "export":
            p.add_argument("out", type=Path)
        if name in ("setup", "access"):
            p.add_argument("--users", action="store_true", help="create or update one viewer login per region")
            p.add_argument("--reset-passwords", action="store_true")
            p.add_argument("--logins", type=Path, help="CSV to record new viewer passwords in (mode 0600)")
            p.add_argument("--skip-access", action="store_true", help=argparse.SUPPRESS)
        if name == "setup":
            p.add_argument("--force-upgrade", action="store_true")
    args = parser.parse_args(argv)

    app = _app()
    with app.app_context():
        result: dict = {}
        if args.cmd == "setup":
            result["upgraded"] = upgrade_metadata(force=args.force_upgrade)
        admin = ensure_admin()
        if args.cmd in ("setup", "import"):
            result["imported"] = import_assets(args.assets, admin)
        if args.cmd in ("setup", "access") and not getattr(args, "skip_access", False):
            url = os.environ.get("GOVMON_DATABASE_URL") or os.environ["GOVMON_SUPERSET_DATABASE_URL"]
            regions = read_regions(url)
            result["access"] = apply_access(args.assets, regions, users=args.users,
                                            reset_passwords=args.reset_passwords, logins=args.logins)
        if args.cmd == "export":
            result["exported"] = export_assets(args.out, args.assets, admin)
    _say(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
