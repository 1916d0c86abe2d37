"""RADAR_ARCHIVE_URL: the default folder, a shared folder by file:// URL, and clear errors for anything else."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.settings import Settings
from storage.archive import LocalStore, open_store
from storage.warc import RunWarc, read_payload


def _with_archive(settings: Settings, url: str | None) -> Settings:
    return Settings.model_validate({**settings.model_dump(by_alias=False), "archive_url": url})


def test_default_store_is_the_data_dir_archive_folder(settings: Settings) -> None:
    store = open_store(settings)
    assert isinstance(store, LocalStore) and store.root == settings.archive_dir and not store.remote


def test_file_url_archives_into_a_shared_folder(settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "nfs" / "radar archive"  # a space: the URL is percent-encoded
    s = _with_archive(settings, shared.as_uri())
    body = "<html>关于加快培育未来产业的指导意见</html>".encode()
    warc = RunWarc(s, "zj", 7)
    loc = warc.write("http://x/z.html", 200, "OK", [("Content-Type", "text/html")], body, hashlib.sha256(body).hexdigest())
    warc.close()
    assert (shared / "warc" / "zj" / "run-000007.warc.gz").is_file()
    assert not list(settings.data_dir.rglob("*.warc.gz"))
    assert read_payload(s, loc.path, loc.offset) == ("response", body)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/archive", "only file:// and s3://"),
        ("s3:///prefix", "no bucket"),
        ("file://otherhost/srv/archive", "local path"),
    ],
)
def test_unusable_archive_urls_are_refused_naming_the_setting(settings: Settings, url: str, message: str) -> None:
    with pytest.raises(ValueError, match="RADAR_ARCHIVE_URL") as err:
        open_store(_with_archive(settings, url))
    assert message in str(err.value)


def test_keys_cannot_escape_the_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive")
    for key in ("../outside.warc.gz", "/etc/passwd", "warc/../../x"):
        with pytest.raises(ValueError, match="relative path"):
            store.local_path(key)
