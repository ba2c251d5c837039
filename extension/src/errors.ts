/**
 * A configuration value the extension cannot use. The message always names the variable and the
 * accepted values; it shows what was given only when that cannot hold a secret (headers,
 * credentials, URLs with userinfo or a query are never repeated), so the line is safe to log.
 */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, expected: string, actual: string | undefined) {
    super(`Configuration: ${variable} is invalid, expected ${expected}, actual ${shownValue(variable, actual)}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Variables whose whole value may be a secret. */
const SECRET_VARIABLES = /(^|_)HEADERS$|^AWS_ACCESS_KEY_ID$|^AWS_SECRET_ACCESS_KEY$|^AWS_SESSION_TOKEN$/;

/** The given value as the message shows it: quoted, or a note when it may hold a secret. */
export function shownValue(variable: string, actual: string | undefined): string {
  const value = actual ?? '';
  if (value !== '' && SECRET_VARIABLES.test(variable)) return '(not shown: it may hold a secret)';
  // A URL may carry credentials in its userinfo or its query (…?api_key=…).
  if (/ENDPOINT$/.test(variable) && /[@?]/.test(value)) return '(not shown: it may hold a secret)';
  return JSON.stringify(value);
}
