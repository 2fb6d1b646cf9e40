"""Headless Chromium over the DevTools protocol on a pipe (standard library only).

Used to screenshot the dashboards as a viewer sees them (tests, ``govmon dashboards screenshot``).
Chromium (Debian package ``chromium``) starts with a fresh profile, no first-run, background,
component-update or sync traffic, and a host resolver that maps every name but the loopback ones
to nothing, so a page can reach 127.0.0.0/8 only. Every request the page makes is recorded
(:attr:`Page.requests`), so a caller can assert none left the machine.

    with Browser() as browser:
        page = browser.new_page(1600, 1000)
        page.login("http://127.0.0.1:8088", "admin", "…")
        result = page.open_dashboard("http://127.0.0.1:8088", "govmon-overview")
        page.screenshot(Path("overview.png"))
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
    "--lang=zh-CN", "--font-render-hinting=none",
    # resolve nothing but loopback: a page cannot leave 127.0.0.0/8 even if it tried
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=direct://", "--proxy-bypass-list=*",
)


class BrowserError(RuntimeError):
    pass


def _high_fd(fd: int) -> int:
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def find_chromium() -> str | None:
    explicit = os.environ.get("GOVMON_CHROMIUM", "").strip()
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Request:
    request_id: str
    url: str
    method: str
    post_data: str | None = None
    status: int | None = None
    failed: str | None = None
    finished: bool = False


class Browser:
    def __init__(self, binary: str | None = None, log_file: Path | None = None):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("找不到 Chromium：apt-get install chromium（或设置 GOVMON_CHROMIUM）")
        self.log_file = log_file
        self._ids = itertools.count(1)
        self._pending: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._listeners: dict[str, list] = {}
        self._profile: tempfile.TemporaryDirectory | None = None
        self.proc: subprocess.Popen | None = None

    # ---- process and transport ---------------------------------------------------------------
    def start(self) -> "Browser":
        self._profile = tempfile.TemporaryDirectory(prefix="govmon-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # the child's ends above fd 9, so moving them onto 3 and 4 cannot clobber one another
        to_chrome_r, from_chrome_w = (_high_fd(to_chrome_r), _high_fd(from_chrome_w))
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        # Chromium reads commands on fd 3 and writes replies on fd 4 (--remote-debugging-pipe). The
        # pipe ends sit above fd 9 and close on exec; only their copies on 3 and 4 are inherited.
        def pipe_fds() -> None:
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        cmd = [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe",
               "about:blank"]
        self.proc = subprocess.Popen(cmd, close_fds=False, preexec_fn=pipe_fds, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.send("Browser.getVersion", timeout=60)
        return self

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._cond:
                        self._pending[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    for fn in list(self._listeners.get(msg.get("sessionId", ""), [])):
                        fn(msg["method"], msg.get("params", {}))

    _closed = False

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30):
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._pending:
                if self._closed:
                    raise BrowserError(f"Chromium exited during {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"{method}: no answer in {timeout:.0f} s")
                self._cond.wait(left)
            reply = self._pending.pop(msg_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                self.send("Browser.close", timeout=5)
            except (BrowserError, OSError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for fd in ("_to_chrome", "_from_chrome"):
            try:
                os.close(getattr(self, fd))
            except (OSError, AttributeError):
                pass
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def __enter__(self) -> "Browser":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- pages ---------------------------------------------------------------------------------
    def new_page(self, width: int = 1600, height: int = 1000) -> "Page":
        """A tab in its own browser context: cookies (the Superset session) are not shared between pages."""
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, width, height)
        self._listeners.setdefault(session, []).append(page._on_event)
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        page.set_size(width, height)
        return page


@dataclass
class DashboardResult:
    slug: str
    title: str
    charts: int                                   # chart containers on the page
    data_requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error messages shown in chart slots

    def final_chart_requests(self) -> dict[int, Request]:
        """The last data request of each chart (earlier ones are superseded when the dashboard's
        filters settle: the browser aborts them)."""
        out: dict[int, Request] = {}
        for r in self.data_requests:
            query = parse_qs(urlsplit(r.url).query)
            try:
                slice_id = json.loads(query["form_data"][0])["slice_id"]
            except (KeyError, ValueError, TypeError):
                continue
            if r.failed != "net::ERR_ABORTED":
                out[slice_id] = r
        return out


class Page:
    def __init__(self, browser: Browser, session: str, width: int, height: int):
        self.browser = browser
        self.session = session
        self.width, self.height = width, height
        self.requests: dict[str, Request] = {}
        self._loaded = threading.Event()
        self.console_errors: list[str] = []

    def _on_event(self, method: str, params: dict) -> None:
        if method == "Page.loadEventFired":
            self._loaded.set()
        elif method == "Network.requestWillBeSent":
            req = params["request"]
            self.requests[params["requestId"]] = Request(params["requestId"], req["url"], req["method"],
                                                          req.get("postData"))
        elif method == "Network.responseReceived":
            r = self.requests.get(params["requestId"])
            if r:
                r.status = params["response"]["status"]
        elif method == "Network.loadingFinished":
            r = self.requests.get(params["requestId"])
            if r:
                r.finished = True
        elif method == "Network.loadingFailed":
            r = self.requests.get(params["requestId"])
            if r:
                r.failed = params.get("blockedReason") or params.get("errorText") or "failed"
                r.finished = True
        elif method == "Runtime.exceptionThrown":
            self.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))

    def send(self, method: str, params: dict | None = None, timeout: float = 30):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def set_size(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url: str, timeout: float = 60) -> None:
        self._loaded.clear()
        self.send("Page.navigate", {"url": url})
        if not self._loaded.wait(timeout):
            raise BrowserError(f"{url}: not loaded in {timeout:.0f} s")

    def evaluate(self, expression: str, timeout: float = 30):
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                        timeout=timeout)
        if "exceptionDetails" in res:
            raise BrowserError(f"script failed: {res['exceptionDetails'].get('text')} "
                               f"{res['exceptionDetails'].get('exception', {}).get('description', '')}")
        return res.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 60, interval: float = 0.25):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(interval)
        raise BrowserError(f"timed out after {timeout:.0f} s waiting for: {expression[:200]}")

    def response_body(self, request_id: str) -> str:
        res = self.send("Network.getResponseBody", {"requestId": request_id})
        body = res.get("body", "")
        return base64.b64decode(body).decode("utf-8", "replace") if res.get("base64Encoded") else body

    # ---- Superset ------------------------------------------------------------------------------
    def login(self, base_url: str, username: str, password: str) -> None:
        """Log in through Superset's own login form (session cookie in this browser)."""
        self.navigate(f"{base_url}/login/")
        script = f"""(async () => {{
            const token = document.getElementById('csrf_token').value;
            const body = new URLSearchParams({{username: {json.dumps(username)}, password: {json.dumps(password)},
                                               csrf_token: token}});
            await fetch('/login/', {{method: 'POST', body, credentials: 'same-origin'}});
            const me = await fetch('/api/v1/me/', {{credentials: 'same-origin'}});
            return me.status === 200 ? (await me.json()).result.username : String(me.status);
        }})()"""
        who = self.evaluate(script)
        if who != username:
            raise BrowserError(f"login as {username} failed (GET /api/v1/me/ → {who})")

    def open_dashboard(self, base_url: str, slug: str, timeout: float = 120) -> DashboardResult:
        """Open a dashboard, wait until every chart slot has rendered data or an error."""
        self.requests.clear()
        self.navigate(f"{base_url}/superset/dashboard/{slug}/?standalone=0", timeout=timeout)
        self.wait_for("document.querySelectorAll('.dashboard-component-chart-holder').length > 0", timeout)
        # settled: no chart is loading, every chart-data request has finished, for a second in a row
        settled = """(() => {
            const holders = document.querySelectorAll('.dashboard-component-chart-holder');
            const loading = document.querySelectorAll('.dashboard-component-chart-holder .loading, '
                + '.dashboard-component-chart-holder [aria-label="Loading"]').length;
            return holders.length > 0 && loading === 0;
        })()"""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            busy = [r for r in self.requests.values() if "/api/v1/chart/data" in r.url and not r.finished]
            if not busy and self.evaluate(settled):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 1.5:
                    break
            else:
                quiet_since = None
            time.sleep(0.25)
        else:
            raise BrowserError(f"dashboard {slug}: charts still loading after {timeout:.0f} s")
        time.sleep(1.0)  # let ECharts finish its entry animation before anything looks at the page
        info = self.evaluate("""(() => ({
            title: (document.querySelector('[data-test="editable-title-input"]') || {}).value
                   || document.title,
            charts: document.querySelectorAll('[data-test="chart-grid-component"]').length,
            errors: Array.from(document.querySelectorAll(
                '.dashboard-component-chart-holder [role="alert"], .dashboard-component-chart-holder .alert-danger'))
                .map(e => e.innerText.trim()).filter(Boolean),
        }))()""")
        data = [r for r in self.requests.values() if "/api/v1/chart/data" in r.url and r.method == "POST"]
        return DashboardResult(slug, info["title"], info["charts"], data, info["errors"])

    def content_height(self) -> int:
        """The dashboard's height in CSS pixels (the page's, outside a dashboard)."""
        return int(self.evaluate("""(() => {
            const parts = document.querySelectorAll('.dashboard-component-chart-holder, .dashboard-markdown');
            let bottom = 0;
            parts.forEach(p => { bottom = Math.max(bottom, p.getBoundingClientRect().bottom + window.scrollY); });
            return Math.ceil(Math.max(bottom ? bottom + 32 : document.documentElement.scrollHeight, 400));
        })()"""))

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """PNG of the viewport, clipped to the content's height when ``full_page``.

        Open the page in a viewport tall enough for it: resizing the viewport, or Chromium's
        capture-beyond-viewport, makes Superset lay the dashboard out again and redraw every chart."""
        params: dict = {"format": "png"}
        if full_page:
            height = min(self.content_height(), self.height)
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}
        shot = self.send("Page.captureScreenshot", params, timeout=60)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def offsite_requests(self) -> list[Request]:
        """Requests the page started to anywhere but 127.0.0.0/8 (data: and blob: URLs are local);
        ``failed == 'csp'`` means the page's Content-Security-Policy stopped it before the network."""
        out = []
        for r in self.requests.values():
            parts = urlsplit(r.url)
            if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
                continue
            host = parts.hostname or ""
            if not (host.startswith("127.") or host == "localhost"):
                out.append(r)
        return out
