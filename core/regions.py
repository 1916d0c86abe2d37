"""The regions file (``config/regions.yaml``) and the names subscribers and source files may use.

Kept in the base layer because a source file's ``region`` is validated while
it is loaded (``core.sources``), long before any text is read; detecting the
region of a release from its text stays in ``pipeline.region``.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.paths import CONFIG_DIR
from core.yamlconfig import load_model


class Province(BaseModel):
    """A province-level region with the cities and districts we recognise in it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    abbr: str | None = None  # the one-character 简称 (粤): understood in subscribers' input, never searched for in text
    full: str
    municipality: bool = False
    cities: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)  # the portal's domain; subdomains belong to the region too


class Regions(BaseModel):
    """The regions file."""

    model_config = ConfigDict(extra="forbid")
    national: str = "全国"
    national_issuers: list[str] = Field(default_factory=list)
    provinces: list[Province]
    region_cities: list[str] = Field(default_factory=list)
    city_domains: dict[str, list[str]] = Field(default_factory=dict)

    def place_names(self) -> dict[str, str]:
        """Every place name we know (province, full name, city, city + 市) → the region it is filed under."""
        out: dict[str, str] = {}
        region_cities = set(self.region_cities)
        for p in self.provinces:
            for alias in (p.name, p.full):
                out[alias] = p.name
            for city in p.cities:
                out[city] = city if city in region_cities else p.name
                out[city + "市"] = out[city]
        return out


@lru_cache(maxsize=4)
def load_regions(path: str | None = None) -> Regions:
    return load_model(Path(path or CONFIG_DIR / "regions.yaml"), Regions, expand_env=False)


class UnknownRegion(ValueError):
    """A region name that is not in config/regions.yaml; ``suggestion`` is the likely intended one, if any."""

    def __init__(self, name: str, suggestion: str | None):
        self.name, self.suggestion = name, suggestion
        hint = (
            f"，是否指“{suggestion}”？/ did you mean {suggestion}?"
            if suggestion
            else "；可用省份简称如 浙江、广东，或 全国 / use e.g. 浙江, 广东 or 全国"
        )
        super().__init__(f"未知地区 / unknown region {name!r}{hint}")


def region_names(*, regions_path: str | Path | None = None) -> list[str]:
    """The regions documents are filed under, in the file's order: 全国, the provinces, then the listed cities."""
    r = load_regions(str(regions_path) if regions_path else None)
    return [r.national, *(p.name for p in r.provinces), *r.region_cities]


def canonical_region(name: str, *, regions_path: str | Path | None = None) -> str:
    """The filed name for what a subscriber typed (浙江省 → 浙江, 深圳市 → 深圳), or UnknownRegion with a suggestion.

    Only exact names and official full names are accepted silently: a
    subscription that quietly means something else than typed is worse than a
    question.  Abbreviations (粤), districts (海淀) and near misses come back as
    a suggestion instead.
    """
    regions = load_regions(str(regions_path) if regions_path else None)
    filed = region_names(regions_path=regions_path)
    typed = name.strip()
    if typed in filed:
        return typed
    for p in regions.provinces:
        if typed == p.full:
            return p.name
    if typed.endswith("市") and typed[:-1] in regions.region_cities:
        return typed[:-1]
    raise UnknownRegion(typed, _suggest(regions, filed, typed))


def _suggest(regions: Regions, filed: list[str], typed: str) -> str | None:
    for p in regions.provinces:
        if typed in (p.abbr, p.name + "省", p.name + "市"):
            return p.name
    places = regions.place_names()
    place = places.get(typed) or places.get(typed.rstrip("市区县"))
    if place:  # a district or a city filed under its province
        return place
    close = difflib.get_close_matches(typed, filed, n=1, cutoff=0.5)
    if close:
        return close[0]
    fulls = {p.full: p.name for p in regions.provinces}
    close = difflib.get_close_matches(typed, list(fulls), n=1, cutoff=0.5)
    return fulls[close[0]] if close else None


def region_for_host(host: str, *, regions_path: str | Path | None = None) -> str | None:
    """The region whose government domain ``host`` is or belongs to (jxt.zj.gov.cn → 浙江), else None.

    The longest matching domain wins, so a city portal is not taken for its province.
    """
    r = load_regions(str(regions_path) if regions_path else None)
    host = host.lower().rstrip(".")
    best: tuple[int, str] | None = None
    pairs = [(d, p.name) for p in r.provinces for d in p.domains] + [(d, c) for c, ds in r.city_domains.items() for d in ds]
    for domain, region in pairs:
        if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
            best = (len(domain), region)
    return best[1] if best else None
