"""Quarterly verdicts: SQL checks (one indicator over one kind of entity per file), the roll-up,
review, export."""
