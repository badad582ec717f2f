// Overcast's HTTPS listener's CA (http/certificates.py), trusted by the TLS connections a
// function opens (the AWS SDK's, fetch's, https'), so that code written for API Gateway can
// call `"https://" + requestContext.domainName + "/" + stage`. NODE_EXTRA_CA_CERTS would do
// it too, but Node then builds its whole root store at startup (about 20 ms on every cold
// start, measured); here the CA is added on first use, to each context that uses the default
// store (a caller's own `ca` replaces that store, and is left as it is), as the syswide-cas
// package does it.
import fs from "node:fs";
import tls from "node:tls";

export function trustCa(file) {
  if (!file) return;
  const createSecureContext = tls.createSecureContext;
  let pem;
  tls.createSecureContext = function (options) {
    const secure = createSecureContext.call(this, options);
    if (!options?.ca) {
      pem ??= fs.readFileSync(file, "latin1");
      secure.context.addCACert(pem);
    }
    return secure;
  };
}
