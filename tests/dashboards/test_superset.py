"""The dashboards in a real Superset: every chart answers, and viewers see only their rows.

Row-level security is checked three ways for a county viewer (东湖县 369921) and a prefecture viewer
(鹰川市 369900, whose neighbour 邻州市 368800 is in the same database): the saved charts' queries,
ad hoc queries on every dataset (what a viewer's own new chart would send), and the other ways a
viewer can read rows (filter values, samples for drill-to-detail). Each is compared with what
Postgres holds for that region.
"""

from __future__ import annotations

import json
import subprocess

import psycopg2
import pytest

from govmon import config
from govmon.dashboards import access, assets, settings
from govmon.dashboards.client import SupersetAPIError

pytestmark = pytest.mark.integration

TREE = assets.load_tree(config.PROJECT_ROOT / "dashboards")
DATASETS = {cfg["table_name"]: cfg for cfg in assets.by_kind(TREE, "datasets").values()}
CHARTS = {cfg["uuid"]: cfg for cfg in assets.by_kind(TREE, "charts").values()}
COUNTY, PREFECTURE = "369921", "369900"
COUNT = {"expressionType": "SQL", "sqlExpression": "count(*)", "label": "count"}


@pytest.fixture(scope="module")
def ids(superset):
    """Superset's ids of the imported charts and datasets, by UUID / table name."""
    c = superset.client()
    charts = {ch["uuid"]: ch["id"] for ch in c.list_all("chart", ["id", "uuid"])}
    datasets = {d["table_name"]: d["id"] for d in c.list_all("dataset", ["id", "table_name"])}
    return {"charts": charts, "datasets": datasets}


def _db_rows(db_url: str, table: str, clause: str = "true") -> dict[str, int]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(f"select region_code, count(*) from marts.{table} where {clause} group by 1")
        return dict(cur.fetchall())


def _api_rows(client, dataset_id: int) -> dict[str, int]:
    rows = client.query(dataset_id, columns=["region_code"], metrics=[COUNT])
    return {r["region_code"]: r["count"] for r in rows}


def test_every_chart_query_succeeds_on_demo_data(superset, ids):
    c = superset.client()
    empty = []
    for chart_uuid, cfg in CHARTS.items():
        result = c.chart_data(ids["charts"][chart_uuid])
        for query in result["result"]:
            assert not query.get("error"), (cfg["slice_name"], query.get("error"))
        if not any(q["rowcount"] for q in result["result"]):
            empty.append(cfg["slice_name"])
    assert empty == [], f"charts with no rows on the demo data: {empty}"


def test_every_dataset_is_under_row_level_security(superset, ids):
    """The regular filter of every region and the fail-closed base filter cover every dataset."""
    c = superset.client()
    filters = c.list_all("rowlevelsecurity", ["id", "name", "filter_type", "clause", "tables.id", "roles.name"])
    by_name = {f["name"]: f for f in filters}
    dataset_ids = set(ids["datasets"][t] for t in DATASETS)
    for item in access.plan(list(_regions(superset.db_url))):
        flt = by_name[item.filter_name]
        assert flt["clause"] == item.clause
        assert {t["id"] for t in flt["tables"]} >= dataset_ids, item.filter_name
        assert [r["name"] for r in flt["roles"]] == [item.role]
    base = by_name[access.BASE_FILTER_NAME]
    assert base["filter_type"] == "Base" and base["clause"] == "1 = 0"
    assert {t["id"] for t in base["tables"]} >= dataset_ids


