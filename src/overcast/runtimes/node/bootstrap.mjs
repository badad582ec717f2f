// Overcast's Node.js runtime client: Lambda's Runtime API (2018-06-01) from inside an
// execution environment. Loads `file.export` (or `dir/file.export`) from LAMBDA_TASK_ROOT as
// ESM (.mjs, or .js under "type": "module") or CommonJS (.cjs, .js), then serves invocations:
// async handlers, callback handlers, Lambda's context object and error shapes, and streaming
// handlers (awslambda.streamifyResponse: streaming.mjs).
import fs from "node:fs";
import module, { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import util from "node:util";
import { resolveSync } from "./node_path.mjs";
import { awslambda, isStreaming, runStreaming } from "./streaming.mjs";
import { trustCa } from "./trust.mjs";

// Overcast's own variable (sandbox/assignment.py), not the function's: read, then removed.
trustCa(process.env.OVERCAST_CA_FILE);
delete process.env.OVERCAST_CA_FILE;

const API = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT;
let requestId;

// Lambda's Node log format: TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage (newlines kept in one event).
for (const [method, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"],
                               ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
  console[method] = (...args) => {
    const message = util.format(...args).replace(/\n/g, "\r");
    process.stdout.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${message}\n`);
  };
}

function errorObject(error) {
  const isError = error instanceof Error;
  return {
    errorType: isError ? error.name : "Error",
    errorMessage: isError ? error.message : String(error),
    trace: isError && error.stack ? error.stack.split("\n") : [],
  };
}

async function post(where, body, headers = {}) {
  await fetch(`${API}${where}`, { method: "POST", body, headers });
}

async function initError(errorType, error) {
  const body = { ...errorObject(error), errorType };
  console.error(`${errorType}: ${body.errorMessage}`);
  await post("/init/error", JSON.stringify(body), { "Lambda-Runtime-Function-Error-Type": errorType });
  process.exit(1);
}

function moduleFile(modulePath) {
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const file = path.resolve(TASK_ROOT, modulePath + extension);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function isEsm(file) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, "utf8")).type === "module";
    if (dir === path.dirname(dir) || dir === path.dirname(TASK_ROOT)) return false;
  }
}

// `import` searches NODE_PATH, as on Lambda. An isolated environment needs no hook for it:
// its /node_modules leads to the runtime's SDK, with the layers' packages laid over it
// (sandbox/isolation.py), and every `import` walks up to it. Elsewhere (not isolated, or the
// SDK not installed) a resolve hook searches NODE_PATH (node_path.mjs): Node 22.15+ runs it
// on this thread, at no cost; older Nodes only on a loader thread of its own (~40 ms and
// ~10 MB more per environment), so there only for ES module handlers.
function searchNodePath(esm) {
  if (fs.existsSync("/node_modules")) return;
  if (module.registerHooks) module.registerHooks({ resolve: resolveSync });
  else if (esm && module.register) module.register("./node_path.mjs", import.meta.url);
}

async function loadHandler(handlerString) {
  const dot = handlerString.lastIndexOf(".");
  const modulePath = handlerString.slice(0, dot);
  const name = handlerString.slice(dot + 1);
  const file = dot > 0 ? moduleFile(modulePath) : null;
  if (!file) {
    const error = new Error(`Cannot find module '${modulePath}'`);
    error.name = "Runtime.ImportModuleError";
    return initError("Runtime.ImportModuleError", error);
  }
  const esm = isEsm(file);
  searchNodePath(esm);
  let loaded;
  try {
    loaded = esm ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  } catch (error) {
    return initError(error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError"
                                                   : "Runtime.ImportModuleError", error);
  }
  const handler = loaded[name] ?? loaded.default?.[name];
  if (typeof handler !== "function") {
    const error = new Error(`${modulePath}.${name} is undefined or not exported`);
    error.name = "Runtime.HandlerNotFound";
    return initError("Runtime.HandlerNotFound", error);
  }
  return handler;
}

function contextFor(headers) {
  const deadline = Number(headers.get("lambda-runtime-deadline-ms"));
  const clientContext = headers.get("lambda-runtime-client-context");
  const identity = headers.get("lambda-runtime-cognito-identity");
  return {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: headers.get("lambda-runtime-aws-request-id"),
    invokedFunctionArn: headers.get("lambda-runtime-invoked-function-arn"),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: identity ? JSON.parse(identity) : undefined,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// Resolves once Node's event loop has nothing left to do (timers, sockets): 'beforeExit'.
function emptyEventLoop() {
  return new Promise((resolve) => process.once("beforeExit", resolve));
}

function run(handler, event, context) {
  if (handler.length < 3) return Promise.resolve().then(() => handler(event, context));
  // A callback handler: the first of callback(err, result) or a returned promise wins. With
  // context.callbackWaitsForEmptyEventLoop (the default), Lambda answers only once the
  // handler's pending work (timers, sockets) is done.
  return new Promise((resolve, reject) => {
    const settle = (finish) => {
      if (context.callbackWaitsForEmptyEventLoop) emptyEventLoop().then(finish);
      else finish();
    };
    const callback = (error, result) =>
      settle(() => (error ? reject(error) : resolve(result)));
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === "function") returned.then(resolve, reject);
  });
}

globalThis.awslambda = awslambda; // before the handler's module runs: it may stream
const handler = await loadHandler(process.env._HANDLER);
for (;;) {
  const next = await fetch(`${API}/invocation/next`);
  const context = contextFor(next.headers);
  requestId = context.awsRequestId;
  process.env._X_AMZN_TRACE_ID = next.headers.get("lambda-runtime-trace-id") ?? "";
  const event = JSON.parse(await next.text());
  if (isStreaming(handler)) {
    await runStreaming(handler, event, context, `${API}/invocation/${requestId}/response`,
                       errorObject);
    continue;
  }
  try {
    const result = await run(handler, event, context);
    await post(`/invocation/${requestId}/response`, JSON.stringify(result ?? null));
  } catch (error) {
    const body = errorObject(error);
    console.error("Invoke Error", JSON.stringify(body));
    await post(`/invocation/${requestId}/error`, JSON.stringify(body),
               { "Lambda-Runtime-Function-Error-Type": body.errorType });
  }
}
