"""Profiles: names or files, base + overrides, unknown keys refused."""

from __future__ import annotations

import pytest
import yaml

from govmon.profiles import ProfileError, load_profile


def test_national_has_the_contract_keys():
    p = load_profile()
    assert p.name == "national-2019"
    assert p["availability"] == {"window_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15,
                                 "max_fail_ratio": 0.05}
    assert p["homepage"] == {"max_days_without_update": 14}
    assert p["columns"] == {"dynamic_max_days": 14, "notice_policy_max_days": 183, "long_term_max_days": 365,
                            "stale_veto_count": 5, "long_term_veto_count": 10, "blank_veto_count": 5}
    assert p["interaction"] == {"max_reply_days": 90, "lookback_days": 365}
    assert p["newmedia"] == {"max_days_without_update": 14, "max_days_without_original": None}
    assert p.flat()["availability__max_fail_ratio"] == 0.05
    assert "links.other_broken_link_points" in p.unverified


def test_local_variants_override_single_keys():
    sx = load_profile("shaanxi-2025")
    assert sx.get("newmedia.max_days_without_original") == 90
    assert sx.get("newmedia.max_days_without_update") == 14  # from the base
    assert sx.chain == ("shaanxi-2025", "national-2019")
    county = load_profile("county-10d")
    assert county.get("newmedia.max_days_without_update") == 10


def test_a_file_with_a_base(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(yaml.safe_dump({"name": "mine", "base": "shaanxi-2025", "availability": {"timeout_seconds": 2}}))
    p = load_profile(str(f))
    assert p.get("availability.timeout_seconds") == 2
    assert p.get("availability.window_days") == 7
    assert p.get("newmedia.max_days_without_original") == 90
    assert p.chain == ("mine", "shaanxi-2025", "national-2019")


@pytest.mark.parametrize("body,msg", [
    ({"name": "x", "base": "national-2019", "availability": {"timeout_secs": 2}}, "未知的键 availability.timeout_secs"),
    ({"name": "x", "base": "national-2019", "speed": {"a": 1}}, "未知的键 speed"),
    ({"name": "x", "availability": {"timeout_seconds": 2}}, "须写明 base"),
    ({"name": "x", "base": "nope"}, "找不到检查方案 nope"),
    ({"name": "x", "base": "SELF"}, "循环引用"),
])
def test_bad_profiles(tmp_path, body, msg):
    f = tmp_path / "x.yaml"
    if body.get("base") == "SELF":
        body = {**body, "base": str(f)}
    f.write_text(yaml.safe_dump(body, allow_unicode=True))
    with pytest.raises(ProfileError, match=msg):
        load_profile(str(f))