def _regions(db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select region_code, name, level, parent_code from registry.regions")
        return [access.Region(*r) for r in cur.fetchall()]


@pytest.mark.parametrize("viewer, clause", [
    (f"viewer_{COUNTY}", f"region_code = '{COUNTY}'"),
    (f"viewer_{PREFECTURE}", f"prefecture_code = '{PREFECTURE}'"),
])
def test_viewer_gets_exactly_its_regions_rows_from_every_dataset(superset, ids, viewer, clause):
    """An ad hoc query per dataset (a chart the tests did not save) returns the region's rows, all of them."""
    c = superset.client(viewer)
    code = viewer.split("_")[1]
    nonempty = 0
    for table in DATASETS:
        got = _api_rows(c, ids["datasets"][table])
        expected = _db_rows(superset.db_url, table, clause)
        assert got == expected, (viewer, table)
        assert all(access.visible(region, code) for region in got), (viewer, table, got)
        nonempty += bool(got)
    assert nonempty >= len(DATASETS) - 2  # the demo world has rows for (nearly) every dataset in each region


def test_prefecture_viewer_sees_its_counties_and_not_the_neighbour(superset, ids):
    c = superset.client(f"viewer_{PREFECTURE}")
    got = _api_rows(c, ids["datasets"]["fct_entity_verdicts"])
    assert set(got) == {"369900", "369921", "369922", "369923"}
    admin = _api_rows(superset.client(), ids["datasets"]["fct_entity_verdicts"])
    assert {"368800", "368821"} <= set(admin)  # the neighbour exists, the viewer just does not see it


@pytest.mark.parametrize("viewer", [f"viewer_{COUNTY}", f"viewer_{PREFECTURE}"])
def test_saved_charts_answer_with_the_viewers_rows(superset, ids, viewer):
    c = superset.client(viewer)
    code = viewer.split("_")[1]
    names = {}
    with psycopg2.connect(superset.db_url) as conn, conn.cursor() as cur:
        cur.execute("select name, region_code from marts.fct_entity_verdicts")
        for name, region in cur.fetchall():
            names.setdefault(name, set()).add(region)
    for chart_uuid, cfg in CHARTS.items():
        result = c.chart_data(ids["charts"][chart_uuid])
        for query in result["result"]:
            assert not query.get("error"), (viewer, cfg["slice_name"], query.get("error"))
            for row in query["data"]:
                # any row naming a region or an entity names one the viewer may see
                if "region_code" in row:
                    assert access.visible(row["region_code"], code), (cfg["slice_name"], row)
                if "name" in row and row["name"] in names:
                    assert any(access.visible(r, code) for r in names[row["name"]]), (cfg["slice_name"], row)
                if "region_name" in row and row["region_name"] in superset.world.regions.values():
                    region = {v: k for k, v in superset.world.regions.items()}[row["region_name"]]
                    assert access.visible(region, code), (cfg["slice_name"], row)


def test_the_county_viewers_numbers(superset, ids):
    """The overview's big numbers for 东湖县 are its own: 1 site and 2 accounts in 2026Q3."""
    c = superset.client(f"viewer_{COUNTY}")
    rows = c.query(ids["datasets"]["fct_entity_verdicts"], columns=["entity_type"], metrics=[COUNT],
                   filters=[{"col": "quarter", "op": "==", "val": "2026Q3"}])
    assert {r["entity_type"]: r["count"] for r in rows} == {"site": 1, "account": 2}


def test_a_new_chart_saved_by_the_admin_is_filtered_for_viewers(superset, ids):
    admin = superset.client()
    dataset_id = ids["datasets"]["fct_quarterly_problems"]
    query_context = {"datasource": {"id": dataset_id, "type": "table"}, "force": True,
                     "queries": [{"columns": ["region_code", "problem"], "metrics": [COUNT], "row_limit": 1000}],
                     "result_format": "json", "result_type": "full"}
    created = admin.post("/api/v1/chart/", {
        "slice_name": "测试：各区划问题数", "viz_type": "table", "datasource_id": dataset_id, "datasource_type": "table",
        "params": json.dumps({"viz_type": "table", "query_mode": "aggregate", "groupby": ["region_code", "problem"],
                              "metrics": [COUNT]}),
        "query_context": json.dumps(query_context)})
    chart_id = created["id"]
    try:
        every = admin.chart_data(chart_id)["result"][0]["data"]
        county = superset.client(f"viewer_{COUNTY}").chart_data(chart_id)["result"][0]["data"]
        assert {r["region_code"] for r in every} > {COUNTY}
        assert county and {r["region_code"] for r in county} == {COUNTY}
    finally:
        admin.request("DELETE", f"/api/v1/chart/{chart_id}")


def test_filter_values_and_samples_are_filtered(superset, ids):
    c = superset.client(f"viewer_{COUNTY}")
    dataset_id = ids["datasets"]["fct_entity_verdicts"]
    values = c.get(f"/api/v1/datasource/table/{dataset_id}/column/region_code/values/")["result"]
    assert values == [COUNTY]
    samples = c.request("POST", "/datasource/samples", {},
                        params={"datasource_type": "table", "datasource_id": dataset_id, "force": "true"})
    rows = samples["result"]["data"]
    assert rows and {r["region_code"] for r in rows} == {COUNTY}


def test_a_user_without_a_region_role_sees_no_rows(superset, ids):
    """Fail closed: a level role given without its region role (say, by hand in the UI) shows nothing."""
    from govmon.dashboards import server

    password = "Kein-Bereich-42"
    script = (
        "from superset.app import create_app\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    from superset import db, security_manager as sm\n"
        "    if not sm.find_user(username='no_region'):\n"
        f"        sm.add_user('no_region', 'x', 'y', 'no_region@govmon.invalid', [sm.find_role('区县查看')], "
        f"password={password!r})\n"
        "    db.session.commit()\n"
    )
    env = settings.superset_env(superset.db_url, superset.home)
    subprocess.run([str(server.ensure_env()), "-c", script], env=env, check=True, capture_output=True)
    from govmon.dashboards.client import SupersetClient

    c = SupersetClient(superset.url).login("no_region", password)
    for table in ("fct_entity_verdicts", "fct_region_quarterly_rollup", "fct_review_items"):
        assert _api_rows(c, ids["datasets"][table]) == {}, table


def test_viewers_have_no_sql_lab(superset):
    c = superset.client(f"viewer_{PREFECTURE}")
    with pytest.raises(SupersetAPIError) as err:
        c.post("/api/v1/sqllab/execute/", {"database_id": 1, "sql": "select * from registry.sites", "runAsync": False})
    assert err.value.status in (401, 403, 404)


def test_viewers_see_the_four_dashboards(superset):
    for viewer in (f"viewer_{COUNTY}", f"viewer_{PREFECTURE}"):
        titles = {d["dashboard_title"] for d in superset.client(viewer).list_all("dashboard", ["dashboard_title"])}
        assert titles == {cfg["dashboard_title"] for cfg in assets.by_kind(TREE, "dashboards").values()}


def test_export_gives_back_the_committed_tree(superset, tmp_path):
    """Import then export changes nothing: stable UUIDs, file names, chart ids; no credentials."""
    from govmon.dashboards import server

    server.run_task(["export", str(tmp_path)], superset.db_url, superset.home)
    exported = assets.load_tree(tmp_path)
    assert sorted(exported) == sorted(TREE)
    for path in TREE:
        if path == "metadata.yaml":
            continue
        assert exported[path] == TREE[path], path
