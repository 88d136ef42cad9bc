"""What the browser tests check on a page of the built book (tests/test_browser.py for the English
pages, tests/test_browser_zh.py for the Chinese ones, so that the two run side by side): opened in
Chromium with the network cut off, at a laptop's and a phone's width, every chart draws inside its
box, every table is there and shows its rank, names and key figures without scrolling, no Chinese
name or label breaks inside a word, no tooltip of a Chinese page is in English, no request leaves
the file system, no page error is raised, and axe-core finds no WCAG 2.1 A/AA violation."""

import contextlib
import json
import os
import shutil
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analysis.paths import BUILD, REPO
from analysis.pipeline import pdf as print_module
from analysis.pipeline.editions import LANGUAGES

HTML = BUILD / "html"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Page kinds that draw no chart: a subject with no printed riser table, and the audit.
CHARTLESS = ("riser-mentions", "audit")
# The pages of each language's book, as its table of contents lists them.
PAGES = [
    HTML / language.html / f"{chapter.doc}.html"
    for language in LANGUAGES.values()
    if (REPO / language.toc).is_file()
    for chapter in print_module.chapters(REPO / language.toc)
]


def is_chinese(path: Path) -> bool:
    return path.relative_to(HTML).parts[0] == "zh"


def kind_of(path: Path) -> str | None:
    """The page kind of a generated page (from its executed notebook), None for a narrative one."""
    relative = path.relative_to(HTML / ("zh" if is_chinese(path) else ""))
    notebook = (REPO / relative).with_suffix(".ipynb")
    if not notebook.is_file():
        return None
    return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["science_cities"]["kind"]


LAPTOP, PHONE = 1280, 390  # the widths a page is read at (px)


