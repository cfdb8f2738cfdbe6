"""The case aggregate: the investigation lifecycle, hypotheses, progress, titles, and the service over its port."""
