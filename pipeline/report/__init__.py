"""The static HTML report (`obligations report`): see build.py."""
from pipeline.report.build import build_report, write_report

__all__ = ["build_report", "write_report"]
