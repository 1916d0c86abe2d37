"""Region and document-type detection from the text and title of a release."""

from __future__ import annotations

import pytest

from pipeline.doctype import DOCTYPES, detect_doctype
from pipeline.region import detect_region, release_region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("【江苏】江苏出台氢能产业发展行动方案近日江苏省发展改革委发布《行动方案》", "江苏"),
        ("【北京】北京在去年实现了全球首例纯电驱全尺寸人形机器人拟人奔跑", "北京"),
        ("【深圳】两天四计划深圳密集布局重塑产业链", "深圳"),
        ("浙江省人民政府办公厅关于加快培育未来产业的实施意见", "浙江"),
        ("广州市工业和信息化局关于印发广州市低空经济发展实施方案的通知", "广州"),
        ("近日，深圳市正式发布了2025年优化营商环境工作方案", "深圳"),
        ("工业和信息化部等七部门关于推动未来产业创新发展的实施意见", "全国"),
        ("为贯彻落实国务院部署，浙江省人民政府办公厅印发实施意见", "浙江"),
        ("各区人民政府，市政府各部门：现将方案印发给你们。\n上海市人民政府\n2025年3月1日", "上海"),
        ("【廣東】廣州市人民政府辦公廳印發方案", "广东"),
        ("合肥、济南是最重视量子的城市，合肥提及量子11次，合肥量子产业集聚", "合肥"),
    ],
)
def test_detect_region(text: str, expected: str) -> None:
    assert detect_region(text) == expected


def test_the_kind_of_site_decides_how_the_region_is_found() -> None:
    national = "“十五五”时期六个未来产业方向的梯次布局：量子科技、生物制造与6G的产业化节奏各不相同。"
    local = "【深圳】两天四计划深圳密集布局重塑产业链"
    # a think tank's analysis that names no place is about the country, not the think tank's home province
    assert release_region("thinktank", "江苏", national) == "全国"
    assert release_region("thinktank", "江苏", local) == "深圳"
    # a newspaper reports on other places too, and otherwise on its own region
    assert release_region("media", "浙江", local) == "深圳"
    assert release_region("media", "浙江", national) == "浙江"
    # a government site speaks for its own region, whatever places its text names
    assert release_region("government", "浙江", local) == "浙江"


def test_region_default_when_nothing_found() -> None:
    assert detect_region("关于做好有关工作的通知", default="全国") == "全国"
    assert detect_region("") is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于加快培育未来产业的实施意见（二次征求意见稿）", "征求意见稿"),
        ("关于推动未来产业创新发展的实施意见", "实施意见"),
        ("关于印发《江苏省推动氢能产业高质量发展行动方案（2025—2030年）》的通知", "行动计划·方案"),
        ("北京具身智能科技创新与产业培育行动计划（2025-2027年）", "行动计划·方案"),
        ("关于开展2025年度未来产业先导区申报工作的通知", "通知公告"),
        ("《关于推动未来产业创新发展的实施意见》政策解读", "政策解读"),
        ("中国6G发展白皮书（2025年）", "研究报告"),
        ("浙江省未来产业先导区管理办法", "政策文件"),
        ("2025年政府工作报告", "政策文件"),
        ("副市长调研人形机器人企业", "新闻动态"),
        ("關於加快培育未來產業的實施意見（徵求意見稿）", "征求意见稿"),
    ],
)
def test_detect_doctype(title: str, expected: str) -> None:
    assert detect_doctype(title) == expected


def test_doctype_falls_back_on_metadata() -> None:
    assert detect_doctype("某某事项", {"doc_number": "工信部联科〔2024〕12号"}) == "政策文件"
    assert detect_doctype("广州加快布局未来产业 蓄能产业未来发展", {"kind": "thinktank"}) == "研究报告"
    assert detect_doctype("某某事项") in DOCTYPES
