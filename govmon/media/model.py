"""What the collector knows about an account, and what one fetch of it saw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Outcome of one fetch of one account:
#   ok           read: the account exists; its posts (possibly none, when the platform says so)
#   empty        read, but it showed no posts and nothing confirms the account has none (a feed
#                with no items: the bridge may have failed quietly) → freshness unknown
#   vanished     the platform says the account is gone (注销, 迁移, 屏蔽, 不存在) → 搜索不到
#   blocked      refused: 403/418/429/432, login or cookie required, risk control → unknown
#   error        network error, 5xx, an unreadable or unrecognised response → unknown
#   unconfigured no 采集地址 and no way to build the platform's own URL → unknown
STATUSES = ("ok", "empty", "vanished", "blocked", "error", "unconfigured")
DECISIVE = ("ok", "empty", "vanished")

# Words a menu entry or toolbar item uses when it is an interaction channel (M-V3)
INTERACTION_WORDS = ("留言", "咨询", "互动", "信箱", "投诉", "建议", "问政", "反馈", "诉求", "12345", "聊天", "私信",
                     "联系")


@dataclass(frozen=True)
class Account:
    """An inspected account as the registry has it (registry.inspected_accounts)."""

    account_id: int
    platform: str
    name: str
    platform_account_id: str | None = None
    feed_url: str | None = None
    account_type: str | None = None


@dataclass
class Post:
    key: str                          # the platform's id (Weibo mid, WeChat mid_idx, feed guid …)
    published_at: datetime | None     # aware
    precision: str | None = None      # second | minute | hour | day
    published_raw: str | None = None  # as printed
    original: bool | None = None      # True 原创, False 转发/转载, None not shown
    deleted: bool = False
    hidden: bool = False
    pinned: bool = False
    title: str | None = None
    url: str | None = None


@dataclass
class Observation:
    """One fetch of one account: what the platform showed, or why nothing could be read."""

    account_id: int
    platform: str
    status: str
    reason: str | None = None          # 中文: why it is not ok (or a note)
    adapter: str | None = None         # the kind of endpoint recognised from the response
    source_url: str | None = None
    http_status: int | None = None
    fetched_at: datetime | None = None
    server_date: datetime | None = None
    reference_at: datetime | None = None
    live_name: str | None = None
    name_source: str | None = None     # profile | article | author | title | export
    account_exists: bool | None = None
    declared_posts: int | None = None  # what the platform says the account has (statuses_count …)
    posts: list[Post] = field(default_factory=list)
    complete: bool = False             # the whole timeline was read
    covers_from: datetime | None = None  # every post from here to reference_at is in ``posts``
    comments_open: bool | None = None
    menu: list[str] | None = None      # None: the platform does not show a menu here
    interaction_source: str | None = None
    requests: int = 0
    errors: int = 0
    elapsed_ms: int | None = None
    evidence: dict = field(default_factory=dict)

    def finish_posts(self) -> None:
        """Order posts newest first and set ``covers_from`` (pinned posts say nothing about coverage)."""
        self.posts.sort(key=lambda p: (p.published_at is None, -(p.published_at.timestamp() if p.published_at else 0)))
        seen: set[str] = set()
        unique = []
        for p in self.posts:
            if p.key in seen:
                continue
            seen.add(p.key)
            unique.append(p)
        self.posts = unique
        if self.complete:
            self.covers_from = None
            return
        dated = [p.published_at for p in self.posts if p.published_at is not None and not p.pinned]
        if dated:
            self.covers_from = min(dated)

    @property
    def newest_post_at(self) -> datetime | None:
        dated = [p.published_at for p in self.posts if p.published_at and not p.deleted and not p.hidden]
        return max(dated) if dated else None

    def note(self, text: str) -> None:
        self.evidence.setdefault("notes", []).append(text)
