"""A Sphinx extension for this book: drop script tags that a page would load twice.

Jupyter Book 1 always loads sphinx-thebe, which registers its inline configuration script twice;
the second `const THEBE_JS_URL` then throws "Identifier 'THEBE_JS_URL' has already been declared"
on every page. Identical script entries are removed, which removes the error at its cause."""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
