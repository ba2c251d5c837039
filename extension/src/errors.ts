/**
 * A configuration value the extension cannot use. The message always names the variable, the
 * accepted values and what was given, so one line at init tells the user what to fix.
 */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, expected: string, actual: string | undefined) {
    super(`Configuration: ${variable} is invalid, expected ${expected}, actual ${JSON.stringify(actual ?? '')}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
