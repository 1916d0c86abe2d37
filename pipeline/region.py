"""Which province or city a release belongs to, when the source does not say.

Subscribers filter by region, and aggregator sources (think-tank digests,
national portals reprinting local news) mix regions on one page.  The
strongest signals, in order: a 【浙江】-style tag at the start (digests use it),
the issuing body named at the start or in the signature (江苏省发展改革委,
深圳市人民政府), and finally which region the text keeps talking about.
Region and city names are data (``config/regions.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pipeline.cnfold import clean_whitespace, fold
from core.paths import CONFIG_DIR
from core.regions import Regions, load_regions

_ISSUER_SUFFIX = (
    r"(?:人民政府|人民政府办公厅|办公厅|办公室|发展和改革委员会|发展改革委|发改委|经济和信息化厅|经济和信息化局|经信厅|经信局|"
    r"工业和信息化厅|工业和信息化局|工信厅|工信局|科学技术厅|科学技术局|科技厅|科技局|委员会|管理委员会|管委会|党工委|管理局|厅|局|委)"
)
_HEAD = 300
_TAIL = 200


class _Resolver:
    def __init__(self, regions: Regions):
        self.regions = regions
        self.parent: dict[str, str] = {}  # any place name (folded) -> region it is filed under
        names = {fold(place): region for place, region in regions.place_names().items()}
        self.names = names
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self.place_re = re.compile(alternation)
        self.tag_re = re.compile(r"^\W{0,3}[【\[](" + alternation + r")[】\]]")
        self.issuer_re = re.compile(r"(" + alternation + r")(?:省|市|自治区|区|新区)?[^，。；、\s《》“”（）()]{0,14}?" + _ISSUER_SUFFIX)
        self.announcer_re = re.compile(
            r"(" + alternation + r")(?:省|市|自治区)?(?:政府)?(?:正式|日前|近日|近期|再次|首次|率先)?(?:发布|印发|出台|公布|推出|发文)"
        )
        self.national = [fold(n) for n in regions.national_issuers]

    def detect(self, text: str, default: str | None) -> str | None:
        t = fold(clean_whitespace(text))
        if not t:
            return default
        head, tail = t[:_HEAD], t[-_TAIL:]
        m = self.tag_re.match(head)
        if m:
            return self.names[m.group(1)]
        issuer = self.issuer_re.search(head)
        nat = min((i for i in (head.find(n) for n in self.national) if i >= 0), default=-1)
        if 0 <= nat <= 3 and (issuer is None or nat < issuer.start()):
            return self.regions.national
        if issuer is not None:
            return self.names[issuer.group(1)]
        announcer = self.announcer_re.search(head)
        if announcer is not None:
            return self.names[announcer.group(1)]
        issuer = self.issuer_re.search(tail)
        if issuer is not None:
            return self.names[issuer.group(1)]
        if any(n in tail for n in self.national):
            return self.regions.national
        counts = Counter(self.names[m.group()] for m in self.place_re.finditer(t))
        if counts:
            (top, n1), *rest = counts.most_common(2)
            n2 = rest[0][1] if rest else 0
            if n1 >= 2 and n1 >= 2 * n2:
                return top
        return default


@lru_cache(maxsize=4)
def _resolver(path: str) -> _Resolver:
    return _Resolver(load_regions(path))


def detect_region(text: str, default: str | None = None, *, regions_path: str | Path | None = None) -> str | None:
    """The province (e.g. 浙江) or listed city (e.g. 深圳) a release is from, 全国 for national bodies, else ``default``."""
    return _resolver(str(regions_path or CONFIG_DIR / "regions.yaml")).detect(text, default)


def release_region(kind: str, source_region: str | None, text: str) -> str | None:
    """The region a release is filed under, by the kind of site that published it.

    A government site speaks for its own region.  A think tank or a newspaper writes about other places: the
    text decides, and a think tank's piece that names no place is about the country (a Suzhou think tank's
    analysis of the national plan is not 江苏 news), while a newspaper's stays with its own region.
    """
    if kind == "thinktank":
        return detect_region(text, default="全国")
    if kind == "media":
        return detect_region(text, default=source_region)
    return source_region
