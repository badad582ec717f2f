"""Which Node.js functions of a service are bundled with esbuild, and how, as the framework
decides (v4's built-in esbuild, lib/plugins/esbuild/index.js `_shouldBuildFunction`):

- a Node.js function whose handler's source is TypeScript (.ts, .cts, .mts, .tsx) always;
- every Node.js function when `build.esbuild` is set, or when serverless-esbuild (its settings
  in `custom.esbuild`) or serverless-plugin-typescript is listed in `plugins:`
  (serverless-plugin-typescript runs tsc; Overcast transpiles with esbuild instead, into the
  same files);
- none when `build.esbuild` is `false`.

Each bundle keeps its handler's path with a .js extension (`src/handlers/create.ts` ->
`src/handlers/create.js`; .mjs for format esm), so the handler string is unchanged. The
framework's defaults: bundle, no minify, sourcemap (`NODE_OPTIONS=--enable-source-maps` is the
core's business), format esm when package.json says `"type": "module"`, `@aws-sdk/*` external.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from overcast.deploy.builds import esbuild, handlers, node
from overcast.deploy.builds.errors import BuildError
from overcast.deploy.serverless.model import Service, TranslationError

BUNDLING_PLUGINS = ("serverless-esbuild", "serverless-plugin-typescript")
# esbuild settings given in the framework's camelCase, as esbuild's CLI flags
PASSED_FLAGS = {"keepNames": "--keep-names", "treeShaking": "--tree-shaking=true"}


def settings(service: Service, plugins: Collection[str]) -> dict[str, Any] | None:
    """The esbuild settings that apply to every Node.js function, None when only TypeScript
    handlers are bundled (with the defaults) and `False`-disabled services bundle nothing."""
    build = (service.config.get("build") or {}).get("esbuild")
    if build is False:
        return None
    if isinstance(build, dict) or build is True:
        return build if isinstance(build, dict) else {}
    if "serverless-esbuild" in plugins:
        custom = (service.config.get("custom") or {}).get("esbuild") or {}
        return custom if isinstance(custom, dict) else {}
    if "serverless-plugin-typescript" in plugins:
        return {}
    return None


def bundled(service: Service, key: str, runtime: str, every: dict[str, Any] | None) -> bool:
    """Whether function `key` (of a Node.js `runtime`) is bundled."""
    if not runtime.startswith("nodejs"):
        return False
    if (service.config.get("build") or {}).get("esbuild") is False:
        return False
    if every is not None:
        return True
    handler = service.functions[key].get("handler")
    if not isinstance(handler, str):
        return False
    try:
        source = handlers.source_of(service.root, handler)
    except BuildError:  # no source at all: the handler check reports it
        return False
    return source.suffix in handlers.TYPESCRIPT


def plan(
    service: Service, keys: list[str], runtime: str, options: dict[str, Any], outdir: Path
) -> esbuild.Bundle:
    """One esbuild run for the handlers of functions `keys`, into `outdir`."""
    entries = []
    for key in keys:
        handler = service.functions[key].get("handler")
        if not isinstance(handler, str):
            raise TranslationError(f"functions.{key}.handler: required")
        entries.append(handlers.source_of(service.root, handler))
    module = node.manifest(service.root).get("type") == "module"
    external = options.get("external") or []
    if not isinstance(external, list):
        raise TranslationError("build.esbuild.external: expected a list")
    flags = [flag for name, flag in PASSED_FLAGS.items() if options.get(name)]
    output_format = str(options.get("format") or ("esm" if module else "cjs"))
    return esbuild.Bundle(
        entries=sorted(set(entries)),
        outdir=outdir,
        outbase=service.root,
        target=str(options.get("target") or esbuild.node_target(runtime)),
        format=output_format,
        minify=bool(options.get("minify", False)),
        sourcemap=options.get("sourcemap", True) is not False,
        external=[str(name) for name in external],
        loader=[f"{ext}={kind}" for ext, kind in (options.get("loader") or {}).items()],
        main_fields=",".join(options["mainFields"]) if options.get("mainFields") else None,
        # .mjs: Node.js loads it as ESM with no package.json beside it to say "module"
        out_extension=".mjs" if output_format == "esm" else ".js",
        options=flags,
    )
