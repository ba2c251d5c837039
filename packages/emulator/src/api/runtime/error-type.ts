// How the platform names an error the runtime reports (Lambda-Runtime-Function-Error-Type header or
// trailer): `Runtime.X` and `Function.X` pass as they are; another `Function.` value becomes
// Function.Unknown, and anything else (no header, or a language error name such as TypeError)
// Runtime.Unknown. The platform records carry this; the caller still sees the function's own payload.
const validErrorType = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

export function platformErrorType(reported: string | undefined): string {
  if (reported !== undefined && validErrorType.test(reported)) return reported;
  if (reported?.startsWith('Function.')) return 'Function.Unknown';
  return 'Runtime.Unknown';
}
