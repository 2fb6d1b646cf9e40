"""Fault settings of sites and accounts: validation, normalisation and the deterministic
failure schedule.

Faults are plain dicts (small, JSON-serialisable, replaceable at runtime through the control
endpoint). ``normalize_site_faults`` / ``normalize_account_faults`` validate a dict and return the
canonical form; errors name the key path.
"""

from __future__ import annotations

from fractions import Fraction

FAIL_MODES = ("timeout", "5xx", "reset", "empty")
VANISHED_STYLES = ("deleted", "migrated", "banned", "empty")
DEFAULT_HANG_SECONDS = 300.0


class FaultError(ValueError):
    pass


def _bool(path, v):
    if not isinstance(v, bool):
        raise FaultError(f"{path}: expected true or false, got {v!r}")
    return v


def _int(path, v, lo=0, hi=None):
    if isinstance(v, bool) or not isinstance(v, int):
        raise FaultError(f"{path}: expected an integer, got {v!r}")
    if v < lo or (hi is not None and v > hi):
        raise FaultError(f"{path}: {v} out of range [{lo}, {hi if hi is not None else '∞'}]")
    return v


def _ratio(path, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise FaultError(f"{path}: expected a ratio between 0 and 1, got {v!r}")
    if not 0 <= v <= 1:
        raise FaultError(f"{path}: {v} is not between 0 and 1")
    return float(v)


def _status_5xx(path, v):
    if v is True:
        return 503
    v = _int(path, v, 500, 599)
    return v


def _path_or_bool(path, v):
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.startswith("/"):
        return v
    raise FaultError(f"{path}: expected true/false or an absolute path like /col/tzgg/index.html, got {v!r}")


_IDENTITY_KEYS = ("site_code", "name", "organizer", "icp", "police")


def _identity(path, v):
    if isinstance(v, bool):
        return v
    if isinstance(v, dict):
        bad = sorted(set(v) - set(_IDENTITY_KEYS))
        if bad:
            raise FaultError(f"{path}.{bad[0]}: unknown key (allowed: {', '.join(_IDENTITY_KEYS)})")
        out = {}
        for k, val in v.items():
            if not isinstance(val, (str, int)) or isinstance(val, bool):
                raise FaultError(f"{path}.{k}: expected a string")
            out[k] = str(val)
        return out
    raise FaultError(f"{path}: expected true/false or a mapping of footer/meta values")


SITE_FAULTS = {
    "down": _bool,
    "slow_ms": lambda p, v: _int(p, v, 0, 3_600_000),
    "timeout": _bool,
    "timeout_share": _ratio,
    "hang_seconds": lambda p, v: _ratio_pos(p, v),
    "http_5xx": _status_5xx,
    "error_share": _ratio,
    "fail_ratio": _ratio,
    "fail_mode": None,  # checked below
    "fail_status": lambda p, v: _int(p, v, 500, 599),
    "broken_links": lambda p, v: _int(p, v, 0, 1000),
    "broken_outbound": lambda p, v: _int(p, v, 0, 250),
    "broken_image": _bool,
    "blank_columns": lambda p, v: _int(p, v, 0, 40),
    "redirect_loop": _path_or_bool,
    "pagination_trap": _bool,
    "calendar_trap": _bool,
    "identity_mismatch": _identity,
}


def _ratio_pos(path, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise FaultError(f"{path}: expected a positive number of seconds, got {v!r}")
    return float(v)


def normalize_site_faults(data, path="faults") -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FaultError(f"{path}: expected a mapping, got {type(data).__name__}")
    out: dict = {}
    for key, value in data.items():
        kp = f"{path}.{key}"
        if key not in SITE_FAULTS:
            raise FaultError(f"{kp}: unknown fault (allowed: {', '.join(SITE_FAULTS)})")
        if value is None:
            continue
        if key == "fail_mode":
            if value not in FAIL_MODES:
                raise FaultError(f"{kp}: {value!r} is not one of {', '.join(FAIL_MODES)}")
            out[key] = value
        else:
            out[key] = SITE_FAULTS[key](kp, value)
    shares = [k for k in ("fail_ratio", "timeout_share", "error_share") if out.get(k)]
    if len(shares) > 1:
        raise FaultError(f"{path}: give only one of fail_ratio, timeout_share, error_share (got {', '.join(shares)})")
    if "fail_mode" in out and not out.get("fail_ratio"):
        raise FaultError(f"{path}.fail_mode: only meaningful with fail_ratio")
    # canonical form: timeout_share / error_share are fail_ratio with a mode
    if out.get("timeout_share"):
        out["fail_ratio"], out["fail_mode"] = out.pop("timeout_share"), "timeout"
    elif "timeout_share" in out:
        out.pop("timeout_share")
    if out.get("error_share"):
        out["fail_ratio"], out["fail_mode"] = out.pop("error_share"), "5xx"
    elif "error_share" in out:
        out.pop("error_share")
    if out.get("fail_ratio"):
        out.setdefault("fail_mode", "5xx")
    # drop falsy values so the canonical form is minimal
    return {k: v for k, v in out.items() if v not in (False, 0, 0.0)}


def merge_site_faults(current: dict, patch: dict, path="faults") -> dict:
    """Runtime update: keys in ``patch`` replace, ``null`` removes."""
    if not isinstance(patch, dict):
        raise FaultError(f"{path}: expected a JSON object")
    merged = dict(current)
    # a new share replaces the old one whatever its name
    if any(k in patch for k in ("fail_ratio", "timeout_share", "error_share")):
        merged.pop("fail_ratio", None)
        merged.pop("fail_mode", None)
    for k, v in patch.items():
        if v is None:
            merged.pop(k, None)
            if k == "fail_ratio":
                merged.pop("fail_mode", None)
        else:
            merged[k] = v
    return normalize_site_faults(merged, path)


def _vanished(path, v):
    if v is True:
        return "deleted"
    if v is False:
        return False
    if v in VANISHED_STYLES:
        return v
    raise FaultError(f"{path}: expected true/false or one of {', '.join(VANISHED_STYLES)}, got {v!r}")


def _blocked(path, v):
    if v is True:
        return 418
    if v is False:
        return False
    if v in (418, 432, 403):
        return v
    raise FaultError(f"{path}: expected true/false, 418, 432 or 403, got {v!r}")


ACCOUNT_FAULTS = {
    "vanished": _vanished,
    "blocked": _blocked,
    "feed_down": _status_5xx,
    "slow_ms": lambda p, v: _int(p, v, 0, 3_600_000),
}


def normalize_account_faults(data, path="faults") -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FaultError(f"{path}: expected a mapping, got {type(data).__name__}")
    out = {}
    for key, value in data.items():
        kp = f"{path}.{key}"
        if key not in ACCOUNT_FAULTS:
            raise FaultError(f"{kp}: unknown fault (allowed: {', '.join(ACCOUNT_FAULTS)})")
        if value is None or value is False:
            continue
        out[key] = ACCOUNT_FAULTS[key](kp, value)
    return {k: v for k, v in out.items() if v not in (False, 0)}


def merge_account_faults(current: dict, patch: dict, path="faults") -> dict:
    if not isinstance(patch, dict):
        raise FaultError(f"{path}: expected a JSON object")
    merged = dict(current)
    for k, v in patch.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    return normalize_account_faults(merged, path)


def _exact(r: float) -> Fraction:
    return Fraction(repr(r)).limit_denominator(10**9)


def scheduled_failure(ratio: float, n: int) -> bool:
    """Deterministic: the n-th request (from 0) fails iff floor((n+1)*r) > floor(n*r).

    Exactly floor(k*r) of the first k requests fail, e.g. 1 in 20 at r = 0.05 (request n = 19).
    """
    if not ratio:
        return False
    r = _exact(ratio)
    return ((n + 1) * r).__floor__() > (n * r).__floor__()


def homepage_failure(faults: dict, n: int) -> str | None:
    """The failure mode of the n-th homepage request of a site, or None when it succeeds."""
    if faults.get("timeout"):
        return "timeout"
    if faults.get("http_5xx"):
        return "5xx"
    ratio = faults.get("fail_ratio")
    if ratio and scheduled_failure(ratio, n):
        return faults.get("fail_mode", "5xx")
    return None


def failure_share(faults: dict, timeout_seconds: float = 15.0) -> float:
    """The share of homepage probes that fail (used by the expectation generator)."""
    if faults.get("down") or faults.get("timeout") or faults.get("http_5xx"):
        return 1.0
    if faults.get("redirect_loop") is True:
        return 1.0
    if faults.get("slow_ms", 0) >= timeout_seconds * 1000:
        return 1.0
    return float(faults.get("fail_ratio") or 0.0)
