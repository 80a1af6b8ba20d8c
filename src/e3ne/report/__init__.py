"""One self-contained HTML report of a design directory (``write_report``)."""

from e3ne.report.activity import spike_activity
from e3ne.report.html import write_report

__all__ = ["spike_activity", "write_report"]
