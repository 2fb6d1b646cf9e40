"""Every site fault, observed over real HTTP, both from the scenario and changed at runtime."""

from __future__ import annotations

import http.client
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sandbox_helpers import fetch, patched_faults, refused

pytestmark = pytest.mark.integration


def port(sandbox) -> int:
    return sandbox.state["port"]


def test_down_site_refuses_connections(sandbox):
    addr = sandbox.address("env")
    assert sandbox.state["sites"]["env"]["bound"] is False
    assert refused(addr, port(sandbox))
    with pytest.raises(ConnectionRefusedError):
        fetch(sandbox.url("env"), timeout=1)


def test_down_can_be_toggled_at_runtime(sandbox):
    addr = sandbox.address("hrss")
    with patched_faults(sandbox, "sites", "hrss", {"down": True}):
        assert refused(addr, port(sandbox))
    assert not refused(addr, port(sandbox))
    with patched_faults(sandbox, "sites", "env", {"down": False}):
        r = fetch(sandbox.url("env"))
        assert r.status == 200 and "鹰川市生态环境局" in r.text()
    assert refused(sandbox.address("env"), port(sandbox))


def test_slow_site(sandbox):
    r = fetch(sandbox.url("edu"), timeout=5)
    assert r.status == 200 and r.elapsed >= 0.4
    with patched_faults(sandbox, "sites", "portal", {"slow_ms": 300}):
        r = fetch(sandbox.url("portal"), timeout=5)
        assert r.status == 200 and r.elapsed >= 0.3
    assert "slow_ms" not in sandbox.faults("sites", "portal")


def test_timeout_hangs_the_homepage_only(sandbox, small):
    t0 = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        fetch(sandbox.url("transport"), timeout=1)
    assert time.monotonic() - t0 >= 0.9
    # the server notices the client went away and lets go of the request
    deadline = time.monotonic() + 3
    while sandbox.counters("transport")["hanging"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sandbox.counters("transport")["hanging"] == 0
    sp = small.site("transport").sitepath
    assert fetch(sandbox.url("transport").rstrip("/") + f"/{sp}/zwyw/list.shtml", timeout=2).status == 404
    assert fetch(sandbox.url("transport").rstrip("/") + f"/{sp}/gzdt/list.shtml", timeout=2).status == 200


def test_http_5xx(sandbox):
    r = fetch(sandbox.url("hrss"))
    assert r.status == 503
    assert fetch(sandbox.url("hrss").rstrip("/") + "/col/gzdt/index.html").status == 200


def test_fail_ratio_is_exact(sandbox):
    sandbox.reset_counters("sites", "xishan")
    statuses = [fetch(sandbox.url("xishan")).status for _ in range(20)]
    assert statuses.count(503) == 1 and statuses[19] == 503 and statuses.count(200) == 19
    statuses += [fetch(sandbox.url("xishan")).status for _ in range(20)]
    assert statuses.count(503) == 2
    c = sandbox.counters("xishan")
    assert c["homepage_requests"] == 40 and c["failures"] == 2


@pytest.mark.parametrize("mode", ["reset", "empty", "timeout"])
def test_fail_modes(sandbox, mode):
    with patched_faults(sandbox, "sites", "portal", {"fail_ratio": 0.5, "fail_mode": mode}):
        sandbox.reset_counters("sites", "portal")
        assert fetch(sandbox.url("portal")).status == 200  # n = 0 succeeds, n = 1 fails
        if mode == "reset":
            with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
                fetch(sandbox.url("portal"))
        elif mode == "empty":
            r = fetch(sandbox.url("portal"))
            assert r.status == 200 and r.body == b""
        else:
            with pytest.raises((socket.timeout, TimeoutError)):
                fetch(sandbox.url("portal"), timeout=0.5)
        assert fetch(sandbox.url("portal")).status == 200


def test_broken_links_images_and_outbound(sandbox):
    with patched_faults(sandbox, "sites", "edu", {"slow_ms": None}):
        home = fetch(sandbox.url("edu")).text()
        block = re.search(r'<div class="zt-links">(.*?)</div>', home).group(1)
        links = re.findall(r'href="([^"]+)"', block)
        internal = [u for u in links if u.startswith("/")]
        outbound = [u for u in links if u.startswith("http://")]
        assert len(internal) == 6 and len(outbound) == 1
        base = sandbox.url("edu").rstrip("/")
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda u: fetch(base + u).status, internal))
        assert statuses == [404] * 6
        host, p = re.match(r"http://([\d.]+):(\d+)/", outbound[0]).groups()
        assert host.startswith("127.30.0.") and refused(host, int(p))
        img = re.search(r'<div class="banner"><img src="([^"]+)"', home).group(1)
        assert fetch(base + img).status == 404
        logo = re.search(r'<div class="logo"><a href="/"><img src="([^"]+)"', home).group(1)
        assert fetch(base + logo).status == 200
        # articles of the first column link to a dead page too
        col = fetch(base + "/col/gzdt/index.html").text()
        art = re.search(r'href="\./(\d{6}/t\d{8}_\d+\.html)"', col).group(1)
        page = fetch(base + "/col/gzdt/" + art).text()
        assert "相关链接：" in page and internal[0] in page


