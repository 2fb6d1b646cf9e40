"""dashboards/: a Superset export that imports, leaks no secret and reads the reporting layer only."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from govmon import config
from govmon.dashboards import access, assets

ROOT = config.PROJECT_ROOT / "dashboards"
TREE = assets.load_tree(ROOT)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_tree_has_no_problems():
    assert assets.problems(TREE) == []


def test_the_four_dashboards_and_their_charts():
    dashboards = {cfg["slug"]: cfg for cfg in assets.by_kind(TREE, "dashboards").values()}
    assert set(dashboards) == {"govmon-overview", "govmon-sites", "govmon-media", "govmon-review"}
    on_dashboards = [u for cfg in dashboards.values() for u in assets.dashboard_charts(cfg)]
    charts = {cfg["uuid"] for cfg in assets.by_kind(TREE, "charts").values()}
    assert sorted(on_dashboards) == sorted(charts)  # every chart on exactly one dashboard
    for cfg in dashboards.values():
        assert cfg["published"] is True
        filters = {f["name"]: f for f in cfg["metadata"]["native_filter_configuration"]}
        assert filters["季度"]["controlValues"]["defaultToFirstItem"] is True  # latest quarter by default
        assert filters["季度"]["requiredFirst"] == {"defaultToFirstItem": True}  # charts wait for it


def _relations_in_migrations() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(config.migrations_dir().glob("*.sql")))
    return set(re.findall(r"create (?:or replace )?(?:view|table)(?: if not exists)? (\w+\.\w+)", text, flags=re.I))


def test_datasets_read_relations_the_migrations_create_in_marts_or_verdicts():
    relations = _relations_in_migrations()
    for path, cfg in assets.by_kind(TREE, "datasets").items():
        assert cfg["schema"] in ("marts", "verdicts"), path
        assert f"{cfg['schema']}.{cfg['table_name']}" in relations, path
        assert cfg["sql"] is None, path


def test_every_dataset_has_the_region_keys_rls_filters_on():
    for path, cfg in assets.by_kind(TREE, "datasets").items():
        columns = {c["column_name"]: c for c in cfg["columns"]}
        for key in access.RLS_COLUMNS:
            assert key in columns and columns[key]["expression"] in (None, ""), (path, key)  # a real column


def test_user_facing_words_are_chinese():
    for cfg in assets.by_kind(TREE, "charts").values():
        assert CJK.search(cfg["slice_name"]), cfg["slice_name"]
    for cfg in assets.by_kind(TREE, "dashboards").values():
        assert CJK.search(cfg["dashboard_title"])
        for f in cfg["metadata"]["native_filter_configuration"]:
            assert CJK.search(f["name"])
    for path, cfg in assets.by_kind(TREE, "datasets").items():
        for col in cfg["columns"]:
            assert col["verbose_name"] and CJK.search(col["verbose_name"]), (path, col["column_name"])
        for metric in cfg["metrics"]:
            assert metric["verbose_name"] and CJK.search(metric["verbose_name"]), (path, metric["metric_name"])


def test_charts_query_context_matches_their_params():
    """A chart's saved query (used by the API, caches and reports) is the one its form data builds."""
    for path, cfg in assets.by_kind(TREE, "charts").items():
        qc = json.loads(cfg["query_context"])
        form = qc["form_data"]
        assert form["viz_type"] == cfg["viz_type"] == cfg["params"]["viz_type"], path
        for key in ("metrics", "metric", "groupby", "all_columns", "adhoc_filters", "x_axis", "column"):
            if key in cfg["params"]:
                assert form.get(key) == cfg["params"][key], (path, key)


def test_no_instance_ids_leak_into_charts():
    for path, cfg in assets.by_kind(TREE, "charts").items():
        assert "slice_id" not in cfg["params"] and "datasource" not in cfg["params"], path
        assert "datasource" not in json.loads(cfg["query_context"]), path


