"""The one interface every platform adapter implements.

The collector fetches an account's start URL and hands the response to the first adapter that
recognises it *from the response itself* (CONTRACT.md §1 采集地址: the kind of endpoint is never
guessed from the URL). The adapter then fills the account's :class:`Observation`: status, live
name, existence, posts, interaction capability. It may make follow-up requests (the timeline after
a profile, the next page, the newest article for its comment switch) through ``ctx.get``, which goes
through the same rate limits and is recorded in the evidence.
"""

from __future__ import annotations

import hashlib
import html
import re
from urllib.parse import urlsplit

from govmon.media.http import BLOCK_STATUSES, Document, FetchError, Fetcher, HostStopped
from govmon.media.model import Account, Observation
from govmon.media.settings import MediaSettings, host_key

# what platforms and bridges say when an account is gone
VANISHED_WORDS = ("已注销", "自主注销", "已迁移", "已被屏蔽", "已被封禁", "被封禁", "已封禁", "账号不存在", "帐号不存在",
                  "用户不存在", "该账号不存在", "已冻结", "这里还没有内容", "搜索不到", "已停用")


class Adapter:
    """Base class: ``recognizes`` a response, ``read``s the account from it."""

    kind = "base"

    def recognizes(self, doc: Document) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    async def read(self, doc: Document, ctx: "ReadContext") -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ReadContext:
    """What an adapter may use while reading one account."""

    def __init__(self, fetcher: Fetcher | None, settings: MediaSettings, account: Account, obs: Observation):
        self.fetcher = fetcher
        self.settings = settings
        self.account = account
        self.obs = obs
        self.counter: dict = {}

    async def get(self, url: str, purpose: str) -> Document | None:
        """A follow-up request. None (with a note) when it could not be made or was refused."""
        if self.fetcher is None:
            self.obs.note(f"{purpose}：未请求（离线解析）")
            return None
        urls = self.obs.evidence.setdefault("requests", [])
        urls.append(url)
        try:
            doc = await self.fetcher.get(url, counter=self.counter)
        except HostStopped:
            self.obs.note(f"{purpose}：本轮已停止访问该平台（多次被拒绝）")
            return None
        except FetchError as exc:
            self.obs.note(f"{purpose}：{exc.message}")
            return None
        if doc.status in BLOCK_STATUSES or doc.status >= 400:
            self.obs.note(f"{purpose}：HTTP {doc.status}")
            return None
        return doc

    def same_platform(self, url: str, *families: str) -> bool:
        """Whether ``url`` is on one of the configured platform hosts (weibo / wechat)."""
        try:
            key = host_key(url)
        except ValueError:
            return False
        return self.settings.family_of_host(key) in families


def strip_tags(text: str | None, limit: int = 120) -> str | None:
    if not text:
        return None
    plain = html.unescape(re.sub(r"<[^>]+>", "", str(text)))
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain[:limit] or None


def has_vanished_words(text: str) -> str | None:
    for w in VANISHED_WORDS:
        if w in text:
            return w
    return None


def origin(url: str) -> str:
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}"


def normalize_name(name: str | None) -> str:
    return re.sub(r"[\s\u3000]+", "", name or "")


def stable_key(*parts) -> str:
    """A post key for sources that give none (stable across processes, unlike hash())."""
    return hashlib.blake2b("|".join(map(str, parts)).encode("utf-8"), digest_size=10).hexdigest()


def url_key(value: str) -> str:
    """A post key from a URL-like id without scheme and host, so a bridge or mirror that moves
    (another host or port) does not make every post new."""
    u = urlsplit(value)
    if u.scheme in ("http", "https") and u.netloc:
        rest = u.path + (f"?{u.query}" if u.query else "") + (f"#{u.fragment}" if u.fragment else "")
        return rest or value
    return value
