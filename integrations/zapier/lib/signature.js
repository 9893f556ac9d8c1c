// Deliveries carry `X-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed with the
// hook's whole secret (`whsec_…`). Zapier passes the raw request when it has it; its header
// names may carry an `Http-` prefix.

const crypto = require("node:crypto");

function header(headers, name) {
  const wanted = [name.toLowerCase(), `http-${name.toLowerCase()}`];
  const found = Object.keys(headers || {}).find((key) => wanted.includes(key.toLowerCase()));
  return found === undefined ? undefined : headers[found];
}

// true: signed with the secret; false: not; undefined: nothing to check against.
function verified(rawRequest, secret) {
  if (!rawRequest || typeof rawRequest.content !== "string" || !secret) return undefined;
  const given = header(rawRequest.headers, "X-Signature");
  if (typeof given !== "string") return false;
  const expected = crypto.createHmac("sha256", secret).update(rawRequest.content).digest("hex");
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

module.exports = { verified };
