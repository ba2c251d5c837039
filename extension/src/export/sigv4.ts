// AWS Signature Version 4 for the X-Ray (`xray`) and CloudWatch Logs (`logs`) OTLP endpoints. The
// signature covers the final body as sent (after gzip) and every header we send except the ones
// node adds itself (content-length, user-agent), so nothing may change the request after signing.
// The signing libraries (and node:crypto, which they load) are imported only when a signer is made:
// the default OTLP mode never pays for them.
import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './config.ts';

export type SigningService = 'xray' | 'logs';

export interface RequestSigner {
  /** Returns `headers` plus host, x-amz-date, x-amz-content-sha256, x-amz-security-token and authorization. */
  sign(url: URL, headers: Readonly<Record<string, string>>, body: Buffer): Promise<Record<string, string>>;
}

// Stale signing headers from a previous attempt must not leak into the new signature.
const signingHeaders = new Set(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'host']);

/**
 * @example
 * const signer = createSigV4Signer({ service: 'xray', region: 'us-east-1', credentials });
 * const headers = await signer.sign(new URL(url), { 'content-type': 'application/x-protobuf' }, body);
 */
export function createSigV4Signer(options: { service: SigningService; region: string; credentials: AwsCredentials }): RequestSigner {
  const load = (): Promise<SignatureV4> =>
    Promise.all([import('@aws-crypto/sha256-js'), import('@smithy/signature-v4')]).then(
      ([{ Sha256 }, { SignatureV4 }]) =>
        new SignatureV4({ service: options.service, region: options.region, credentials: { ...options.credentials }, sha256: Sha256 }),
    );
  // Loading starts now (the exporter is made in the background, before the first export); a
  // failed load is tried again on the next signature.
  let loading: Promise<SignatureV4> | undefined = load();
  loading.catch(() => {
    loading = undefined;
  });
  return {
    async sign(url, headers, body) {
      loading ??= load();
      const signer = await loading;
      const unsigned: Record<string, string> = { host: url.host };
      for (const [name, value] of Object.entries(headers)) {
        const lower = name.toLowerCase();
        if (!signingHeaders.has(lower)) unsigned[lower] = value;
      }
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = value;
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: unsigned,
        body,
      });
      return { ...signed.headers };
    },
  };
}
