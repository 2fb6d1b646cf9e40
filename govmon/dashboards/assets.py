"""The ``dashboards/`` tree: Superset's asset export, unzipped, with stable UUIDs and no credentials.

Layout (Superset's own export format, ``version: 1.0.0``)::

    dashboards/metadata.yaml                  type: assets
    dashboards/databases/govmon.yaml          sqlalchemy_uri: '{{ env["GOVMON_DATABASE_URL"] }}'
    dashboards/datasets/govmon/<view>.yaml    one per marts.* / verdicts.* relation
    dashboards/charts/<key>.yaml
    dashboards/dashboards/<slug>.yaml

Strings may hold ``{{ env["NAME"] }}`` (the preset-cli ``sync native --load-env`` syntax): they are
filled from the environment when the bundle is built for import, so the database URI (with its
password) never sits in git. :func:`normalize_export` turns a fresh Superset export back into this
tree: files keep their names (matched by UUID), instance-local ids are dropped or made stable, and
the URI becomes the template again.

Standard library and PyYAML only: used in the main environment (tests, ``govmon dashboards``) and
inside Superset's environment (import, export).
"""

from __future__ import annotations

import copy
import json
import re
import uuid as uuidlib
from collections.abc import Mapping
from pathlib import Path

import yaml

from govmon.dashboards.access import RLS_COLUMNS

ASSET_DIRS = ("databases", "datasets", "charts", "dashboards")
DATABASE_URI_TEMPLATE = '{{ env["GOVMON_DATABASE_URL"] }}'
_ENV_REF = re.compile(r"\{\{\s*env\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]\s*\}\}")
_ALLOWED_SCHEMAS = ("marts", "verdicts")


class AssetError(ValueError):
    pass


# ---- reading -------------------------------------------------------------------------------------

def load_tree(root: Path) -> dict[str, dict]:
    """Every YAML file of the tree, parsed, keyed by its path relative to ``root`` (posix)."""
    root = Path(root)
    files = {}
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        if rel != "metadata.yaml" and rel.split("/", 1)[0] not in ASSET_DIRS:
            continue
        files[rel] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "metadata.yaml" not in files:
        raise AssetError(f"{root}: metadata.yaml is missing (not a Superset asset export)")
    return files


def by_kind(files: Mapping[str, dict], kind: str) -> dict[str, dict]:
    return {k: v for k, v in files.items() if k.startswith(kind + "/")}


