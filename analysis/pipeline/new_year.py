"""`python -m analysis new-year Y`: start a data year with every input file's header and a
checklist of what each needs."""

from __future__ import annotations

from pathlib import Path

from analysis.data import (
    CHECKLIST,
    REFERENCE_FILES,
    REQUIRED_YEAR_FILES,
    DataError,
    Problem,
    package,
)
from analysis.paths import DATA, shown
from analysis.pipeline.staging import staged

USUAL_SOURCES = {
    "city_share": "a Nature Index city table export (python -m analysis ingest EXPORT --write)",
    "adjusted_share": "the same export (ingest infers the adjustment factor from its rows)",
    "country_share": "Nature Index Research Leaders, the country table of the same year",
    "location_share_input": "the printed % Location Share, where a country's Share is unknown",
    "riser_mentions": "the supplement's prose, for subjects that have no riser table",
    "rank_history": "the supplement's rank table, or the city tables of the earlier years",
    "city_partnerships": "the supplement's city-partnership tables (Nature Index collaborations)",
    "institution_partnerships": "the supplement's institution-partnership table",
}


def scaffold_year(year: int, data_dir: Path = DATA) -> Path:
    """A new year folder: every input file of a data year with its header only, and a checklist of
    what each needs and where it usually comes from (from the descriptions in datapackage.json).
    Refuses a year that already has a folder."""
    target = data_dir / str(year)
    if target.exists():
        raise DataError(
            [
                Problem(
                    shown(target),
                    None,
                    None,
                    "already exists: a new year starts from "
                    "an empty folder (edit the files there instead)",
                )
            ]
        )
    lines = [
        f"# Data year {year}: checklist",
        "",
        "Fill each file (the header is there), check with `python -m analysis validate "
        f"--year {year}`, then `make book`. Record where every number comes from in "
        "data/README.md. Files a year has no data for may be deleted: their chapters are "
        "then left out.",
        "",
    ]
    with staged(target) as staging:
        for resource in package(data_dir)["resources"]:
            path = Path(resource["path"])
            if path.parts[0] in ("reference",) or resource.get("name") in REFERENCE_FILES:
                continue
            if len(path.parts) != 2 or not path.parts[0].isdigit():
                continue
            fields = [f["name"] for f in resource["schema"]["fields"]]
            (staging / path.name).write_text(",".join(fields) + "\n", encoding="utf-8")
            required = "required" if resource["name"] in REQUIRED_YEAR_FILES else "optional"
            lines += [
                f"- [ ] `{path.name}` ({required}): {resource.get('description', '')}",
                f"      usually from: {USUAL_SOURCES.get(resource['name'], 'see data/README.md')}",
                f"      columns: {', '.join(fields)}",
            ]
        (staging / CHECKLIST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
