"""A small Superset REST client (standard library only): log in as a user, call the API.

Used by the tests and ``govmon dashboards check`` to run every chart's data query as a given user,
the way the browser does (session cookie + CSRF token).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request


class SupersetAPIError(RuntimeError):
    def __init__(self, status: int, url: str, body: str):
        super().__init__(f"{status} {url}: {body[:800]}")
        self.status = status
        self.body = body


class SupersetClient:
    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        # no proxies: Superset is on loopback and nothing else is reached
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf: str | None = None

    def _open(self, req: urllib.request.Request):
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace"), resp.geturl()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), req.full_url

    def login(self, username: str, password: str) -> "SupersetClient":
        status, page, _ = self._open(urllib.request.Request(f"{self.base_url}/login/"))
        m = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', page)
        if status != 200 or not m:
            raise SupersetAPIError(status, "/login/", page)
        form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": m.group(1)}).encode()
        self._open(urllib.request.Request(f"{self.base_url}/login/", data=form, method="POST"))
        status, body, _ = self._open(urllib.request.Request(f"{self.base_url}/api/v1/me/"))
        if status != 200 or json.loads(body)["result"]["username"] != username:
            raise SupersetAPIError(status, f"login as {username}", body)
        self.csrf = self.get("/api/v1/security/csrf_token/")["result"]
        return self

    def request(self, method: str, path: str, payload=None, params: dict | None = None):
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Accept": "application/json", "Referer": self.base_url + "/"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        status, body, _ = self._open(urllib.request.Request(url, data=data, method=method, headers=headers))
        if status >= 400:
            raise SupersetAPIError(status, path, body)
        return json.loads(body) if body else None

    def get(self, path: str, **params):
        return self.request("GET", path, params={k: (json.dumps(v) if isinstance(v, (dict, list)) else v)
                                                 for k, v in params.items()} or None)

    def post(self, path: str, payload):
        return self.request("POST", path, payload)

    # ---- the things the tests and checks need ----------------------------------------------------

    def list_all(self, resource: str, columns: list[str] | None = None) -> list[dict]:
        out, page = [], 0
        while True:
            q = {"page": page, "page_size": 100}
            if columns:
                q["columns"] = columns
            res = self.get(f"/api/v1/{resource}/", q=_rison(q))
            out += res["result"]
            if len(out) >= res["count"] or not res["result"]:
                return out
            page += 1

    def chart_data(self, chart_id: int) -> dict:
        """Run a saved chart's query (its stored query_context), as this user."""
        return self.get(f"/api/v1/chart/{chart_id}/data/")

    def query(self, dataset_id: int, *, columns=(), metrics=(), filters=(), row_limit: int = 100000,
              orderby=()) -> list[dict]:
        """An ad hoc query on a dataset through the chart data API (what explore sends)."""
        payload = {
            "datasource": {"id": dataset_id, "type": "table"},
            "force": True,
            "queries": [{"columns": list(columns), "metrics": list(metrics), "filters": list(filters),
                         "orderby": list(orderby), "row_limit": row_limit, "extras": {}}],
            "result_format": "json",
            "result_type": "full",
        }
        res = self.post("/api/v1/chart/data", payload)
        return res["result"][0]["data"]


def _rison(value) -> str:
    """Enough of rison (the API's query encoding) for flat dicts of ints, strings and lists."""
    if isinstance(value, dict):
        return "(" + ",".join(f"{k}:{_rison(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        return "!(" + ",".join(_rison(v) for v in value) + ")"
    if isinstance(value, bool):
        return "!t" if value else "!f"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", text):
        return text
    return "'" + text.replace("!", "!!").replace("'", "!'") + "'"
