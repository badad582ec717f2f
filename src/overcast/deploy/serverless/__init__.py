"""A Serverless Framework project (`serverless.yml`) deployed as the framework deploys it.

The framework cannot target a local endpoint without third-party plugins (and version 4 needs an
online login), so Overcast reads `serverless.yml` itself: `project.py` loads it and resolves its
variables (`variables.py`), `packaging.py` builds the functions' packages, `template.py` compiles
the stack the framework would (names and logical ids from `naming.py`, one module per event
type under `events/`), and `overcast deploy` sends it to CloudFormation like any template.
"""
