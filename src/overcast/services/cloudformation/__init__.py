"""CloudFormation: stacks, change sets, events and the engine that deploys templates through
each service's resource providers (`services/<name>/resources.py`). `template/` is the template
language itself (YAML and JSON, intrinsic functions, parameters, conditions, transforms), pure
and free of any store or service.
"""
