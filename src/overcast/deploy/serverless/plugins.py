"""The project's `plugins:`: which the deploy acts on, which it accepts and ignores.

The framework loads each listed npm package and lets it hook the deploy. Overcast runs no
plugin code: what the common packaging plugins do is built in (packaging.py asks `enabled`),
plugins that only matter on a developer's machine are accepted with a note, and any other is
reported and the deploy goes on, as far as the project works without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.deploy.serverless.model import Service, TranslationError

PYTHON_REQUIREMENTS = "serverless-python-requirements"
ESBUILD = "serverless-esbuild"
TYPESCRIPT = "serverless-plugin-typescript"
IAM_ROLES_PER_FUNCTION = "serverless-iam-roles-per-function"
# What Overcast does itself (packaging.py, iam.py).
BUILT_IN = frozenset({PYTHON_REQUIREMENTS, ESBUILD, TYPESCRIPT, IAM_ROLES_PER_FUNCTION})

# Plugins that change how the project runs on a laptop or what is kept in the cloud account,
# not what the stack holds: nothing to do here.
LOCAL_ONLY: dict[str, str] = {
    "serverless-offline": "Overcast is the local cloud",
    "serverless-offline-sqs": "Overcast runs SQS itself",
    "serverless-offline-sns": "Overcast runs SNS itself",
    "serverless-offline-scheduler": "Overcast runs schedules itself",
    "serverless-dynamodb-local": "Overcast runs DynamoDB itself",
    "serverless-dynamodb": "Overcast runs DynamoDB itself",
    "serverless-s3-local": "Overcast runs S3 itself",
    "serverless-dotenv-plugin": "read .env values through ${env:NAME} from the shell",
    "serverless-prune-plugin": "old function versions are not pruned",
    "serverless-plugin-warmup": "Overcast's functions do not need warming",
    "serverless-plugin-log-retention": "set logRetentionInDays instead",
}

# Plugins that need a service Overcast does not have yet.
MISSING: dict[str, str] = {
    "serverless-step-functions": "Step Functions do not exist in Overcast yet: "
    "`stepFunctions.stateMachines` is not deployed",
    "serverless-domain-manager": "custom domains need Route 53 and ACM, which Overcast lacks",
    "serverless-plugin-canary-deployments": "CodeDeploy does not exist in Overcast",
}


@dataclass(frozen=True)
class Plugins:
    """The plugin names `plugins:` lists, in its order."""

    names: tuple[str, ...] = ()

    def enabled(self, name: str) -> bool:
        return name in self.names

    def notes(self) -> list[str]:
        """One line per listed plugin that Overcast does not act on."""
        found = []
        for name in self.names:
            if name in BUILT_IN:
                continue
            if name in LOCAL_ONLY:
                found.append(f"plugin {name} is local-only: ignored ({LOCAL_ONLY[name]})")
            elif name in MISSING:
                found.append(f"plugin {name}: ignored: {MISSING[name]}")
            else:
                found.append(f"plugin {name} is not built into Overcast: ignored")
        return found


def of(service: Service) -> Plugins:
    """`plugins:` as a list, or the `{localPath, modules: [...]}` form."""
    listed = service.config.get("plugins")
    if listed is None:
        return Plugins()
    if isinstance(listed, dict):
        listed = listed.get("modules") or []
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise TranslationError("plugins: expected a list of plugin names (or {modules: [...]})")
    return Plugins(tuple(listed))
