"""Source YAML: valid files load; every malformed file is rejected naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.sources import load_source, load_sources
from core.yamlconfig import ConfigError

GOOD = """\
name: example
title: 示例部 文件发布
region: 全国
agency: 示例部
start_urls:
  - https://www.example.gov.cn/zwgk/wjfb/index.html
list:
  item: ul.list li
  link: a::attr(href)
  date: span::text
pagination:
  type: template
  url_template: index_{n}.html
  max_pages: 3
"""


def write(tmp_path: Path, text: str, name: str = "example.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_valid_file_loads_with_defaults(tmp_path: Path) -> None:
    src = load_source(write(tmp_path, GOOD))
    assert src.name == "example"
    assert src.pagination.url_template == "index_{n}.html"
    assert src.politeness.obey_robots is True
    assert src.detail.body is None  # generic extraction unless configured


def test_a_misspelt_key_names_its_line_and_field(tmp_path: Path) -> None:
    bad = GOOD.replace("  date: span::text", "  dtae: span::text")
    with pytest.raises(ConfigError) as info:
        load_source(write(tmp_path, bad))
    issue = info.value.issues[0]
    assert issue.path.endswith("example.yaml")
    assert issue.line == 10
    assert issue.field == "list.dtae"
    assert "example.yaml:10: list.dtae" in str(info.value)


def test_a_missing_required_field_is_reported(tmp_path: Path) -> None:
    bad = GOOD.replace("agency: 示例部\n", "")
    with pytest.raises(ConfigError) as info:
        load_source(write(tmp_path, bad))
    assert [i.field for i in info.value.issues] == ["agency"]


def test_template_pagination_without_placeholder_is_an_error_at_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace("index_{n}.html", "index_1.html")
    with pytest.raises(ConfigError) as info:
        load_source(write(tmp_path, bad))
    issue = info.value.issues[0]
    assert issue.field == "pagination"
    assert issue.line == 11
    assert "{n}" in issue.message


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    bad = GOOD.replace("  item: ul.list li", "  item: [ul.list li")
    with pytest.raises(ConfigError) as info:
        load_source(write(tmp_path, bad))
    assert info.value.issues[0].field == "(syntax)"
    assert info.value.issues[0].line is not None


def test_bad_regex_and_unknown_encoding_are_rejected(tmp_path: Path) -> None:
    bad = GOOD + "attachment_pattern: '(unclosed'\nencoding: klingon\n"
    with pytest.raises(ConfigError) as info:
        load_source(write(tmp_path, bad))
    fields = {i.field: i.line for i in info.value.issues}
    assert fields == {"attachment_pattern": 15, "encoding": 16}


def test_file_name_must_match_source_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must equal the file name"):
        load_source(write(tmp_path, GOOD, name="other.yaml"))


def test_a_directory_reports_every_broken_file_at_once(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("name: example", "name: two").replace("region: 全国\n", ""), "two.yaml")
    write(tmp_path, "name: [", "three.yaml")
    with pytest.raises(ConfigError) as info:
        load_sources(tmp_path)
    paths = sorted(Path(i.path).name for i in info.value.issues)
    assert paths == ["three.yaml", "two.yaml"]


def test_env_placeholders_expand_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GOOD.replace("https://www.example.gov.cn", "${SITE_BASE:-https://fallback.example.cn}")
    monkeypatch.delenv("SITE_BASE", raising=False)
    assert load_source(write(tmp_path, text)).start_urls[0].startswith("https://fallback.example.cn/")
    monkeypatch.setenv("SITE_BASE", "http://127.0.0.1:9999")
    assert load_source(write(tmp_path, text)).start_urls[0].startswith("http://127.0.0.1:9999/")


def test_an_inline_api_needs_no_items_path(tmp_path: Path) -> None:
    text = GOOD.replace(
        "list:\n  item: ul.list li\n  link: a::attr(href)\n  date: span::text\n",
        "format: json\napi:\n  inline: articleList\n  link: urls.pc\n",
    )
    src = load_source(write(tmp_path, text))
    assert src.api is not None and src.api.inline == "articleList" and src.api.items is None


def test_a_browser_block_is_validated_with_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "fetch: browser\nbrowser:\n  wait_for: ul.list li\n  timeout: 0\n")
    with pytest.raises(ConfigError, match=r"example.yaml:\d+: browser.timeout"):
        load_source(path)
    assert load_source(write(tmp_path, GOOD + "fetch: browser\n")).browser.executable == "/usr/bin/chromium"
