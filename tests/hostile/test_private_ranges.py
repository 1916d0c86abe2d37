"""Row 9 of the attack run: opting in to private addresses no longer opens link-local and cloud metadata.

The policy function is checked on IP literals only: no name is looked up
and no packet is sent anywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.netpolicy import BlockedAddress, check_url
from core.sources import load_source
from core.yamlconfig import ConfigError

METADATA = ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/", "http://169.254.0.1:8080/"]
OTHER_NEVER = ["http://0.0.0.0/", "http://224.0.0.1/", "http://240.0.0.1/"]
LOOPBACK = ["http://127.0.0.1:8765/", "http://127.9.9.9/", "http://[::1]/"]
PRIVATE = ["http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/", "http://[fd00::1]/"]


@pytest.mark.parametrize("url", METADATA + OTHER_NEVER)
@pytest.mark.parametrize("allow", [True, "loopback", ["loopback", "10.0.0.0/8"]])
def test_link_local_metadata_and_odd_ranges_stay_refused_under_broad_opt_ins(url: str, allow: object) -> None:
    with pytest.raises(BlockedAddress, match="refused"):
        check_url(url, allow)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_opt_in_opens_loopback_only(url: str) -> None:
    check_url(url, "loopback")
    check_url(url, ["loopback"])
    for other in PRIVATE:
        with pytest.raises(BlockedAddress, match="refused"):
            check_url(other, "loopback")


def test_a_cidr_list_opens_exactly_its_ranges() -> None:
    allow = ["10.8.0.0/16", "169.254.169.254/32", "fd00::/8"]
    for url in ("http://10.8.1.2/", "http://169.254.169.254/latest/", "http://[fd00::1]/"):
        check_url(url, allow)
    for url in ("http://10.9.0.1/", "http://169.254.169.253/", "http://127.0.0.1/", "http://192.168.1.1/"):
        with pytest.raises(BlockedAddress, match="refused"):
            check_url(url, allow)


def test_true_still_opens_loopback_and_private_ranges() -> None:
    for url in LOOPBACK + PRIVATE:
        check_url(url, True)


def test_the_refusal_says_how_to_allow_exactly_one_address() -> None:
    with pytest.raises(BlockedAddress, match=r"169\.254\.169\.254/32"):
        check_url("http://169.254.169.254/", True)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("loopback", True),
        ("[loopback, 10.8.0.0/16]", True),
        ("['fd00::/8']", True),
        ("true", True),
        ("[10.8.0.0/33]", False),
        ("[intranet]", False),
        ("everything", False),
    ],
)
def test_the_source_schema_accepts_loopback_and_cidrs_only(tmp_path: Path, value: str, ok: bool) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "name: t\ntitle: 测试\nregion: 全国\nagency: 测试部\nstart_urls:\n  - https://www.example.gov.cn/list.html\n"
        f"list:\n  item: ul li\nnetwork:\n  allow_private: {value}\n",
        encoding="utf-8",
    )
    if ok:
        load_source(path)
        return
    with pytest.raises(ConfigError, match=r"t\.yaml:10: network\.allow_private: "):
        load_source(path)
