"""Links: what kind of resource a link points to, canonical URLs, and the classification of fetch
failures (the crawler passes exception names and messages, so this stays free of Twisted/Scrapy).

Fault classes: ``timeout``, ``connect`` (refused, unreachable), ``dns``, ``reset`` (connection
lost, no response), ``tls``, ``http_4xx``, ``http_5xx``, ``redirect_loop``, ``too_large``,
``robots_disallowed``, ``budget``, ``policy`` (not allowed by the crawl's network policy), ``trap``,
``bad_encoding``, ``parse_error``, ``empty_body``, ``other``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".tif", ".tiff")
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z", ".txt",
                  ".wps", ".et", ".ofd", ".ceb", ".csv", ".tar", ".gz", ".mp4", ".mp3", ".avi", ".flv", ".apk")
FAULT_CLASSES = ("timeout", "connect", "dns", "reset", "tls", "http_4xx", "http_5xx", "redirect_loop", "too_large",
                 "robots_disallowed", "budget", "policy", "trap", "bad_encoding", "parse_error", "empty_body", "other")
# failures that mean "we did not check" (or the resource exists but is huge), never "the link is broken"
NOT_CHECKED = ("robots_disallowed", "budget", "policy", "too_large")


def link_kind(url: str, tag: str = "a") -> str:
    """page | image | attachment."""
    path = urlsplit(url).path.lower()
    if tag in ("img",) or path.endswith(IMAGE_EXT):
        return "image"
    if path.endswith(ATTACHMENT_EXT):
        return "attachment"
    return "page"


def canonical(url: str) -> str:
    """Scheme and host lowercased, default port and fragment dropped, an empty path made ``/``."""
    sp = urlsplit(url)
    host = (sp.hostname or "").lower()
    port = sp.port
    if port and not ((sp.scheme == "http" and port == 80) or (sp.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return urlunsplit((sp.scheme.lower(), host, sp.path or "/", sp.query, ""))


def host_of(url: str) -> str:
    sp = urlsplit(url)
    return f"{(sp.hostname or '').lower()}:{sp.port or (443 if sp.scheme == 'https' else 80)}"


def status_class(status: int) -> str | None:
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return None


def classify_failure(exc_name: str, message: str = "") -> str:
    """A fault class from an exception's class name and message."""
    n, m = exc_name.lower(), (message or "").lower()
    if "max redirections" in m or "redirect" in m and "loop" in m:
        return "redirect_loop"
    if "robots.txt" in m:
        return "robots_disallowed"
    if "budget" in m:
        return "budget"
    if "policy" in m:
        return "policy"
    if "maxsize" in m or "max size" in m or "larger than download max size" in m or "download max size" in m:
        return "too_large"
    if "timeout" in n or "timed out" in m or "took longer than" in m:
        return "timeout"
    if "dnslookup" in n or "dns" in n or "no address associated" in m:
        return "dns"
    if "refused" in n or "refused" in m or "noroute" in n or "unreachable" in m or "connecterror" in n:
        return "connect"
    if "ssl" in n or "tls" in n or "certificate" in m:
        return "tls"
    if "connectionlost" in n or "responsenever" in n or "connectiondone" in n or "reset" in m or \
            "partialdownload" in n or "connection was closed" in m or "lost" in m:
        return "reset"
    if "cancel" in n and "size" in m:
        return "too_large"
    return "other"
