"""A Sphinx extension for this book.

- Drop script tags that a page would load twice. Jupyter Book 1 always loads sphinx-thebe, which
  registers its inline configuration script twice; the second `const THEBE_JS_URL` then throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page. Identical script entries
  are removed, which removes the error at its cause.
- Write myst-nb's stylesheet before the pages, not after them. Sphinx adds a `?v=<checksum>` to a
  stylesheet's link only when the file is already in the output, and myst-nb copies its own at
  the end of the build: a clean build linked it without the checksum and an incremental one (the
  file left by the last build) with it, so the same page came out in two versions.
- Copy the book's own static files (html_static_path) into the output before the pages too, for
  the same reason: a page links them with the checksum of the copy already there, which after an
  edit of a script or stylesheet was the last build's, so a browser could keep the old file.
- Write every page again when what the pages are written with changes but their sources do not:
  the book's static files (for the new checksum), this extension and the theme's words. Their
  digest is a setting of the HTML (sc_written_with), which Sphinx compares with the last
  build's; Sphinx itself writes again only the pages whose sources changed.
- Put the theme's controls into the page's language (i18n.THEME_WORDS): the theme writes some
  tooltips and screen-reader labels in English whatever the language, several in its templates
  rather than through a message catalogue, so the rendered attribute values are replaced.
- Search Chinese as the index was written: Sphinx segments the Chinese pages into words with
  jieba (上升最快 becomes 上升 and 最快), but split a query only at spaces and punctuation, so a
  query of two words or more (上升最快, 论文数, 贡献份额) matched no page. The query is now
  segmented into the index's own words, longest first (the search language's splitQuery).
- Forget a search term that no page holds any more. On an incremental build Sphinx loads the last
  search index and takes the pages it reads again out of each term's list, but keeps the term with
  an empty list: the index then differed from a clean build's (tests/test_incremental.py)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from myst_nb.sphinx_ext import add_global_html_resources
from sphinx.search import IndexBuilder
from sphinx.search.zh import SearchChinese

from analysis.i18n import THEME_WORDS


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, kept = set(), []
    for script in context.get("script_files", []):
        # The two copies differ only in how "no file" is spelt (None or ""), so compare on content.
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def _static_files(app) -> list[Path]:
    return [
        path
        for folder in app.config.html_static_path
        for path in sorted((Path(app.confdir) / folder).glob("*"))
        if path.is_file()
    ]


def _digest_what_pages_are_written_with(app, config) -> None:
    # (on config-inited: before the HTML builder compares its settings with the last build's)
    digest = hashlib.sha256()
    for path in [*_static_files(app), Path(__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr(sorted(THEME_WORDS.items())).encode())
    config.sc_written_with = digest.hexdigest()


def _static_files_first(app) -> None:
    if app.builder.format == "html":
        static = Path(app.builder.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        add_global_html_resources(app, None)
        for path in _static_files(app):
            shutil.copyfile(path, static / path.name)


# the attributes a reader meets as a tooltip or hears from a screen reader
_LABEL = re.compile(r'\b(title|aria-label|data-bs-title)="([^"]*)"')


def _theme_words_in_language(app) -> None:
    words = THEME_WORDS.get((app.config.language or "en").split("_")[0])
    if app.builder.format != "html" or not words:
        return
    render = app.builder.templates.render

    def render_in_language(template: str, context: dict) -> str:
        return _LABEL.sub(lambda m: f'{m[1]}="{words.get(m[2], m[2])}"', render(template, context))

    app.builder.templates.render = render_in_language


class SearchChineseInIndexWords(SearchChinese):
    """Chinese search whose queries are cut into the words the index holds (forward maximum
    matching, words of 2 to 8 characters; a character that begins no word is left out, as the
    index leaves out single characters). A query of no known word is searched as typed."""

    js_splitter_code = r"""
function splitQuery(query) {
  const index = (typeof Search !== "undefined" && Search._index) || {};
  const known = w =>
    Object.hasOwn(index.terms || {}, w) || Object.hasOwn(index.titleterms || {}, w);
  const han = /[\u3400-\u9fff\uf900-\ufaff]/u;
  const words = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter(t => t).forEach(piece =>
    piece.split(/([\u3400-\u9fff\uf900-\ufaff]+)/u).filter(run => run).forEach(run => {
      if (!han.test(run)) { words.push(run); return; }
      const found = [];
      for (let i = 0; i < run.length;) {
        let j = Math.min(run.length, i + 8);
        while (j > i + 1 && !known(run.slice(i, j))) j--;
        if (j > i + 1) { found.push(run.slice(i, j)); i = j; } else i++;
      }
      words.push(...(found.length ? found : [run]));
    }));
  return words;
}
"""


_prune = IndexBuilder.prune


def _prune_and_forget_empty_terms(self, docnames) -> None:
    _prune(self, docnames)
    for mapping in (self._mapping, self._title_mapping):
        for term in [term for term, pages in mapping.items() if not pages]:
            del mapping[term]


def setup(app):
    app.add_search_language(SearchChineseInIndexWords)
    IndexBuilder.prune = _prune_and_forget_empty_terms
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_config_value("sc_written_with", "", "html")
    app.connect("config-inited", _digest_what_pages_are_written_with)
    app.connect("builder-inited", _static_files_first)
    app.connect("builder-inited", _theme_words_in_language)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
