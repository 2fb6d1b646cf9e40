"""Headless Chromium screenshots of every dashboard with data, as a viewer sees it.

The PNGs are test artifacts (GOVMON_TEST_ARTIFACTS, default .govmon/test-artifacts/dashboards/):
every dashboard as the prefecture viewer of 鹰川市, and the overview as the county viewer of 东湖县.
Each chart's data request must succeed with rows, no chart may show an error, and the page may
reach nothing but 127.0.0.0/8 (Superset's CSP stops the telemetry pixel its frontend bundle carries).
"""

from __future__ import annotations

import json

import pytest

from govmon import config
from govmon.dashboards import access, assets
from govmon.dashboards.browser import Browser, find_chromium

pytestmark = pytest.mark.integration

TREE = assets.load_tree(config.PROJECT_ROOT / "dashboards")
DASHBOARDS = {cfg["slug"]: cfg for cfg in assets.by_kind(TREE, "dashboards").values()}
SHOTS = [("viewer_369900", slug) for slug in DASHBOARDS] + [("viewer_369921", "govmon-overview")]


@pytest.fixture(scope="module")
def browser(artifacts_dir):
    if not find_chromium():
        pytest.skip("Chromium is not installed: apt-get install chromium fonts-noto-cjk "
                    "(make test installs them when run as root)")
    with Browser(log_file=artifacts_dir / "chromium.log") as b:
        yield b


@pytest.mark.parametrize("user, slug", SHOTS, ids=[f"{u}-{s}" for u, s in SHOTS])
def test_dashboard_screenshot(superset, browser, artifacts_dir, user, slug):
    page = browser.new_page(1600, 3200)
    page.login(superset.url, user, superset.logins[user])
    result = page.open_dashboard(superset.url, slug)
    path = page.screenshot(artifacts_dir / f"{slug}-{user}.png")
    print(f"screenshot: {path}")

    cfg = DASHBOARDS[slug]
    assert result.title == cfg["dashboard_title"]
    assert result.charts == len(assets.dashboard_charts(cfg))
    assert result.errors == []
    final = result.final_chart_requests()
    assert len(final) == result.charts
    code = user.split("_")[1]
    codes = {name: c for c, name in superset.world.regions.items()}
    regions_shown = set()
    for slice_id, request in final.items():
        assert request.status == 200, (slice_id, request.url, request.failed)
        body = json.loads(page.response_body(request.request_id))
        for query in body["result"]:
            assert not query.get("error"), (slice_id, query["error"])
            regions_shown |= {row["region_name"] for row in query["data"] if row.get("region_name") in codes}
        if user == "viewer_369900":  # the prefecture has data for every chart
            assert any(q["rowcount"] for q in body["result"]), (slice_id, "no rows")
    # what the page drew is the viewer's: its own region(s) and nobody else's
    assert regions_shown and all(access.visible(codes[name], code) for name in regions_shown), regions_shown
    offsite = page.offsite_requests()
    assert all(r.failed == "csp" for r in offsite), [(r.url, r.failed) for r in offsite]
    assert path.stat().st_size > 40_000
