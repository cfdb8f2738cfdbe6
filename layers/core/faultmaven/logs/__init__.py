"""Log and evidence-file analysis: template mining, severities, timeline and a short summary."""

from faultmaven.logs.analyze import analyze_file, analyze_text
from faultmaven.logs.models import LogAnalysis, TemplateSummary, Timeline, TimelineBucket

__all__ = ["LogAnalysis", "TemplateSummary", "Timeline", "TimelineBucket", "analyze_file", "analyze_text"]