def env_refs(files: Mapping[str, dict]) -> set[str]:
    """The environment variables the tree's templates name."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.update(_ENV_REF.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(dict(files))
    return found


def render(files: Mapping[str, dict], env: Mapping[str, str]) -> dict[str, dict]:
    """A copy with every ``{{ env["NAME"] }}`` filled in; a name missing from ``env`` is an error."""
    missing = sorted(n for n in env_refs(files) if not env.get(n))
    if missing:
        raise AssetError("导入看板需要这些环境变量：" + "、".join(missing))

    def walk(value):
        if isinstance(value, str):
            return _ENV_REF.sub(lambda m: env[m.group(1)], value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return {k: walk(v) for k, v in files.items()}


def sqlalchemy_uri(libpq_url: str) -> str:
    """A libpq URL (``postgresql://…``, ``postgres://…``) as SQLAlchemy 1.4 + psycopg2 spells it."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if libpq_url.startswith(prefix):
            return "postgresql+psycopg2://" + libpq_url[len(prefix):]
    raise AssetError(f"不是 PostgreSQL 连接串：{libpq_url.split('@')[-1]}")


def bundle(files: Mapping[str, dict]) -> dict[str, str]:
    """The ``contents`` Superset's ImportAssetsCommand takes: path → YAML text."""
    return {k: yaml.safe_dump(v, allow_unicode=True, sort_keys=False) for k, v in files.items()}


# ---- checks (also run by tests/dashboards/test_assets.py) ----------------------------------------

def problems(files: Mapping[str, dict]) -> list[str]:
    """What would make the tree fail to import, leak a secret or escape the reporting layer."""
    out: list[str] = []
    seen: dict[str, str] = {}
    for path, cfg in files.items():
        if path == "metadata.yaml":
            if cfg.get("version") != "1.0.0" or cfg.get("type") != "assets":
                out.append(f"{path}: should be version 1.0.0, type assets")
            continue
        if cfg.get("version") != "1.0.0":
            out.append(f"{path}: version should be 1.0.0")
        uid = str(cfg.get("uuid", ""))
        try:
            uuidlib.UUID(uid)
        except ValueError:
            out.append(f"{path}: uuid “{uid}” is not a UUID")
        if uid in seen:
            out.append(f"{path}: uuid {uid} also in {seen[uid]}")
        seen[uid] = path

    databases = {v["uuid"]: k for k, v in by_kind(files, "databases").items()}
    datasets = {v["uuid"]: k for k, v in by_kind(files, "datasets").items()}
    charts = {v["uuid"]: k for k, v in by_kind(files, "charts").items()}
    for path, cfg in by_kind(files, "databases").items():
        uri = str(cfg.get("sqlalchemy_uri", ""))
        if uri != DATABASE_URI_TEMPLATE:
            out.append(f"{path}: sqlalchemy_uri must be the template {DATABASE_URI_TEMPLATE} (no credentials in git)")
        if cfg.get("password") or "password" in json.dumps(cfg.get("extra") or {}).lower():
            out.append(f"{path}: holds a password")
    for path, cfg in by_kind(files, "datasets").items():
        if cfg.get("database_uuid") not in databases:
            out.append(f"{path}: database_uuid {cfg.get('database_uuid')} is not in databases/")
        if cfg.get("schema") not in _ALLOWED_SCHEMAS:
            out.append(f"{path}: schema {cfg.get('schema')!r}: datasets read marts.* and verdicts.* only")
        if cfg.get("sql"):
            out.append(f"{path}: a virtual (SQL) dataset; point datasets at a marts/verdicts relation instead")
        names = {c["column_name"] for c in cfg.get("columns", [])}
        for col in RLS_COLUMNS:
            if col not in names:
                out.append(f"{path}: no {col} column: row-level security cannot filter it")
    for path, cfg in by_kind(files, "charts").items():
        if cfg.get("dataset_uuid") not in datasets:
            out.append(f"{path}: dataset_uuid {cfg.get('dataset_uuid')} is not in datasets/")
        if not cfg.get("query_context"):
            out.append(f"{path}: no query_context (open the chart in Superset once, then export)")
    for path, cfg in by_kind(files, "dashboards").items():
        for node in (cfg.get("position") or {}).values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                if node["meta"].get("uuid") not in charts:
                    out.append(f"{path}: chart {node['meta'].get('uuid')} is not in charts/")
        for flt in (cfg.get("metadata") or {}).get("native_filter_configuration", []):
            for target in flt.get("targets", []):
                if "datasetUuid" in target and target["datasetUuid"] not in datasets:
                    out.append(f"{path}: filter {flt.get('name')}: dataset {target['datasetUuid']} is not in datasets/")
    text = json.dumps(files, ensure_ascii=False)
    if re.search(r"postgres(?:ql)?(?:\+\w+)?://[^\"'{\s]*:[^\"'@\s]+@", text):
        out.append("a connection string with a password is in the tree")
    return out


def dashboard_charts(cfg: dict) -> list[str]:
    """A dashboard's chart UUIDs in layout order."""
    position = cfg.get("position") or {}
    order: list[str] = []

    def visit(node_id: str) -> None:
        node = position.get(node_id)
        if not isinstance(node, dict):
            return
        if node.get("type") == "CHART":
            order.append(node["meta"]["uuid"])
        for child in node.get("children", []):
            visit(child)

    visit("ROOT_ID")
    return order


# ---- export normalisation ------------------------------------------------------------------------

def stable_chart_id(chart_uuid: str) -> int:
    """The ``chartId`` a dashboard file uses for a chart: derived from its UUID, the same on every
    export (import maps it to the instance's id by UUID)."""
    return int(uuidlib.UUID(chart_uuid).hex[:7], 16)


def _file_name(kind: str, cfg: dict, existing: Mapping[str, str]) -> str:
    if cfg["uuid"] in existing:
        return existing[cfg["uuid"]]
    stem = {
        "databases": lambda c: c.get("database_name", ""),
        "datasets": lambda c: c.get("table_name", ""),
        "charts": lambda c: "",
        "dashboards": lambda c: c.get("slug") or "",
    }[kind](cfg)
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_") or f"{kind[:-1]}_{cfg['uuid'][:8]}"
    if kind == "datasets":
        return f"datasets/{cfg.get('_database_name', 'govmon')}/{stem}.yaml"
    return f"{kind}/{stem}.yaml"


def normalize_export(exported: Mapping[str, str], existing: Mapping[str, str]) -> dict[str, dict]:
    """A Superset export (path → YAML text, paths under one root folder) as this tree.

    ``existing`` maps UUID → path of the files already in the tree, so names stay put.
    """
    parsed: dict[str, tuple[str, dict]] = {}
    for name, text in exported.items():
        parts = name.split("/", 1)
        rel = parts[1] if len(parts) == 2 and parts[0] not in ASSET_DIRS and parts[0] != "metadata.yaml" else name
        parsed[rel] = (rel.split("/", 1)[0] if "/" in rel else rel, yaml.safe_load(text))
    db_names = {cfg["uuid"]: cfg.get("database_name") for kind, cfg in parsed.values() if kind == "databases"}
    chart_ids: dict[int, int] = {}
    for kind, cfg in parsed.values():
        if kind == "dashboards":
            for node in (cfg.get("position") or {}).values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    chart_ids[node["meta"]["chartId"]] = stable_chart_id(node["meta"]["uuid"])
    if len(set(chart_ids.values())) != len(chart_ids):
        raise AssetError("two charts map to the same stable chartId; give one a new uuid")

    out: dict[str, dict] = {"metadata.yaml": {"version": "1.0.0", "type": "assets"}}
    for rel, (kind, cfg) in sorted(parsed.items()):
        if kind not in ASSET_DIRS:
            continue
        cfg = copy.deepcopy(cfg)
        if kind == "databases":
            cfg["sqlalchemy_uri"] = DATABASE_URI_TEMPLATE
            cfg.pop("password", None)
        elif kind == "datasets":
            cfg["_database_name"] = db_names.get(cfg.get("database_uuid"), "govmon")
        elif kind == "charts":
            _normalize_chart(cfg)
        elif kind == "dashboards":
            _normalize_dashboard(cfg, chart_ids)
        name = _file_name(kind, cfg, existing)
        cfg.pop("_database_name", None)
        out[name] = cfg
    return out


_INSTANCE_KEYS = ("slice_id", "dashboards", "datasource", "dashboardId")


def _normalize_chart(cfg: dict) -> None:
    params = cfg.get("params") or {}
    for key in _INSTANCE_KEYS:
        params.pop(key, None)
    if cfg.get("query_context"):
        qc = json.loads(cfg["query_context"])
        qc.pop("datasource", None)
        for key in _INSTANCE_KEYS:
            qc.get("form_data", {}).pop(key, None)
        for query in qc.get("queries", []):
            query.pop("datasource", None)
        cfg["query_context"] = json.dumps(qc, ensure_ascii=False, sort_keys=True)


def _normalize_dashboard(cfg: dict, chart_ids: Mapping[int, int]) -> None:
    def remap(values):
        return [chart_ids.get(v, v) for v in values]

    for node in (cfg.get("position") or {}).values():
        if isinstance(node, dict) and node.get("type") == "CHART":
            node["meta"]["chartId"] = chart_ids.get(node["meta"]["chartId"], node["meta"]["chartId"])
    meta = cfg.get("metadata") or {}
    for flt in meta.get("native_filter_configuration", []):
        scope = flt.get("scope") or {}
        if scope.get("excluded"):
            scope["excluded"] = sorted(remap(scope["excluded"]))
        if flt.get("chartsInScope"):
            flt["chartsInScope"] = sorted(remap(flt["chartsInScope"]))
    if "chart_configuration" in meta:
        fixed = {}
        for key, conf in meta["chart_configuration"].items():
            try:
                new = chart_ids.get(int(key), int(key))
            except ValueError:
                fixed[key] = conf
                continue
            conf["id"] = new
            cross = conf.get("crossFilters") or {}
            if cross.get("chartsInScope"):
                cross["chartsInScope"] = sorted(remap(cross["chartsInScope"]))
            if isinstance(cross.get("scope"), dict) and cross["scope"].get("excluded"):
                cross["scope"]["excluded"] = sorted(remap(cross["scope"]["excluded"]))
            fixed[str(new)] = conf
        meta["chart_configuration"] = dict(sorted(fixed.items()))
    gcc = meta.get("global_chart_configuration") or {}
    if gcc.get("chartsInScope"):
        gcc["chartsInScope"] = sorted(remap(gcc["chartsInScope"]))
    if isinstance(gcc.get("scope"), dict) and gcc["scope"].get("excluded"):
        gcc["scope"]["excluded"] = sorted(remap(gcc["scope"]["excluded"]))
    for key in ("positions", "timed_refresh_immune_slices", "filter_scopes", "default_filters"):
        if meta.get(key) in ({}, [], "{}", None):
            meta.pop(key, None)


def write_tree(files: Mapping[str, dict], root: Path) -> None:
    """Write the tree, removing asset files that are no longer in it."""
    root = Path(root)
    for kind in ASSET_DIRS:
        for old in (root / kind).rglob("*.yaml") if (root / kind).exists() else []:
            if old.relative_to(root).as_posix() not in files:
                old.unlink()
    for rel, cfg in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=True, width=110), encoding="utf-8")
