"""The raw tables the spiders fill, and the order of their columns in the COPY stream.

Each item the spiders yield is a dict with ``_table`` naming one of these; the pipeline writes the
listed columns in this order (missing keys are NULL). ``crawl_run_id`` and ``site_id`` lead every
row: a run is loaded per (run, site), deleting that pair's rows first.
"""

from __future__ import annotations

TABLES: dict[str, tuple[str, ...]] = {
    "gov_site__site_crawls": (
        "crawl_run_id", "site_id", "spider", "shard", "homepage_url", "final_url", "started_at", "finished_at", "outcome",
        "fail_class", "fail_detail", "homepage_status", "encoding", "declared_charset", "encoding_mismatch",
        "navigation_only", "homepage_items", "homepage_dated", "nav_links", "columns_found", "letters_url",
        "letters_status", "robots_status", "robots_txt", "pages_fetched", "links_checked", "faults", "budget_hit"),
    "gov_site__pages": (
        "crawl_run_id", "site_id", "url", "final_url", "kind", "status", "content_type", "encoding",
        "declared_charset", "bytes", "fetched_at", "elapsed_ms", "title"),
    "gov_site__columns": (
        "crawl_run_id", "site_id", "column_url", "name", "kind", "level", "parent_url", "found_on", "column_type",
        "type_source", "meta_column_name", "meta_column_type", "list_status", "list_fetched_at", "fail_class",
        "pages_crawled", "items_seen", "dated_items", "list_latest_date", "is_blank", "blank_marker", "stop_reason"),
    "gov_site__list_items": (
        "crawl_run_id", "site_id", "column_url", "item_url", "list_url", "page_no", "position", "title", "date_text",
        "list_date", "year_shown"),
    "gov_site__homepage_items": (
        "crawl_run_id", "site_id", "item_url", "position", "title", "date_text", "list_date", "year_shown"),
    "gov_site__articles": (
        "crawl_run_id", "site_id", "url", "column_url", "title", "pub_date", "pub_at", "date_source",
        "meta_column_name", "meta_column_type", "fetched_at"),
    "gov_site__links": (
        "crawl_run_id", "site_id", "url", "parent_url", "on_homepage", "tag", "link_kind", "is_outbound", "method",
        "status", "final_url", "error_class", "error_detail", "checked_at", "elapsed_ms"),
    "gov_site__letters": (
        "crawl_run_id", "site_id", "list_url", "page_no", "position", "letter_url", "title", "asked_text",
        "asked_date", "replied_text", "replied_date", "status_text"),
    "gov_site__identity": (
        "crawl_run_id", "site_id", "page_url", "footer_site_code", "footer_icp", "footer_police", "footer_organizer",
        "meta_site_code", "meta_site_name", "meta_site_domain", "footer_excerpt"),
    "gov_site__faults": (
        "crawl_run_id", "site_id", "url", "parent_url", "request_kind", "fault_class", "http_status", "detail",
        "occurred_at"),
    "gov_site__snapshots": (
        "crawl_run_id", "site_id", "url", "fetched_at", "http_status", "content_type", "sha256", "raw_bytes",
        "body_zlib"),
}

# deleted children first: the per-site crawl row goes last so a half-loaded site never looks complete
LOAD_ORDER = ("gov_site__pages", "gov_site__columns", "gov_site__list_items", "gov_site__homepage_items",
              "gov_site__articles", "gov_site__links", "gov_site__letters", "gov_site__identity", "gov_site__faults",
              "gov_site__snapshots", "gov_site__site_crawls")
assert set(LOAD_ORDER) == set(TABLES)
