"""Science Cities, reproduced: load and validate the data, compute every table and chart of the
Nature Index Science Cities supplement, and run the notebooks that make the book.

What a page (a notebook) uses lives in this package's modules (data, pages, tables, charts,
narrative, display, i18n, audit); the build machinery is analysis.pipeline and the records engine
analysis.records."""

__all__ = ["DataError", "Problem", "YearData", "load_year"]


def __getattr__(name: str):
    # `from analysis import load_year` loads the data module (pandas, pandera) only when asked,
    # so that the command line starts without them (PEP 562).
    if name in __all__:
        from analysis import data

        return getattr(data, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
