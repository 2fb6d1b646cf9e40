"""Bulk loading of observations (COPY), idempotent per collection day.

One transaction per load: the observations and their posts are copied into temporary tables,
the day's rows of the same accounts and channel (crawl or import) are deleted from
``raw.media__fetches`` / ``raw.media__posts`` and replaced, and ``staging.stg_media__posts`` (one
row per account and post, across days) is merged: a re-run of the same day leaves every table as
it was.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from govmon.media.model import Account, Observation

FETCH_COLUMNS = ("collect_date", "account_id", "channel", "platform", "adapter", "source_url", "status", "reason",
                 "http_status", "fetched_at", "server_date", "reference_at", "live_name", "name_source",
                 "account_exists", "declared_posts", "post_count", "complete", "covers_from", "newest_post_at",
                 "comments_open", "menu", "interaction_source", "requests", "errors", "elapsed_ms", "run_id",
                 "evidence")
POST_COLUMNS = ("collect_date", "account_id", "channel", "post_key", "published_at", "published_raw", "precision",
                "is_original", "is_deleted", "is_hidden", "is_pinned", "title", "url", "adapter")
NULL = r"\N"


def _cell(v) -> str:
    if v is None:
        return NULL
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (list, tuple)):
        return "{" + ",".join('"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in v) + "}"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v).replace("\x00", "")


def _csv(rows) -> io.StringIO:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([_cell(v) for v in r])
    buf.seek(0)
    return buf


def fetch_row(o: Observation, collect_date: date, channel: str, run_id: str | None) -> tuple:
    return (collect_date, o.account_id, channel, o.platform, o.adapter, o.source_url, o.status, o.reason,
            o.http_status, o.fetched_at, o.server_date, o.reference_at or o.fetched_at, o.live_name, o.name_source,
            o.account_exists, o.declared_posts, len(o.posts), o.complete, o.covers_from, o.newest_post_at,
            o.comments_open, o.menu, o.interaction_source, o.requests, o.errors, o.elapsed_ms, run_id, o.evidence)


def post_rows(o: Observation, collect_date: date, channel: str):
    for p in o.posts:
        yield (collect_date, o.account_id, channel, p.key, p.published_at, p.published_raw, p.precision, p.original,
               p.deleted, p.hidden, p.pinned, (p.title or "")[:300] or None, p.url, o.adapter)


def load_observations(cur, observations: list[Observation], collect_date: date, *, channel: str = "crawl",
                      run_id: str | None = None) -> dict:
    """Replace the day's rows for these accounts (one channel) and merge the posts into staging."""
    if channel not in ("crawl", "import"):
        raise ValueError(channel)
    cur.execute("create temp table _media_fetches (like raw.media__fetches including defaults) on commit drop")
    cur.execute("create temp table _media_posts (like raw.media__posts including defaults) on commit drop")
    cols = ", ".join(FETCH_COLUMNS)
    cur.copy_expert(f"copy _media_fetches ({cols}) from stdin with (format csv, null '\\N')",
                    _csv(fetch_row(o, collect_date, channel, run_id) for o in observations))
    pcols = ", ".join(POST_COLUMNS)
    cur.copy_expert(f"copy _media_posts ({pcols}) from stdin with (format csv, null '\\N')",
                    _csv(r for o in observations for r in post_rows(o, collect_date, channel)))
    cur.execute(
        """
        delete from raw.media__posts p using (select distinct collect_date, account_id, channel from _media_fetches) t
        where p.collect_date = t.collect_date and p.account_id = t.account_id and p.channel = t.channel
        """)
    cur.execute(
        """
        delete from raw.media__fetches f using _media_fetches t
        where f.collect_date = t.collect_date and f.account_id = t.account_id and f.channel = t.channel
        """)
    cur.execute(f"insert into raw.media__fetches ({cols}) select {cols} from _media_fetches")
    fetches = cur.rowcount
    cur.execute(f"insert into raw.media__posts ({pcols}) select {pcols} from _media_posts")
    posts = cur.rowcount
    # one row per account and post across days; the finest publish time seen wins
    cur.execute(
        """
        insert into staging.stg_media__posts as s
            (account_id, post_key, published_at, published_raw, precision, is_original, is_deleted, is_hidden,
             is_pinned, title, url, adapter, first_seen_date, last_seen_date)
        select distinct on (account_id, post_key)
               account_id, post_key, published_at, published_raw, precision, is_original, is_deleted, is_hidden,
               is_pinned, title, url, adapter, collect_date, collect_date
        from _media_posts
        order by account_id, post_key, staging.media_precision_rank(precision)
        on conflict (account_id, post_key) do update set
            published_at = case when s.published_at is null
                                  or staging.media_precision_rank(excluded.precision)
                                     < staging.media_precision_rank(s.precision)
                                then excluded.published_at else s.published_at end,
            published_raw = case when s.published_at is null
                                   or staging.media_precision_rank(excluded.precision)
                                      < staging.media_precision_rank(s.precision)
                                 then excluded.published_raw else s.published_raw end,
            precision = case when s.published_at is null
                               or staging.media_precision_rank(excluded.precision)
                                  < staging.media_precision_rank(s.precision)
                             then excluded.precision else s.precision end,
            is_original = coalesce(excluded.is_original, s.is_original),
            is_deleted = case when excluded.last_seen_date >= s.last_seen_date then excluded.is_deleted
                              else s.is_deleted end,
            is_hidden = case when excluded.last_seen_date >= s.last_seen_date then excluded.is_hidden
                             else s.is_hidden end,
            is_pinned = excluded.is_pinned or s.is_pinned,
            title = coalesce(s.title, excluded.title),
            url = coalesce(s.url, excluded.url),
            first_seen_date = least(s.first_seen_date, excluded.first_seen_date),
            last_seen_date = greatest(s.last_seen_date, excluded.last_seen_date)
        """)
    return {"fetches": fetches, "posts": posts}


def read_accounts(cur, *, account_ids=None, refs=None, platforms=None) -> list[Account]:
    """Inspected accounts, optionally only some (ids, ``平台:账号标识`` / ``账号标识`` refs, platforms)."""
    cur.execute(
        """
        select account_id, platform, name, platform_account_id, feed_url, account_type
        from registry.inspected_accounts order by account_id
        """)
    accounts = [Account(*row) for row in cur.fetchall()]
    if account_ids is not None:
        wanted = {int(x) for x in account_ids}
        accounts = [a for a in accounts if a.account_id in wanted]
    if platforms:
        accounts = [a for a in accounts if a.platform in set(platforms)]
    return accounts


def resolve_refs(accounts: list[Account], refs: list[str]) -> tuple[list[Account], list[str]]:
    """``--account`` values: a registry account_id, ``平台:账号标识`` or a bare 账号标识."""
    chosen: dict[int, Account] = {}
    problems = []
    for ref in refs:
        ref = ref.strip()
        hits = []
        if ref.isdigit():
            hits = [a for a in accounts if a.account_id == int(ref)]
        if not hits and ":" in ref:
            platform, _, ident = ref.partition(":")
            hits = [a for a in accounts if a.platform == platform.strip() and a.platform_account_id == ident.strip()]
        if not hits:
            hits = [a for a in accounts if a.platform_account_id == ref]
        if not hits:
            problems.append(f"--account {ref}: 受检名录中没有这个账号（可用 account_id、平台:账号标识 或 账号标识）")
        for a in hits:
            chosen[a.account_id] = a
    return list(chosen.values()), problems
