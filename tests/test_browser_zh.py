"""Every Chinese page of the book as a reader meets it (tests/pagecheck.py), beside the English
ones in tests/test_browser.py, so that the two languages are checked side by side."""

import pytest

from pagecheck import HTML, PAGES, check_page, is_chinese


@pytest.mark.parametrize(
    "path", [p for p in PAGES if is_chinese(p)], ids=lambda p: str(p.relative_to(HTML))
)
def test_page_works_offline_and_reads_well_on_a_laptop_and_a_phone(tab, axe, path):
    check_page(tab, axe, path)
