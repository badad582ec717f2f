// ES module resolution that searches NODE_PATH, as Lambda's Node.js runtimes (18 and later) do:
// "The Node.js 18.x runtime for Lambda searches the folders listed in NODE_PATH when loading ES
// modules" (AWS Compute Blog, Node.js 18.x runtime now available in AWS Lambda). Node itself
// ignores NODE_PATH for `import`. A bare specifier is first resolved as Node does (the
// importing file's own node_modules, and their parents: the function's node_modules win), and
// only where that finds nothing, in NODE_PATH's node_modules folders in order: the layers'
// /opt/nodejs/nodeNN/node_modules and /opt/nodejs/node_modules, then the runtime's SDK in
// /var/runtime/node_modules. Where none has it, Node's own error stands ("Cannot find package").
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const FOLDERS = (process.env.NODE_PATH ?? "")
  .split(path.delimiter)
  .filter((folder) => path.isAbsolute(folder) && path.basename(folder) === "node_modules");

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !specifier.startsWith("#");
}

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

// Where to resolve `specifier` from instead: a file beside a NODE_PATH folder that holds its
// package, so Node's own resolution (package.json "exports", "main", conditions) finds it
// there first. null: no folder has it.
export function parentFor(specifier, error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) return null;
  const name = packageName(specifier);
  for (const folder of FOLDERS) {
    if (fs.existsSync(path.join(folder, name))) {
      return pathToFileURL(path.join(path.dirname(folder), "[node_path].mjs")).href;
    }
  }
  return null;
}

// module.register's hook (runs on Node's loader thread).
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const parentURL = parentFor(specifier, error);
    if (parentURL === null) throw error;
    return nextResolve(specifier, { ...context, parentURL });
  }
}

// module.registerHooks's hook (Node 22.15 and later: synchronous, on the main thread).
export function resolveSync(specifier, context, nextResolve) {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    const parentURL = parentFor(specifier, error);
    if (parentURL === null) throw error;
    return nextResolve(specifier, { ...context, parentURL });
  }
}
