"""Near-duplicate fingerprints and draft → final title matching."""

from __future__ import annotations

from pipeline.dedupe import THRESHOLD, band_keys, draft_info, minhash, signature_bytes, signature_from_bytes, similarity, titles_match

BODY = (
    "为贯彻落实创新驱动发展战略，积极布局新赛道，加快培育未来产业，现提出如下意见。"
    "到2027年，完成重点领域前瞻布局，未来产业成为我省新质生产力最活跃的先导力量。"
    "突破前沿颠覆性技术100项，引育未来产业人才（团队）300个，创新策源有力支撑。"
    "培育创新型中小企业和专精特新企业1000家、领军企业20家、未来产业先导区35个。"
    "在重点领域形成规模和集群优势；建立专利导航服务基地10个，打造标志性产品100项。"
)


def test_a_reprint_with_a_different_header_is_a_near_duplicate() -> None:
    reprint = "来源：浙江省人民政府 发布时间：2025-03-05\n" + BODY + "\n（责任编辑：张三）"
    a, b = minhash(BODY), minhash(reprint)
    assert similarity(a, b) >= THRESHOLD
    assert set(band_keys(a)) & set(band_keys(b))


def test_a_small_edit_stays_a_near_duplicate() -> None:
    assert similarity(minhash(BODY), minhash(BODY.replace("100项", "120项"))) >= THRESHOLD


def test_unrelated_documents_are_not_duplicates() -> None:
    other = "关于开展2025年文旅消费季活动的通知。各区县要组织景区、酒店、餐饮企业推出优惠活动，丰富夜间消费场景，发放消费券。"
    a, b = minhash(BODY), minhash(other)
    assert similarity(a, b) < 0.2
    assert not set(band_keys(a)) & set(band_keys(b))


def test_signatures_are_stable_and_round_trip_through_bytes() -> None:
    sig = minhash(BODY)
    assert isinstance(sig, bytes) and len(sig) == 64 * 8
    assert signature_from_bytes(signature_bytes(sig)) == sig
    assert minhash(BODY) == sig


def test_draft_markers_are_recognised_and_stripped() -> None:
    info = draft_info("关于加快培育未来产业的实施意见（二次征求意见稿）")
    assert info.is_draft and info.base_title == "关于加快培育未来产业的实施意见"
    assert not draft_info("关于加快培育未来产业的实施意见").is_draft


def test_a_final_version_matches_its_draft_title() -> None:
    base = draft_info("关于加快培育未来产业的实施意见（征求意见稿）").base_title
    assert titles_match(base, "关于加快培育未来产业的实施意见")
    assert titles_match(base, "浙江省人民政府关于加快培育未来产业的实施意见")
    assert titles_match(base, "浙江省人民政府办公厅关于印发《关于加快培育未来产业的实施意见》的通知")
    assert not titles_match(base, "关于推动氢能产业高质量发展的通知")
    assert not titles_match(base, "关于加快培育未来产业的实施意见（二次征求意见稿）")
