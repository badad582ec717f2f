// Response streaming for Overcast's Node.js runtime, as Lambda's Node runtimes offer it: the
// `awslambda` global with streamifyResponse(handler) and HttpResponseStream.from(stream,
// prelude). A streaming handler gets a writable `responseStream`; what it writes goes to the
// Runtime API as it is written (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked
// transfer coding), and an error after the first write travels in Lambda's error trailers.
import http from "node:http";
import { Writable } from "node:stream";

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const HTTP_INTEGRATION_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = new Uint8Array(8); // 8 NUL bytes end an HttpResponseStream's JSON prelude
const ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY = "Lambda-Runtime-Function-Error-Body";

export const awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = "response";
    if (options?.highWaterMark) handler[HIGH_WATER_MARK] = options.highWaterMark;
    return handler;
  },
  HttpResponseStream: {
    // The status, headers and cookies of a function URL's response, sent ahead of the body.
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION_TYPE);
      const metadata = JSON.stringify(prelude);
      stream._onBeforeFirstWrite = (write) => {
        write(metadata);
        write(DELIMITER);
      };
      return stream;
    },
  },
};

export function isStreaming(handler) {
  return handler[STREAMING] === "response";
}

// The writable `responseStream`: a POST to the Runtime API, opened by the first write (until
// then the content type may change) and ended by end(); it settles once Lambda's side answers.
class ResponseStream extends Writable {
  constructor(url, highWaterMark, errorObject) {
    super(highWaterMark ? { highWaterMark } : {});
    this.url = url;
    this.errorObject = errorObject;
    this.contentType = "application/octet-stream";
    this.request = null;
    this._onBeforeFirstWrite = undefined;
    this.trailers = null;
    this.answered = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A destroyed stream's error is the handler's to report (its promise rejects); unheard,
    // it would end the runtime.
    this.on("error", () => {});
  }

  setContentType(contentType) {
    if (this.request) throw new Error("Cannot set content-type, too late.");
    this.contentType = contentType;
  }

  write(chunk, encoding, callback) {
    // As Lambda's runtime does: anything that is not text or bytes is written as JSON.
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    return super.write(chunk, encoding, callback);
  }

  _open() {
    this.request = http.request(this.url, {
      method: "POST",
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Content-Type": this.contentType,
        "Transfer-Encoding": "chunked",
        Trailer: `${ERROR_TYPE}, ${ERROR_BODY}`,
      },
    });
    this.request.on("response", (response) => {
      response.resume();
      response.on("end", () => this.settle.resolve(response.statusCode));
    });
    this.request.on("error", (error) => this.settle.reject(error));
    // An HttpResponseStream's prelude goes first, even ahead of an empty body.
    if (typeof this._onBeforeFirstWrite === "function") {
      this._onBeforeFirstWrite((data) => this.request.write(data));
    }
  }

  _write(chunk, encoding, callback) {
    if (!this.request) this._open();
    this.request.write(chunk, encoding, callback);
  }

  _final(callback) {
    if (!this.request) this._open();
    if (this.trailers) this.request.addTrailers(this.trailers);
    this.request.end(callback);
  }

  // destroy(): the request ends too (with the error's trailers), or the invocation would wait.
  _destroy(error, callback) {
    if (!this.request?.writableEnded) {
      if (!this.request) this._open();
      if (error) this.request.addTrailers(trailersFor(this.errorObject(error)));
      this.request.end();
    }
    callback(error);
  }

  // End the stream with Lambda's error trailers (what was written so far stays written).
  async fail(error) {
    if (!this.writableEnded && !this.destroyed) {
      this.trailers = trailersFor(error);
      this.end();
    }
    await this.answered;
  }
}

function trailersFor(error) {
  return {
    [ERROR_TYPE]: error.errorType,
    [ERROR_BODY]: Buffer.from(JSON.stringify(error)).toString("base64"),
  };
}

// Run a streaming handler to the end of its stream. A handler must return a promise and
// end its stream (as on Lambda, one that never does runs until the function times out).
export async function runStreaming(handler, event, context, url, errorObject) {
  const stream = new ResponseStream(url, handler[HIGH_WATER_MARK], errorObject);
  try {
    const returned = handler(event, stream, context);
    if (!returned || typeof returned.then !== "function") {
      throw new Error("Streaming does not support non-async handlers.");
    }
    if ((await returned) !== undefined) console.warn("Streaming handlers ignore return values.");
    await stream.answered;
  } catch (error) {
    const body = errorObject(error);
    console.error("Invoke Error", JSON.stringify(body));
    await stream.fail(body);
  }
}