class Tab:
    """A browser tab with the network cut off, which notes the page's errors and every request
    that would leave the file system (the context is offline, so each such request fails; an
    event, not a route: routing every request through Python cost about 0.35 s a page). One tab
    may visit page after page: a new context for each page cost about 1 CPU-second more (a new
    renderer process, and the book's scripts compiled again)."""

    def __init__(self, browser):
        self.context = browser.new_context(offline=True, viewport={"width": LAPTOP, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on(
            "request",
            lambda r: None if r.url.startswith("file://") else self.requests.append(r.url),
        )

    def open(self, path: Path, width: int = LAPTOP):
        """Go to `path` at `width` px, with no errors or requests noted yet; returns the page."""
        self.errors.clear()
        self.requests.clear()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.goto(path.as_uri())  # (returns once the page's load event fired)
        return self.page

    def close(self) -> None:
        self.context.close()


SHOTS = BUILD / "screenshots"  # full-page screenshots at both widths, for a person to look at
TAKE_SHOTS = os.environ.get("SCREENSHOTS") == "1"  # make screenshots

LAYOUT = """() => {
    const out = [];
    document.querySelectorAll('.cell_input').forEach(e => {
        if (!e.closest('details:not([open])') && e.checkVisibility())
            out.push('visible code input');
    });
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width)
        out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
    document.querySelectorAll('figure.sc-chart svg').forEach(svg => {
        const column = svg.closest('figure').parentElement.getBoundingClientRect().width;
        const box = svg.getBoundingClientRect();
        if (box.width > column + 1)
            out.push('chart wider than its column: ' + Math.round(box.width) + ' > ' +
                     Math.round(column));
        svg.querySelectorAll('text, [role="graphics-symbol"]').forEach(mark => {
            const r = mark.getBoundingClientRect();
            if (!r.width && !r.height) return;
            if (mark.tagName === 'text' && mark.textContent.includes('\u2026'))
                out.push('cut short: ' + mark.textContent);
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
                r.bottom > box.bottom + 1)
                out.push('outside its chart: ' + (mark.textContent ||
                         mark.getAttribute('aria-label') || mark.tagName).slice(0, 60));
        });
        // an axis's labels stand at least 4 px apart, or they read as one ("20152016"); Vega
        // hides those it would set too close (opacity 0)
        svg.querySelectorAll('g.role-axis-label').forEach(axis => {
            const shown = [...axis.querySelectorAll('text')]
                .filter(label => label.getAttribute('opacity') !== '0')
                .map(label => [label.textContent, label.getBoundingClientRect()])
                .filter(([, r]) => r.width);
            shown.forEach(([a, r], i) => shown.slice(i + 1).forEach(([b, q]) => {
                if (r.left < q.right + 4 && q.left < r.right + 4 && r.top < q.bottom &&
                    q.top < r.bottom)
                    out.push('axis labels run together: ' + a + ' ' + b);
            }));
        });
    });
    return out;
}"""

# At a phone's width: the key cells (rank, names, the figures the page is about) of the header and
# the first rows of every table lie inside the screen and inside the table's own box, unscrolled;
# in a table shown as cards, every cell does.
KEY_CELLS = """() => {
    const out = [];
    const width = window.innerWidth;
    document.querySelectorAll('table.sc-table').forEach((table, n) => {
        const wrap = table.closest('.sc-table-wrap');
        const box = wrap.getBoundingClientRect();
        const right = Math.min(width, box.right), left = Math.max(0, box.left);
        const cards = wrap.classList.contains('sc-cards');
        const rows = [table.tHead.rows[0], ...Array.from(table.tBodies[0].rows).slice(0, 3)];
        rows.forEach(row => Array.from(row.cells).forEach(cell => {
            if (!cards && !cell.classList.contains('sc-key')) return;
            if (cards && row.parentElement.tagName === 'THEAD') return;
            const r = cell.getBoundingClientRect();
            if (!r.width || r.left < left - 1 || r.right > right + 1)
                out.push('table ' + n + ': "' + cell.textContent.trim().slice(0, 30) + '" at ' +
                         Math.round(r.left) + '-' + Math.round(r.right) + ' of ' +
                         Math.round(right));
        }));
    });
    return out;
}"""

# Chinese: every tooltip and screen-reader label of the page (outside the charts, which Vega
# describes in its own English) is in Chinese; none is an English phrase left by the theme.
ENGLISH_LABELS = """() => {
    const out = [];
    // (Bootstrap moves a tooltip's title into data-bs-original-title)
    const names = ['title', 'aria-label', 'data-bs-title', 'data-bs-original-title',
                   'placeholder'];
    document.querySelectorAll(names.map(n => '[' + n + ']').join(', ')).forEach(e => {
        if (e.closest('svg')) return;
        for (const name of names) {
            const value = e.getAttribute(name);
            if (value && (/[A-Za-z]{3}/.test(value) && !/[\u3000-\u9fff]/.test(value) ||
                          value.includes('列印')))  // (Taiwanese usage: 打印 on the mainland)
                out.push(name + '="' + value + '"');
        }
    });
    return [...new Set(out)];
}"""

# Chinese: a table cell or a chart label breaks only where a name allows it (after a hyphen or a
# full-width comma, or after 中国科学院: analysis.charts.CJK_BREAKS_AFTER), never inside a word.
CJK_BREAKS = """() => {
    const cjk = /[\u3000-\u9fff]/;
    const allowed = line => /[-－、，：\\s]$/.test(line) || line.endsWith('中国科学院');
    const out = [];
    // Each place where an element's visible text wraps: the line before it, and the character
    // that starts the next line (its text node and index).
    const wraps = element => {
        const found = [], walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        let top = null, line = '', node;
        while ((node = walker.nextNode())) {
            if (!node.parentElement.checkVisibility()) continue;
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const r = range.getBoundingClientRect();
                if (!r.height) continue;
                if (top !== null && r.top > top + r.height / 2) {
                    found.push({line, node, i});
                    line = '';
                }
                top = r.top; line += node.data[i];
            }
        }
        return found;
    };
    document.querySelectorAll('table.sc-table td.sc-name').forEach(td => {
        if (!cjk.test(td.textContent)) return;
        wraps(td).forEach(({line}) => {
            if (cjk.test(line) && !allowed(line))
                out.push('cell breaks after "' + line + '": ' + td.textContent.trim());
        });
    });
    // A header, heading or navigation link breaks only between the words sc-tables.js marks
    // (<wbr> ends a text node), or at a space: never between two characters of one text node, and
    // never before closing punctuation.
    const words = 'table.sc-table th, h1, h2, h3, .bd-sidebar-primary a, '
        + '.prev-next-area .prev-next-title';
    document.querySelectorAll(words).forEach(element => {
        if (!cjk.test(element.textContent)) return;
        wraps(element).forEach(({line, node, i}) => {
            if (i > 0 && cjk.test(node.data[i]) && cjk.test(node.data[i - 1]))
                out.push('breaks inside "' + node.data + '"');
            if (/^[：？！，。、；）》」』]/.test(node.data[i]))
                out.push('a line starts with "' + node.data[i] + '" after "' + line + '"');
        });
    });
    document.querySelectorAll('figure.sc-chart svg text').forEach(text => {
        const lines = Array.from(text.querySelectorAll('tspan')).map(t => t.textContent);
        lines.slice(0, -1).forEach(line => {
            if (cjk.test(line) && !allowed(line)) out.push('label breaks after "' + line + '"');
        });
    });
    return out;
}"""

# axe-core's rules for WCAG 2.1 levels A and AA, on everything but the charts' drawings: axe has
# no rule for a chart's marks (WCAG 1.4.11, tested by test_chart_colours in tests/test_charts.py),
# and its text contrast check, which costs seconds per chart, is CHART_TEXT below, for each label.
# Only violations are collected (axe-core's resultTypes): the passes were never read, and listing
# them cost about 0.3 s a page.
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NOT_THE_DRAWINGS = {"exclude": [["figure.sc-chart svg"]]}

# Every label of a chart is drawn in a colour of at least 4.5:1 against the page (WCAG 1.4.3).
CHART_TEXT = r"""() => {
    const channel = c => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const out = [];
    document.querySelectorAll('figure.sc-chart svg text').forEach(text => {
        const rgb = getComputedStyle(text).fill.match(/[\d.]+/g);
        if (!rgb || text.getAttribute('opacity') === '0') return;
        const [r, g, b] = rgb.map(Number), alpha = rgb.length > 3 ? Number(rgb[3]) : 1;
        const blend = c => alpha * c + (1 - alpha) * 255;
        const l = 0.2126 * channel(blend(r)) + 0.7152 * channel(blend(g)) +
                  0.0722 * channel(blend(b));
        const ratio = 1.05 / (l + 0.05);
        if (ratio < 4.5) out.push(text.textContent.slice(0, 30) + ': ' + ratio.toFixed(2));
    });
    return out;
}"""


REDRAWN = """() => [...document.querySelectorAll('figure.sc-chart')].every(f => {
    const svg = f.querySelector('svg');
    return svg && svg.getBoundingClientRect().width <= f.getBoundingClientRect().width + 1;
})"""


SETTLE_MS = 5_000  # how long a page may take to settle after a resize


def settled(page, problems: str) -> list:
    """The problems the script `problems` finds on `page` once it has none, or after
    SETTLE_MS whatever it still finds (for the assertion's message)."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({problems})().length === 0", timeout=SETTLE_MS)
    return page.evaluate(problems)


def wait_for_charts(page) -> None:
    charts = page.locator("figure.sc-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=10_000)


def check_page(tab: Tab, axe, path: Path) -> None:
    """Every check of one page (see the module), in `tab`."""
    page = tab.open(path, LAPTOP)
    errors, requests = tab.errors, tab.requests
    wait_for_charts(page)
    charts = page.locator("figure.sc-chart")
    source = path.read_text(encoding="utf-8")
    assert page.locator("table.sc-table").count() == source.count('<table class="sc-table">')
    if "generated" in path.parts and not any(part.startswith("common") for part in path.parts):
        assert page.locator("table.sc-table").count() >= 1
        if kind_of(path) not in CHARTLESS:
            assert charts.count() >= 1
    assert requests == [], f"network requests: {requests}"
    assert errors == [], f"page errors: {errors}"
    violations = axe.run(page, NOT_THE_DRAWINGS, WCAG).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == [], "axe-core"
    assert page.evaluate(CHART_TEXT) == [], "chart labels too faint"
    if is_chinese(path):
        assert page.evaluate(ENGLISH_LABELS) == [], "English labels on a Chinese page"
    name = str(path.relative_to(HTML).with_suffix("")).replace("/", "_")
    for width in (LAPTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        # charts of width "container" redraw on resize: wait until each has its new width
        page.wait_for_function(REDRAWN, timeout=5_000)
        # the marks follow the chart's new width a frame or more later: what is checked is what
        # the page settles to, not a fixed wait that a busy machine may outlast
        assert (problems := settled(page, LAYOUT)) == [], f"at {width} px: {problems[:3]}"
        if is_chinese(path):
            assert (breaks := page.evaluate(CJK_BREAKS)) == [], f"at {width} px: {breaks[:3]}"
        assert page.evaluate(KEY_CELLS) == [], f"at {width} px"
        if TAKE_SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
