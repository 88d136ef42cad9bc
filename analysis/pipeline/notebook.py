"""What the runner does to a notebook besides executing it: the code it runs in the kernel before
and after the page (a clean namespace; a record of what the page used), and the treatment of the
executed notebook (its title, its language's prose, hidden code, stable ids, no timestamps).

Every page's fingerprint covers this file (analysis.pipeline.plan): a change here re-runs every
page, as it changes every page.
"""

from __future__ import annotations

import ast
import json

import nbformat

from analysis.pipeline.editions import other_language_links

METADATA_KEY = "science_cities"

# Run silently in the kernel before a page, so that it starts as a fresh kernel would: an empty
# namespace, pandas' display options at their defaults, and no module of `analysis` loaded, so
# that the page imports (and the record below sees) exactly what it uses. Other imported modules
# (pandas, altair) stay loaded, which is the point of reusing a kernel: a start and those imports
# cost ~2.4 s a page. nbval (make test) re-runs every page in a fresh kernel and compares.
#
# The record: an audit hook (PEP 578; installed once per kernel, as hooks cannot be removed)
# notes every file the page opens and every folder it lists below the data folder; after the page
# REPORT returns those and the modules of `analysis` it imported, relative to the data folder.
SETUP = """\
get_ipython().run_line_magic("reset", "-f")
def _sc_setup(root):
    import os, sys, types
    state = sys.modules.get("_sc_used")
    if state is None:
        state = types.ModuleType("_sc_used")
        def hook(event, args, state=state):
            if event not in ("open", "os.listdir", "os.scandir") or not state.root:
                return
            path = args[0] if args else None
            if path is None or isinstance(path, int):
                return
            try:
                path = os.path.abspath(os.fsdecode(os.fspath(path)))
            except (TypeError, ValueError):
                return
            if path.startswith(state.root):
                (state.files if event == "open" else state.folders).add(path)
        def report():
            import json
            def relative(paths):
                return sorted(os.path.relpath(p, state.root).replace(os.sep, "/") for p in paths)
            modules = sorted(m for m in sys.modules if m.split(".")[0] == "analysis")
            return json.dumps({"files": relative(state.files), "folders": relative(state.folders),
                               "modules": modules})
        state.report, state.root = report, ""
        sys.addaudithook(hook)
        sys.modules["_sc_used"] = state
    for name in [m for m in sys.modules if m.split(".")[0] == "analysis"]:
        del sys.modules[name]
    import pandas
    pandas.reset_option("display")
    state.files, state.folders = set(), set()
    state.root = os.path.realpath(root) + os.sep
_sc_setup(@ROOT@)
del _sc_setup
"""
REPORT = "__import__('sys').modules['_sc_used'].report()"


def setup_code(data_dir) -> str:
    return SETUP.replace("@ROOT@", repr(str(data_dir)))


def parse_report(user_expressions: dict) -> dict:
    """The record REPORT returned (as the kernel's user_expressions reply carries it)."""
    reply = user_expressions["used"]
    if reply.get("status") != "ok":
        raise RuntimeError(f"the record of what the page used failed: {reply.get('evalue')}")
    return json.loads(ast.literal_eval(reply["data"]["text/plain"]))  # the repr of a JSON str


def clean(nb: nbformat.NotebookNode, run, used: dict, inputs_hash: str) -> nbformat.NotebookNode:
    """Make an executed notebook deterministic and fit for the book: no papermill timestamps,
    stable cell ids, the page title and label set, links to the other languages, other languages'
    prose and the cells of missing data removed, and what the page used recorded."""
    nb.metadata.pop("papermill", None)
    nb.metadata[METADATA_KEY] = {
        "kind": run.kind,
        "parameters": {k: str(v) if k == "data_dir" else v for k, v in run.parameters.items()},
        "inputs": used,
        "inputs_hash": inputs_hash,
    }
    lang = run.lang
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if any(tag.startswith("lang-") and tag != f"lang-{lang}" for tag in tags) or set(
            tags
        ) & set(run.drop_tags):
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            # Parameters are for the runner, not the reader: the page title says the year and
            # subject.
            cell.metadata["tags"] = tags + ["remove-cell"]
        elif cell.cell_type == "code" and not {"remove-cell", "remove-input", "hide-input"} & set(
            tags
        ):
            # Readers see tables, charts and prose, not code. A cell that shows something keeps its
            # code one click away ("Show code cell source"); one that only loads data or glues
            # numbers for the prose is left out of the page (it stays in the notebook, behind the
            # download button).
            visible = [
                o for o in cell.get("outputs", []) if "scrapbook" not in o.get("metadata", {})
            ]
            cell.metadata["tags"] = tags + (["hide-input"] if visible else ["remove-cell"])
        kept.append(cell)
    count = 0
    for i, cell in enumerate(kept):
        cell.id = f"cell-{i:02d}"
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            # as a fresh kernel numbers them, whichever kernel ran the notebook
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
    first_markdown = next(c for c in kept if c.cell_type == "markdown")
    # A label per page lets other pages link to it: (<kind>-<year>)= e.g. {ref}`audit-2022`.
    suffix = "" if lang == "en" else f"-{lang}"
    label = f"({run.kind}-{run.year}{suffix})=\n" if run.year and run.instance is None else ""
    year = (f" ({run.year})" if lang == "en" else f"（{run.year}）") if run.year else ""
    links = other_language_links(run.year, lang, run.stem)
    first_markdown.source = f"{label}# {run.title}{year}{links}"
    for cell in kept:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("@YEAR@", str(run.year))
    nb.cells = kept
    return nb
