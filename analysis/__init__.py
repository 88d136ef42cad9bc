"""Science Cities, reproduced: load and validate the data, compute every table and chart of the
Nature Index Science Cities supplement, and run the notebooks that make the book."""

from analysis.data import DataError, Problem, YearData, load_year

__all__ = ["DataError", "Problem", "YearData", "load_year"]
