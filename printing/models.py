"""Models of the printing app (batch jobs)."""
