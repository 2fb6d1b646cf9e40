"""The CLI: ``govmon crawl media`` (shared ``crawl`` parent), ``govmon media import-posts`` and
``govmon media health``, through govmon.cli.main against a real database and the sandbox."""

from __future__ import annotations

import argparse

import pytest
from media_helpers import ANCHOR, account_ids, query, run_checks

from govmon.cli import main


def _sites_register(sub):
    """What govmon/crawl/commands.py does for ``crawl sites`` (the agreed protocol)."""
    p = sub.choices.get("crawl")
    if p is None:
        p = sub.add_parser("crawl")
        p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
        p._govmon_sub = p.add_subparsers(dest="crawl_command")
    p._govmon_sub.add_parser("sites").set_defaults(func=lambda a: "sites")


@pytest.mark.parametrize("order", ["media first", "sites first"])
def test_crawl_parent_is_shared(order):
    from govmon.media.commands import register

    parser = argparse.ArgumentParser(prog="govmon")
    sub = parser.add_subparsers(dest="command")
    steps = [register, _sites_register] if order == "media first" else [_sites_register, register]
    for step in steps:
        step(sub)
    assert parser.parse_args(["crawl", "sites"]).func(None) == "sites"
    args = parser.parse_args(["crawl", "media", "--account", "12", "--account", "微博:6012345678"])
    assert args.account == ["12", "微博:6012345678"] and args.func.__name__ == "_cmd_crawl_media"
    assert parser.parse_args(["crawl"]).func is not None


@pytest.fixture
def cli_env(monkeypatch, small_db, sandbox):
    monkeypatch.setenv("GOVMON_DATABASE_URL", small_db)
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    for k in ("GOVMON_WEIBO_MAX_RPS", "GOVMON_WECHAT_MAX_RPS", "GOVMON_RSS_MAX_RPS"):
        monkeypatch.setenv(k, "100")
    monkeypatch.setenv("GOVMON_MEDIA_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("GOVMON_MEDIA_RETRY_DELAY_SECONDS", "0.01")
    return small_db


def test_crawl_media_all_and_some(cli_env, sandbox, capsys):
    assert main(["crawl", "media", "--date", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert "17 个账号" in out and "限速" in out and "搜索不到 2" in out
    assert query(cli_env, "select count(*) from raw.media__fetches")[0][0] == 17
    ids = account_ids(cli_env, sandbox)
    assert main(["crawl", "media", "--date", "2026-10-01", "--account", str(ids["wb_fresh"]),
                 "--account", "微信:MzAwMDAwMDAwMQ==", "-v"]) == 0
    assert "2 个账号" in capsys.readouterr().out
    assert query(cli_env, "select count(*) from raw.media__fetches where collect_date = '2026-10-01'")[0][0] == 2


def test_crawl_media_bad_input(cli_env, capsys):
    assert main(["crawl", "media", "--account", "微信:没有这个"]) == 2
    assert "受检名录中没有这个账号" in capsys.readouterr().err
    assert main(["crawl", "media", "--platform", "快手"]) == 1


def test_crawl_media_bad_setting(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("GOVMON_WEIBO_MAX_RPS", "fast")
    assert main(["crawl", "media"]) == 2
    assert "GOVMON_WEIBO_MAX_RPS" in capsys.readouterr().err


def test_health_command(cli_env, capsys):
    assert main(["crawl", "media", "--date", "2026-09-30"]) == 0
    capsys.readouterr()
    assert main(["media", "health"]) == 0
    out = capsys.readouterr().out
    assert "最近采集日：2026-09-30" in out and "被拒绝" in out and "南岭县发布" in out
    assert "鹰川人社" not in out  # healthy accounts are not listed without --all
    assert main(["media", "health", "--all"]) == 0
    assert "鹰川人社" in capsys.readouterr().out


POSTS_CSV = (
    "平台,账号标识,账号名称,当前名称,发布时间,标题,链接,是否原创\n"
    "抖音,,鹰川融媒,鹰川融媒,2026-09-29 18:00,视频一,https://v.example/1,是\n"
    "抖音,,鹰川融媒,鹰川融媒,2026/9/10,视频二,https://v.example/2,否\n"
    "今日头条,,东湖发布,东湖发布新号,2026年9月1日,头条,https://t.example/1,\n"
)


def test_import_posts(cli_env, sandbox, tmp_path, capsys):
    f = tmp_path / "posts.csv"
    f.write_bytes(POSTS_CSV.encode("gb18030"))  # as Excel on a Chinese Windows machine saves it
    args = ["media", "import-posts", str(f), "--exported-at", "2026-09-30", "--since", "2026-06-01",
            "--date", "2026-09-30"]
    assert main(args) == 0
    assert "已导入 2 个账号的 3 条发布" in capsys.readouterr().out
    assert main(args) == 0  # the same file again: nothing doubles
    assert query(cli_env, "select count(*), count(distinct channel) from raw.media__fetches")[0] == (2, 1)
    assert query(cli_env, "select count(*) from raw.media__posts")[0][0] == 3
    ids = account_ids(cli_env, sandbox)
    r = run_checks(cli_env, ANCHOR)
    dy, tt = ids["dy_fresh"], ids["tt_cn"]
    assert r["m_v2__account__not_updated"][dy].status == "pass"
    # an export from 06-01 to 09-30 whose newest post is 29 days old: not updated
    assert (r["m_v2__account__not_updated"][tt].status, r["m_v2__account__not_updated"][tt].problem) == \
        ("fail", "14天未更新")
    assert r["n_7__account__renamed"][tt].problem == "已改名（东湖发布新号）系统中未改名"
    assert r["m_v3__account__interaction"][dy].status == "review"  # an export shows no interaction


def test_import_posts_all_or_nothing(cli_env, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("平台,账号标识,账号名称,发布时间,是否原创\n"
                 "抖音,,鹰川融媒,2026-09-29,是\n"
                 "抖音,,不存在的号,2026-09-29,是\n"
                 "微博,,鹰川发布,昨天,是\n"
                 "微博,,鹰川发布,2026-09-29,也许\n", encoding="utf-8-sig")
    assert main(["media", "import-posts", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:3: 账号名称: 受检名录中没有该账号" in err
    assert f"{f}:4: 发布时间: 无法识别的时间“昨天”" in err
    assert f"{f}:5: 是否原创: 取值无效" in err
    assert "导入失败：共 3 处错误，未写入任何数据。" in err
    assert query(cli_env, "select count(*) from raw.media__fetches")[0][0] == 0
    missing = tmp_path / "nocol.csv"
    missing.write_text("平台,标题\n抖音,x\n", encoding="utf-8")
    assert main(["media", "import-posts", str(missing)]) == 2
    assert "发布时间: 缺少必填列" in capsys.readouterr().err
