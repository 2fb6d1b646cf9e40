"""Profiles: every threshold a verdict uses (CONTRACT.md §3), versioned, in YAML.

``load_profile("national-2019")`` reads ``profiles/national-2019.yaml``; a path to a YAML file works
too. A file may name a ``base:`` profile and override single keys; a key missing from a file falls
back to its base; a key the national profile does not have is an error. Thresholds live here,
never in code.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govmon import config

DEFAULT_PROFILE = "national-2019"
META_KEYS = {"name", "version", "description", "base", "unverified"}


class ProfileError(ValueError):
    pass


def profiles_dir() -> Path:
    return config.PROJECT_ROOT / "profiles"


@dataclass(frozen=True)
class Profile:
    name: str
    version: int
    description: str
    values: dict
    unverified: tuple[str, ...] = ()
    chain: tuple[str, ...] = field(default=())  # this profile and its bases, nearest first

    def get(self, dotted: str):
        node = self.values
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"profile {self.name} has no key {dotted}")
            node = node[part]
        return node

    def __getitem__(self, section: str) -> dict:
        return self.values[section]

    def flat(self) -> dict[str, object]:
        """``{"availability__window_days": 7, …}``: the form SQL checks take as parameters."""
        return {f"{sec}__{key}": val for sec, keys in self.values.items() for key, val in keys.items()}

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


def _read(ref: str | Path) -> tuple[dict, Path]:
    path = Path(ref)
    if not (path.suffix in (".yaml", ".yml") and path.exists()):
        path = profiles_dir() / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in profiles_dir().glob("*.yaml")))
        raise ProfileError(f"找不到检查方案 {ref}（已有：{known}；也可给出 YAML 文件路径）")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: 应为键值映射")
    return data, path


def _schema() -> dict:
    data, _ = _read(DEFAULT_PROFILE)
    return {k: v for k, v in data.items() if k not in META_KEYS}


def _check_keys(data: dict, schema: dict, path: Path) -> None:
    for sec, keys in data.items():
        if sec in META_KEYS:
            continue
        if sec not in schema:
            raise ProfileError(f"{path}: 未知的键 {sec}")
        if not isinstance(keys, dict):
            raise ProfileError(f"{path}: {sec} 应为键值映射")
        for key in keys:
            if key not in schema[sec]:
                raise ProfileError(f"{path}: 未知的键 {sec}.{key}")


def load_profile(ref: str | Path | None = None, _seen: tuple[str, ...] = ()) -> Profile:
    ref = ref or DEFAULT_PROFILE
    data, path = _read(ref)
    schema = _schema()
    _check_keys(data, schema, path)
    name = str(data.get("name") or path.stem)
    if name in _seen:
        raise ProfileError(f"{path}: base 循环引用：{' → '.join(_seen + (name,))}")
    base_ref = data.get("base")
    if base_ref:
        base = load_profile(base_ref, _seen + (name,))
        values = copy.deepcopy(base.values)
        unverified = list(base.unverified)
        chain = (name,) + base.chain
    elif name == DEFAULT_PROFILE:
        values, unverified, chain = {}, [], (name,)
    else:
        raise ProfileError(f"{path}: 须写明 base（例如 base: {DEFAULT_PROFILE}）")
    for sec, keys in data.items():
        if sec in META_KEYS:
            continue
        values.setdefault(sec, {}).update(copy.deepcopy(keys))
    for item in data.get("unverified") or []:
        if item not in unverified:
            unverified.append(item)
    return Profile(name=name, version=int(data.get("version", 1)), description=str(data.get("description", "")),
                   values=values, unverified=tuple(unverified), chain=chain)
