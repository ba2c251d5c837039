/**
 * What the plugin may say about a value that can hold a secret: header values, a URL's userinfo and
 * query, AWS credentials never reach a log line.
 */

const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s/?#]*)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;

/** Removes the userinfo, query and fragment of every URL in a text (an error message, say). */
export function scrubUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_match, scheme: string, _userinfo: string | undefined, host: string, path: string) => `${scheme}${host}${path}`);
}

/**
 * A failure in a few words that are safe to print: the error's name, its code (an errno or an HTTP
 * status), and its message with URLs scrubbed. Response bodies and headers are never included.
 */
export function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'no error given';
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  const parts = [error.name];
  if (typeof code === 'string' || typeof code === 'number') parts.push(typeof code === 'number' ? `HTTP ${code}` : code);
  if (error.message) parts.push(scrubUrls(error.message));
  return parts.join(': ');
}