def test_broken_links_at_runtime(sandbox):
    with patched_faults(sandbox, "sites", "portal", {"broken_links": 2, "broken_image": True}):
        home = fetch(sandbox.url("portal")).text()
        assert home.count("ztzl_old") == 2
    assert "ztzl_old" not in fetch(sandbox.url("portal")).text()


def test_blank_columns(sandbox):
    base = sandbox.url("donghu").rstrip("/")
    home = fetch(base).body.decode("gbk")
    blank = re.findall(r'href="(/col/zt\d\d/index\.html)"', home)
    assert len(blank) == 5
    for u in blank:
        r = fetch(base + u)
        text = r.body.decode("gbk")
        assert r.status == 200 and "暂无信息" in text
        assert not re.search(r"t\d{8}_\d+\.html", text)


def test_pagination_trap(sandbox):
    base = sandbox.url("donghu").rstrip("/")
    r = fetch(base + "/col/wqhg/index_50.html")
    text = r.body.decode("gbk")
    assert r.status == 200
    assert '<a href="index_51.html">下一页</a>' in text and "createPageHTML(52, 50" in text
    items50 = re.findall(r"t\d{8}_\d+\.html", text)
    items1 = re.findall(r"t\d{8}_\d+\.html", fetch(base + "/col/wqhg/index_1.html").body.decode("gbk"))
    assert items50 and items50 == items1
    assert fetch(base + "/col/wqhg/index_5000.html").status == 200


def test_calendar_trap(sandbox, small):
    sp = small.site("portal").sitepath
    base = sandbox.url("portal").rstrip("/")
    url = f"/{sp}/hdrl/2026-09.shtml"
    assert url in fetch(base).text()
    for _ in range(30):
        text = fetch(base + url).text()
        url = re.search(r'<a class="next" href="([^"]+)">', text).group(1)
    assert url == f"/{sp}/hdrl/2029-03.shtml"
    prev = re.search(r'<a class="prev" href="([^"]+)">', fetch(base + f"/{sp}/hdrl/1990-01.shtml").text()).group(1)
    assert prev == f"/{sp}/hdrl/1989-12.shtml"


def test_redirect_loop_on_homepage(sandbox):
    base = sandbox.url("agri").rstrip("/")
    a = fetch(base + "/")
    assert a.status == 302 and a.headers["location"] == "/index.html"
    b = fetch(base + "/index.html")
    assert b.status == 302 and b.headers["location"] == "/"


def test_redirect_loop_on_a_path(sandbox):
    base = sandbox.url("housing").rstrip("/")
    home = fetch(base).text()
    assert 'href="/zjj/zxzx/index.html"' in home
    a = fetch(base + "/zjj/zxzx/index.html")
    assert a.status == 302
    b = fetch(base + a.headers["location"])
    assert b.status == 302 and b.headers["location"] == "/zjj/zxzx/index.html"


def test_identity_mismatch(sandbox, small):
    spec = small.site("edu")
    text = fetch(sandbox.url("edu"), timeout=5).text()
    meta_code = re.search(r'<meta name="SiteIDCode" content="(\d+)">', text).group(1)
    footer_code = re.search(r"政府网站标识码：(\d+)", text).group(1)
    assert meta_code == footer_code != spec.site_code
    assert meta_code[:6] == spec.site_code[:6]
    with patched_faults(sandbox, "sites", "portal", {"identity_mismatch": {"site_code": "3699009999",
                                                                             "organizer": "某某单位"}}):
        text = fetch(sandbox.url("portal")).text()
        assert "政府网站标识码：3699009999" in text and "主办：某某单位" in text


def test_runtime_content_patch(sandbox):
    base = sandbox.url("portal").rstrip("/")
    sandbox.set_content("portal", {"homepage": {"last_update_days_ago": 30}})
    try:
        shown = re.findall(r'<span class="time">\s*(\d\d-\d\d)\s*</span>', fetch(base).text())
        assert max(shown) == "08-31"
    finally:
        sandbox.set_content("portal", {"homepage": {"last_update_days_ago": None}})
    shown = re.findall(r'<span class="time">\s*(\d\d-\d\d)\s*</span>', fetch(base).text())
    assert max(shown) == "09-30"


def test_control_rejects_bad_faults(sandbox):
    from govmon.sandbox.runner import SandboxError

    with pytest.raises(SandboxError, match="fail_ratio: 2 is not between 0 and 1"):
        sandbox.set_faults("sites", "portal", {"fail_ratio": 2})
    with pytest.raises(SandboxError, match="unknown fault"):
        sandbox.set_faults("sites", "portal", {"nonsense": 1})
    with pytest.raises(SandboxError, match="no site"):
        sandbox.set_faults("sites", "nosuch", {"down": True})


def test_control_state(sandbox):
    st = sandbox.live_state()
    assert st["anchor"] == "2026-09-30T10:00:00+08:00" and st["port"] == port(sandbox)
    assert st["sites"]["env"]["faults"] == {"down": True}
    assert st["sites"]["portal"]["counters"]["requests"] > 0
    assert set(st["env"]) >= {"GOVMON_WEIBO_BASE_URL", "GOVMON_WECHAT_BASE_URL", "GOVMON_RSS_BASE_URL"}
