"""`overcast dev`: a deployed project kept in step with its files (see cli/dev.py)."""
