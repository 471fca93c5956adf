"""What analysts get out of a database: comparisons across jurisdictions and exports (analyst.py),
and the static HTML report (`obligations report`, build.py with charts.py and highlight.py). It may
import store, the base modules, schemas and extractors' vocabularies (categories); only cli imports
it."""
from pipeline.report.build import build_report, write_report

__all__ = ["build_report", "write_report"]
