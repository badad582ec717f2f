"""The import contract of DESIGN.md, checked on the source tree.

- `aws/` and `http/` import no service: they are the wire and the front doors any service uses.
- A service (`services/<name>/`) never imports another: services reach each other by ARN.
  `services/base.py` is no service: it is what every service is built from (ServiceSpec).
- Only `services/lambda_` (and `factory.py`, which builds it) imports `engine/`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import overcast

SOURCE = Path(overcast.__file__).parent


def modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The overcast modules `path` imports, anywhere in it (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in known else node.module)
    return {name for name in names if name.startswith("overcast.")}


SHARED_BY_SERVICES = {"base"}  # services/base.py


def service(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "services" and parts[2] not in SHARED_BY_SERVICES:
        return parts[2]
    return None


def broken_rule(importer: str, imported: str) -> str | None:
    layer, target = importer.split(".")[1], imported.split(".")[1]
    if layer in ("aws", "http") and target == "services":
        return "aws/ and http/ import no service"
    if service(importer) and service(imported) and service(importer) != service(imported):
        return "a service imports no other service"
    if target == "engine" and layer not in ("engine", "factory") and service(importer) != "lambda_":
        return "only services/lambda_ imports engine/"
    if layer == "deploy" and target == "cli":
        return "deploy/ (builds, serverless.yml, dev's machinery) imports no cli/: the CLI uses it"
    return None


def crossings() -> dict[tuple[str, str], str]:
    known = modules()
    found = {}
    for importer, path in known.items():
        for imported in imports(path, known):
            rule = broken_rule(importer, imported)
            if rule:
                found[(importer, imported)] = rule
    return found


def test_no_import_crosses_a_layer() -> None:
    found = [f"{a} -> {b}: {rule}" for (a, b), rule in sorted(crossings().items())]
    assert not found, "imports that break DESIGN.md's contract:\n" + "\n".join(found)


def test_the_rules_are_the_design_s() -> None:
    """The checker itself: each rule catches what it names, and leaves the rest alone."""
    assert broken_rule("overcast.aws.gateway", "overcast.services.sqs.store")
    assert broken_rule("overcast.http.app", "overcast.services.lambda_.api.invoke")
    assert broken_rule("overcast.services.sns.fanout", "overcast.services.sqs.broker")
    assert broken_rule("overcast.services.sqs.pollers", "overcast.engine.engine")
    assert broken_rule("overcast.http.front_door", "overcast.engine.engine")
    assert not broken_rule("overcast.services.lambda_.api.invoke", "overcast.engine.engine")
    assert not broken_rule("overcast.services.sqs.api.service", "overcast.aws.validation")
    assert not broken_rule("overcast.services.sqs.broker", "overcast.services.sqs.store")
    assert not broken_rule("overcast.services.sqs.spec", "overcast.services.base")
    assert not broken_rule("overcast.factory", "overcast.engine.engine")
    assert broken_rule("overcast.deploy.builds.sam", "overcast.cli.errors")
    assert not broken_rule("overcast.cli.artifacts", "overcast.deploy.builds.sam")
