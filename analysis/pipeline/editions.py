"""What the runner and the book builder both need to know about the book's editions: its languages
(each a Sphinx build of its own), where each edition's executed notebooks live, and how a page
links to the same page in the other languages.

An edition is a data year in one language; the pages of no data year (the methods) form the
"common" edition of each language. The English book is _build/html/, the Chinese one
_build/html/zh/.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from analysis.i18n import LANGS


@dataclass(frozen=True)
class Language:
    toc: str  # the table of contents, relative to the source folder
    html: str  # where its HTML goes, relative to _build/html ("" = the top)
    pages: tuple[str, ...]  # narrative pages: the first is the root, the others close the book
    part_titles: tuple[str, str]  # an edition's part, and the year-independent part
    link_text: str  # how a page of another language names this one
    config: dict  # merged into _config.yml for this language's build


LANGUAGES: dict[str, Language] = {
    "en": Language(
        "_toc.yml",
        "",
        ("book/intro", "book/rerun"),
        ("Edition {edition} (data year {year})", "About this reproduction"),
        "English edition",
        {"sphinx": {"config": {"language": "en"}}},
    ),
    "zh": Language(
        "book/_toc-zh.yml",
        "zh",
        ("book/intro-zh", "book/rerun-zh"),
        ("{edition} 年版（{year} 数据年）", "关于本复现"),
        "中文版",
        {
            # the title as the Chinese edition of the supplement prints it
            "title": "自然指数-科研城市 2023：数据复现",
            "author": "本复现项目的贡献者",
            # Sphinx's and the theme's own words in Chinese; what their catalogues leave in
            # English (the search box, the code toggles, "Copyright") is set here.
            "html": {"extra_footer": "<p>© 2026</p>"},
            "sphinx": {
                "recursive_update": True,
                "config": {
                    "language": "zh_CN",
                    "html_show_copyright": False,
                    "html_theme_options": {"search_bar_text": "搜索本书…"},
                    "nb_code_prompt_show": "显示代码",
                    "nb_code_prompt_hide": "隐藏代码",
                },
            },
        },
    ),
}
assert tuple(LANGUAGES) == LANGS, "every language of the page strings is a book, and only those"

GENERATED_IN_SOURCE = "book/generated"  # the executed notebooks, relative to the book's source


def edition_folder(root: Path, year: int | None, lang: str = "en") -> Path:
    """Where an edition's executed notebooks live under `root` (book/generated): 2022/, 2022-zh/,
    common/, common-zh/."""
    name = str(year) if year else "common"
    return Path(root) / (name if lang == "en" else f"{name}-{lang}")


def page_doc(year: int | None, lang: str, stem: str) -> str:
    """A page as the tables of contents name it: book/generated/2022-zh/leading-cities."""
    return f"{GENERATED_IN_SOURCE}/{edition_folder(Path('.'), year, lang).name}/{stem}"


def cross_link(from_doc: str, from_lang: str, to_doc: str, to_lang: str) -> str:
    """The relative URL from one page's HTML to another's, across the language builds."""

    def where(doc: str, lang: str) -> str:
        return posixpath.join(LANGUAGES[lang].html, f"{doc}.html")

    return posixpath.relpath(where(to_doc, to_lang), posixpath.dirname(where(from_doc, from_lang)))


def other_language_links(year: int | None, lang: str, stem: str) -> str:
    """The line under a page's title that links to the same page in the other languages."""
    here = page_doc(year, lang, stem)
    links = [
        f'<a href="{cross_link(here, lang, page_doc(year, other, stem), other)}">'
        f"{LANGUAGES[other].link_text}</a>"
        for other in LANGUAGES
        if other != lang
    ]
    return f"\n\n*{' · '.join(links)}*" if links else ""