def test_render_fills_the_database_uri_from_the_environment():
    rendered = assets.render(TREE, {"GOVMON_DATABASE_URL": "postgresql+psycopg2://u:s3cret@db:5432/govmon"})
    (db,) = assets.by_kind(rendered, "databases").values()
    assert db["sqlalchemy_uri"] == "postgresql+psycopg2://u:s3cret@db:5432/govmon"
    assert assets.by_kind(TREE, "databases")["databases/govmon.yaml"]["sqlalchemy_uri"] == assets.DATABASE_URI_TEMPLATE
    with pytest.raises(assets.AssetError, match="GOVMON_DATABASE_URL"):
        assets.render(TREE, {})
    # the bundle is what Superset's ImportAssetsCommand reads
    bundle = assets.bundle(rendered)
    assert yaml.safe_load(bundle["metadata.yaml"]) == {"version": "1.0.0", "type": "assets"}


@pytest.mark.parametrize("libpq, sqlalchemy", [
    ("postgresql://govmon@127.0.0.1:54329/govmon", "postgresql+psycopg2://govmon@127.0.0.1:54329/govmon"),
    ("postgres://u:p@h/db?sslmode=require", "postgresql+psycopg2://u:p@h/db?sslmode=require"),
    ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
])
def test_sqlalchemy_uri(libpq, sqlalchemy):
    assert assets.sqlalchemy_uri(libpq) == sqlalchemy


def test_problems_catch_a_committed_password_and_a_dangling_reference():
    bad = copy.deepcopy(TREE)
    bad["databases/govmon.yaml"]["sqlalchemy_uri"] = "postgresql://govmon:hunter2@db/govmon"
    chart = next(iter(assets.by_kind(bad, "charts")))
    bad[chart]["dataset_uuid"] = "00000000-0000-0000-0000-000000000000"
    found = "\n".join(assets.problems(bad))
    assert "no credentials in git" in found and "password" in found
    assert "is not in datasets/" in found


def _as_superset_exports(tree: dict) -> dict[str, str]:
    """The tree as Superset's export writes it: a root folder, instance ids, a masked password."""
    out = {}
    instance = {}
    for i, (path, cfg) in enumerate(sorted(assets.by_kind(tree, "charts").items()), start=101):
        instance[assets.stable_chart_id(cfg["uuid"])] = i
    for path, cfg in tree.items():
        cfg = copy.deepcopy(cfg)
        if path.startswith("databases/"):
            cfg["sqlalchemy_uri"] = "postgresql+psycopg2://govmon:XXXXXXXXXX@db:5432/govmon"
        if path.startswith("charts/"):
            cfg["params"].update({"slice_id": 7, "datasource": "3__table", "dashboards": [2]})
            qc = json.loads(cfg["query_context"])
            qc["datasource"] = {"id": 3, "type": "table"}
            cfg["query_context"] = json.dumps(qc)
            path = f"charts/_{instance[assets.stable_chart_id(cfg['uuid'])]}.yaml"  # Chinese names drop out
        if path.startswith("dashboards/"):
            for node in cfg["position"].values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    node["meta"]["chartId"] = instance[node["meta"]["chartId"]]
            for f in cfg["metadata"]["native_filter_configuration"]:
                f["scope"]["excluded"] = [instance[c] for c in f["scope"]["excluded"]]
                if "chartsInScope" in f:
                    f["chartsInScope"] = [instance[c] for c in f["chartsInScope"]]
        out[f"dashboard_export_20261121T000000/{path}"] = yaml.safe_dump(cfg, allow_unicode=True)
    return out


def test_normalize_export_gives_back_the_tree():
    existing = {cfg["uuid"]: path for path, cfg in TREE.items() if path != "metadata.yaml"}
    normalized = assets.normalize_export(_as_superset_exports(TREE), existing)
    assert sorted(normalized) == sorted(TREE)
    for path in TREE:
        assert normalized[path] == TREE[path], path


def test_dataset_columns_exist_in_the_views(db_url):
    """The datasets' columns are the views' (a renamed upstream column fails here, not in a viewer's chart)."""
    import psycopg2

    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        for path, cfg in assets.by_kind(TREE, "datasets").items():
            cur.execute("select column_name from information_schema.columns where table_schema = %s and table_name = %s",
                        (cfg["schema"], cfg["table_name"]))
            actual = {r[0] for r in cur.fetchall()}
            physical = {c["column_name"] for c in cfg["columns"] if not c["expression"]}
            assert physical <= actual, (path, physical - actual)
            cur.execute(f'select * from {cfg["schema"]}.{cfg["table_name"]} limit 0')  # the view runs
