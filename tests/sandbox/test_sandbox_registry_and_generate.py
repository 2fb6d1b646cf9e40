"""Registry files (CONTRACT.md §1), the CLI, the runner, and the deterministic generator."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
from sandbox_helpers import DEMO, ROOT, SMALL, fetch

from govmon.sandbox import dates
from govmon.sandbox.cli import main
from govmon.sandbox.expect import mismatches
from govmon.sandbox.faults import SITE_FAULTS
from govmon.sandbox.generate import generate_yaml
from govmon.sandbox.registry import ACCOUNT_HEADERS, REGION_HEADERS, SITE_HEADERS
from govmon.sandbox.scenario import load_scenario, parse_scenario

CONTRACT_SITES = "网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型,运行状态"
CONTRACT_ACCOUNTS = "账号名称,平台,账号类型,账号标识,采集地址,填报单位,行政区划代码,运行状态"
CONTRACT_REGIONS = "行政区划代码,名称"


def read_csv(path) -> tuple[bytes, list[list[str]]]:
    raw = open(path, "rb").read()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.integration
def test_registry_files_follow_the_contract(sandbox, small):
    reg = sandbox.registry_dir
    expected = {"sites.csv": CONTRACT_SITES, "accounts.csv": CONTRACT_ACCOUNTS, "regions.csv": CONTRACT_REGIONS}
    rows = {}
    for name, header in expected.items():
        raw, table = read_csv(reg / name)
        assert raw.startswith(b"\xef\xbb\xbf" + header.encode("utf-8") + b"\r\n"), name
        assert ",".join(table[0]) == header
        rows[name] = table[1:]
    assert ",".join(SITE_HEADERS) == CONTRACT_SITES and ",".join(ACCOUNT_HEADERS) == CONTRACT_ACCOUNTS
    assert ",".join(REGION_HEADERS) == CONTRACT_REGIONS
    sites = {r[1]: r for r in rows["sites.csv"]}
    assert len(sites) == len(small.sites)
    for spec in small.sites:
        r = sites[spec.site_code]
        assert r == [spec.name, spec.site_code, sandbox.url(spec.key), spec.organizer, spec.region_code, spec.kind,
                     "运行"]
    accounts = {(r[1], r[3]): r for r in rows["accounts.csv"]}
    assert len(accounts) == len(small.accounts)
    for spec in small.accounts:
        r = accounts[(spec.platform, spec.account_id)]
        assert r[0] == spec.name  # the registered name, even for a renamed account
        assert r[4] == sandbox.feed_url(spec.key)
        assert r[4].startswith(f"http://{small.platform_addresses[spec.platform_family if spec.endpoint.startswith(('weibo', 'wechat')) else 'rss']}:")
    assert accounts[("微信", small.account("wx_renamed").account_id)][0] == "东湖县农业农村局"
    assert rows["regions.csv"] == [["369900", "鹰川市"], ["369921", "东湖县"], ["369922", "西山县"], ["369923", "南岭县"]]
    # every 采集地址 answers over loopback
    for spec in small.accounts:
        if not spec.faults:
            assert fetch(sandbox.feed_url(spec.key)).status == 200, spec.key


def test_registry_command_matches_serve(sandbox, tmp_path, capsys):
    port = sandbox.state["port"]
    assert main(["registry", "--scenario", str(SMALL), "--port", str(port), "--out", str(tmp_path)]) == 0
    for name in ("sites.csv", "accounts.csv", "regions.csv"):
        assert (tmp_path / name).read_bytes() == (sandbox.registry_dir / name).read_bytes()


def test_cli_errors_and_check(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("anchor: now\nsites: [{key: a}]\n", encoding="utf-8")
    assert main(["check", "--scenario", str(bad)]) == 2
    assert "bad.yaml: sites[0].region_code: required" in capsys.readouterr().err
    assert main(["check", "--scenario", str(SMALL)]) == 0


@pytest.mark.integration
def test_serve_fails_cleanly_on_a_bad_scenario(tmp_path):
    from govmon.sandbox.runner import SandboxError, SandboxProcess

    bad = tmp_path / "bad.yaml"
    bad.write_text("anchor: now\nsites: [{key: a, template: nope}]\n", encoding="utf-8")
    with pytest.raises(SandboxError, match=r"(?s)exited with status 2.*sites\[0\]\.template: 'nope'"):
        with SandboxProcess(bad, out_dir=tmp_path / "out", start_timeout=15):
            pass


def test_generator_is_deterministic():
    a = generate_yaml(seed=11, n_sites=30, n_accounts=120)
    assert a == generate_yaml(seed=11, n_sites=30, n_accounts=120)
    assert a != generate_yaml(seed=12, n_sites=30, n_accounts=120)


def test_committed_demo_equals_a_fresh_generation():
    assert DEMO.read_text(encoding="utf-8") == generate_yaml(seed=2026, n_sites=50, n_accounts=450), \
        "regenerate: python -m govmon.sandbox generate --seed 2026 --sites 50 --accounts 450 --out scenarios/demo.yaml"


def test_generate_command_writes_the_same_file(tmp_path):
    out = tmp_path / "demo.yaml"
    subprocess.run([sys.executable, "-m", "govmon.sandbox", "generate", "--seed", "2026", "--sites", "50",
                    "--accounts", "450", "--out", str(out)], check=True, cwd=ROOT, capture_output=True)
    assert out.read_bytes() == DEMO.read_bytes()


def test_demo_scenario_shape_and_coverage():
    s = load_scenario(DEMO)
    assert s.anchor_spec is None  # anchor: now
    assert len(s.sites) == 50 and len(s.accounts) == 450
    portals = [x for x in s.sites if x.kind == "政府门户网站"]
    assert len(portals) == 11 and sum(x.region_code.endswith("00") for x in portals) == 1
    assert {x.template for x in s.sites} == {"trs", "hanweb", "jiangxi"}
    assert {x.encoding for x in s.sites} == {"utf-8", "gbk"}
    assert any(x.encoding == "utf-8" and x.declared == "gb2312" for x in s.sites)
    assert any(x.declared is None for x in s.sites)
    # every site fault key (in canonical form) appears at least once
    present = {k for x in s.sites for k in x.faults}
    assert set(SITE_FAULTS) - {"timeout_share", "error_share", "fail_status", "hang_seconds"} <= present
    assert {x.faults.get("fail_mode") for x in s.sites} >= {"timeout", "5xx", "reset", "empty"}
    assert any(isinstance(x.faults.get("redirect_loop"), str) for x in s.sites)
    assert any(c.blank for x in s.sites for c in x.columns)
    assert any(x.homepage.navigation_only for x in s.sites)
    assert any(x.homepage.last_update_days_ago for x in s.sites)
    assert any(c.undated for x in s.sites for c in x.columns)
    assert any(c.pubdate_meta is False for x in s.sites for c in x.columns)
    assert any(x.letters.extra for x in s.sites)
    assert {c.type for x in s.sites for c in x.columns} == {"dynamic_news", "notice", "policy", "personnel", "plan",
                                                            "other"}
    assert {x.date_format for x in s.sites} == set(dates.DATE_FORMATS)
    # verdicts: most healthy; every veto and problem wording present
    site_verdicts = Counter(x.expect.verdict for x in s.sites)
    assert site_verdicts["合格"] > 25 and site_verdicts["不合格"] >= 8
    assert {v for x in s.sites for v in x.expect.vetoes} == {"W-V2", "W-V3", "W-V4", "W-V5"}
    assert {p for x in s.sites for p in x.expect.problems} == {"监测时间点无法访问", "首页不更新", "空白栏目超过5个",
                                                              "多个栏目更新不及时", "错链断链多", "互动回应差"}
    # accounts: the platform mix of a real prefecture; every account fault
    mix = Counter(a.platform for a in s.accounts)
    assert 300 <= mix["微信"] <= 330 and 70 <= mix["微博"] <= 82 and 22 <= mix["今日头条"] <= 30 and 25 <= mix["抖音"] <= 33
    assert {a.endpoint for a in s.accounts} == {"weibo", "wechat_profile", "wechat_publish", "rss", "atom", "json"}
    assert {k for a in s.accounts for k in a.faults} == {"vanished", "blocked", "feed_down", "slow_ms"}
    assert any(a.renamed for a in s.accounts) and any(not a.interaction_offered for a in s.accounts)
    assert {a.posts.original for a in s.accounts} >= {0.0, 1.0}
    acct_verdicts = Counter(a.expect.verdict for a in s.accounts)
    assert set(acct_verdicts) == {"合格", "不合格", "无法判定", "待审核"} and acct_verdicts["合格"] > 300  # Douyin/Toutiao feeds wait for M-V3 review
    problems = {p for a in s.accounts for p in a.expect.problems}
    assert {"14天未更新", "搜索不到"} <= problems  # 未提供有效互动功能 is pending review, not yet a problem
    assert any(p.startswith("已改名（") for p in problems)
    # region codes nest
    codes = {c for c, _ in s.regions}
    pref = next(c for c in codes if c.endswith("00") and not c.endswith("0000"))
    assert all(c[:4] == pref[:4] for c in codes if not c.endswith("0000"))
    assert all(x.site_code[:6] == x.region_code for x in s.sites)
    assert mismatches(s) == []


def test_json_scenarios_load_like_yaml(tmp_path):
    import yaml

    from govmon.sandbox.generate import generate_json

    j = tmp_path / "w.json"
    j.write_text(generate_json(seed=5, n_sites=20, n_accounts=30), encoding="utf-8")
    y = tmp_path / "w.yaml"
    y.write_text(generate_yaml(seed=5, n_sites=20, n_accounts=30), encoding="utf-8")
    a, b = load_scenario(j), load_scenario(y)
    assert [x.__dict__ for x in a.sites] == [x.__dict__ for x in b.sites]
    assert [x.__dict__ for x in a.accounts] == [x.__dict__ for x in b.accounts]
    assert yaml.safe_load(y.read_text(encoding="utf-8"))["sites"][0]["key"] == a.sites[0].key


def test_generator_scales():
    import yaml

    data = yaml.safe_load(generate_yaml(seed=3, n_sites=700, n_accounts=50))
    s = parse_scenario(data)
    assert len(s.sites) == 700 and len({x.address for x in s.sites}) == 700
    assert len({x.site_code for x in s.sites}) == 700


@pytest.mark.integration
@pytest.mark.integration
def test_demo_serves_with_anchor_now(tmp_path):
    from govmon.sandbox.runner import SandboxProcess

    with SandboxProcess(DEMO, out_dir=tmp_path, hang_cap=2, start_timeout=30) as sb:
        anchor = datetime.fromisoformat(sb.state["anchor"])
        assert abs((anchor - datetime.now(anchor.tzinfo)).total_seconds()) < 60
        s = load_scenario(DEMO)
        portal = s.sites[0]
        r = fetch(sb.url(portal.key), timeout=5)
        assert r.status == 200 and portal.name in r.body.decode(portal.encoding)
        down = next(x for x in s.sites if x.faults.get("down"))
        with pytest.raises(ConnectionRefusedError):
            fetch(sb.url(down.key), timeout=1)
        _, rows = read_csv(sb.registry_dir / "accounts.csv")
        assert len(rows) == 451
        assert sb.stop() == 0  # SIGTERM: a clean exit
        assert "stopped" in sb.stderr()
