"""New-media collection (政务新媒体采集): read each inspected account's timeline and keep what
the platform showed.

Per account and fetch the collector records the live name (for 已改名), whether the account still
exists (for 搜索不到), the posts with publish time and original/repost flag, and the interaction
capability where the platform shows it (comments open, menu entries). A fetch that fails (blocked,
cookie expired, feed down, 418/432) is recorded with its reason; it is never read as "not updated".

- ``govmon.media.settings``   base URLs (CONTRACT.md §2), rate limits, cookies, routes
- ``govmon.media.http``       the HTTP client: per-host rate limits, backoff on 403/418/429/432
- ``govmon.media.dates``      the dates platforms print (刚刚, 5分钟前, 昨天 10:20, RFC 822 variants …)
- ``govmon.media.adapters``   the common interface; ``weibo``, ``wechat``, ``feeds``, ``csvimport``
- ``govmon.media.collect``    which URL to read for an account, and the run over many accounts
- ``govmon.media.load``       bulk load (COPY) into raw.media__*, idempotent per collection day
- ``govmon.media.health``     collector health for the CLI and dashboards
"""
