"""Every country and territory, in English and Chinese, from Unicode CLDR (through babel), with the
spellings Nature Index prints. Used by `ingest` for countries the reference does not know yet; the
reference's own rows (the names the 2022 supplement printed) always win.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale

# Spellings found in Nature Index tables that CLDR writes otherwise -> ISO 3166-1 alpha-2.
NATURE_INDEX_SPELLINGS = {
    "united states of america (usa)": "US",
    "united states of america": "US",
    "usa": "US",
    "united kingdom (uk)": "GB",
    "uk": "GB",
    "great britain": "GB",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "taiwan": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "czech republic": "CZ",
    "turkey": "TR",
    "russia": "RU",
    "iran": "IR",
    "vietnam": "VN",
    "the netherlands": "NL",
    "mainland china": "CN",
    "china (mainland)": "CN",
}
# Chinese names that read better than CLDR's in a table of cities and countries.
CHINESE_NAMES = {"HK": "中国香港", "MO": "中国澳门", "TW": "中国台湾"}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


@cache
def _cldr() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(English name -> code, code -> English name, code -> Chinese name) for every territory."""
    english, chinese = Locale("en").territories, Locale("zh").territories
    codes = [c for c in english if len(c) == 2 and c.isalpha()]
    by_name = {_key(english[c]): c for c in codes}
    return (
        by_name,
        {c: english[c] for c in codes},
        {c: CHINESE_NAMES.get(c, chinese.get(c, "")) for c in codes},
    )


def code_of(name: str) -> str | None:
    """The ISO code of a country or territory name as Nature Index or CLDR spells it, else None."""
    key = _key(name)
    return NATURE_INDEX_SPELLINGS.get(key) or _cldr()[0].get(key)


def chinese_name(code: str) -> str:
    return _cldr()[2].get(code, "")


def short_name(name: str, code: str) -> str:
    """A short English name for narrow screens (reference/countries.csv, short_en): the
    abbreviation a printed name carries ("United States of America (USA)": USA), else Unicode
    CLDR's name where it is shorter; "" where the name is short already."""
    abbreviation = re.search(r"\(([A-Z]{2,5})\)$", name.strip())
    if abbreviation:
        return abbreviation.group(1)
    cldr = _cldr()[1].get(code, "")
    return cldr if cldr and len(cldr) < len(name) else ""
