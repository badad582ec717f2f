"""`overcast dev`: a deployed project kept in step with its files (see cli/dev.py). The watching
and reloading live here; the two kinds of project, built on `overcast deploy`'s own commands,
are cli/dev_sam.py and cli/dev_serverless.py, so nothing here imports cli/."""
