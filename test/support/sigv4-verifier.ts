// Checks an AWS Signature Version 4 the way the service would, with an implementation independent
// from the one the extension signs with: the `aws4` package recomputes the signature over exactly the
// headers the request says it signed, and the two are compared.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';

const require = createRequire(import.meta.url);
const aws4 = require('aws4') as {
  RequestSigner: new (
    request: Record<string, unknown>,
    credentials: Record<string, string | undefined>,
  ) => { datetime?: string; sign(): { headers: Record<string, string> } };
};

export interface SigV4Expectation {
  service: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Verdict {
  valid: boolean;
  reason?: string;
  signedHeaders?: string[];
}

interface SignableRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function verifySigV4(request: SignableRequest, expected: SigV4Expectation): SigV4Verdict {
  const authorization = String(request.headers.authorization ?? '');
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) return { valid: false, reason: `malformed Authorization header: ${JSON.stringify(authorization)}` };
  const [, keyId, , region, service, signedHeaderList, signature] = match as unknown as string[];
  const signedHeaders = signedHeaderList!.split(';');
  if (keyId !== expected.accessKeyId) return { valid: false, reason: `access key ${keyId}`, signedHeaders };
  if (region !== expected.region) return { valid: false, reason: `region ${region}`, signedHeaders };
  if (service !== expected.service) return { valid: false, reason: `service ${service}`, signedHeaders };
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) return { valid: false, reason: `${required} is not signed`, signedHeaders };
  }
  if (expected.sessionToken && request.headers['x-amz-security-token'] !== expected.sessionToken) {
    return { valid: false, reason: 'x-amz-security-token missing or wrong', signedHeaders };
  }

  // A signed payload hash only proves the body if it is the body's hash.
  const claimedPayloadHash = request.headers['x-amz-content-sha256'];
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (claimedPayloadHash !== undefined && claimedPayloadHash !== payloadHash) {
    return { valid: false, reason: 'x-amz-content-sha256 is not the hash of the body', signedHeaders };
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { valid: false, reason: `signed header ${name} is absent`, signedHeaders };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new aws4.RequestSigner(
    {
      service,
      region,
      method: request.method,
      path: request.path,
      host: headers.host,
      headers,
      body: request.body,
      doNotModifyHeaders: true,
    },
    { accessKeyId: expected.accessKeyId, secretAccessKey: expected.secretAccessKey, sessionToken: expected.sessionToken },
  );
  // The signing time is the request's X-Amz-Date: with doNotModifyHeaders aws4 would take the clock's
  // current second instead, and a request verified in a later second than it was signed would fail.
  signer.datetime = headers['x-amz-date'];
  const recomputed = signer.sign();
  const recomputedSignature = /Signature=([0-9a-f]{64})/.exec(recomputed.headers.Authorization ?? recomputed.headers.authorization ?? '')?.[1];
  if (recomputedSignature !== signature) {
    return { valid: false, reason: 'signature does not match the request', signedHeaders };
  }
  return { valid: true, signedHeaders };
}
