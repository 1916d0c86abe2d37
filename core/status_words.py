"""The words people read for states: one place, so the CLI, the web pages and mails say the same thing."""

from __future__ import annotations

# Source health (radar/health.py), in order of precedence.
DISABLED, NEVER, FAILED, PARTIAL, HEALTHY = "已停用", "未抓取", "失败", "部分失败", "正常"
STATES = (DISABLED, NEVER, FAILED, PARTIAL, HEALTHY)
STATE_CLASS = {DISABLED: "off", NEVER: "never", FAILED: "failed", PARTIAL: "partial", HEALTHY: "ok"}  # CSS classes on the web

# A crawl run's status as stored (English, stable for the API and the database) and as people read it.
RUN_STATUS_ZH = {"ok": "成功", "failed": "失败", "running": "运行中", "skipped": "已跳过"}

# A subscription's frequency and digest language as stored and as people read them (the web's subscriber list, the CLI).
FREQUENCY_ZH = {"weekly": "每周", "daily": "每天", "immediate": "即时"}
LANGUAGE_ZH = {"zh": "中文", "en": "英文标签"}

# A digest delivery's status as stored and as people read it.
DELIVERY_STATUS_ZH = {"sent": "已发送", "failed": "发送失败", "sending": "发送中（状态不明）", "skipped": "已跳过（无新内容）"}


def date_source_zh(source: str | None) -> str:
    """Where a document's publish date was read (``document.date_source``), as an auditor reads it.

    The stored values come from pipeline/html_extract.py and pipeline/process.py: label:发布日期,
    meta:pubdate, time-element, time-class, beside-title, element:publishtime, url, selector, list.
    """
    if not source:
        return ""
    kind, _, detail = source.partition(":")
    if kind == "label" and detail:
        return f"页面标注“{detail}”"
    if kind == "meta" and detail:
        return f"页面元数据 {detail}"
    if kind == "element" and detail:
        return f"页面日期元素 <{detail}>"
    return {
        "time-element": "页面时间元素",
        "time-class": "标题附近的时间栏",
        "beside-title": "标题旁的日期",
        "url": "网址中的日期",
        "selector": "来源配置的日期选择器",
        "list": "列表页上的日期",
    }.get(source, source)
