// Error bodies the Lambda APIs answer with, and the emulator's own error classes.

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** An API answer that is not a success: HTTP status plus Lambda's `{errorType, errorMessage}` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorType: string;
  constructor(status: number, errorType: string, errorMessage: string) {
    super(errorMessage);
    this.status = status;
    this.errorType = errorType;
  }
  body(): { errorType: string; errorMessage: string } {
    return { errorType: this.errorType, errorMessage: this.message };
  }
}

export const apiErrors = {
  requestTooLarge: (size: number, limit: number) =>
    new ApiError(413, 'RequestEntityTooLargeException', `${size} byte payload is too large for the RequestResponse invocation type (limit ${limit} bytes)`),
  invalidRequestId: () => new ApiError(400, 'InvalidRequestID', 'Invalid request ID'),
  invalidStateTransition: (what: string) => new ApiError(403, 'InvalidStateTransition', `State transition is not allowed: ${what}`),
  payloadTooLarge: (limit: number) => new ApiError(413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${limit} bytes).`),
  truncated: () => new ApiError(400, 'TruncatedHTTPRequest', 'The request body was truncated'),
  invalidResponseMode: (mode: string) => new ApiError(400, 'InvalidFunctionResponseMode', `Unsupported Lambda-Runtime-Function-Response-Mode: ${mode}`),
  invalidRequestFormat: (detail: string) => new ApiError(403, 'InvalidRequestFormat', detail),
  invalidExtensionName: () => new ApiError(403, 'Extension.InvalidExtensionName', 'Lambda-Extension-Name header is missing or empty'),
  invalidEventType: (detail: string) => new ApiError(403, 'Extension.InvalidEventType', detail),
  registrationClosed: () => new ApiError(403, 'Extension.RegistrationClosed', 'Extension registration is closed after init'),
  tooManyExtensions: () => new ApiError(403, 'Extension.TooManyExtensions', 'At most 10 extensions may register'),
  invalidExtensionState: (detail: string) => new ApiError(403, 'Extension.InvalidExtensionState', detail),
  missingIdentifier: () => new ApiError(403, 'Extension.MissingExtensionIdentifier', 'Lambda-Extension-Identifier header is missing'),
  invalidIdentifier: () => new ApiError(403, 'Extension.InvalidExtensionIdentifier', 'Lambda-Extension-Identifier is not a valid UUID'),
  unknownIdentifier: () => new ApiError(403, 'Extension.UnknownExtensionIdentifier', 'Lambda-Extension-Identifier is not registered'),
  missingHeader: (name: string) => new ApiError(403, 'Extension.MissingHeader', `${name} header is missing`),
  telemetryValidation: (detail: string) => new ApiError(400, 'ValidationError', detail),
  subscriptionClosed: () => new ApiError(403, 'Telemetry.SubscriptionClosed', 'Telemetry API subscriptions are only accepted during init'),
  extensionsDisabled: () => new ApiError(404, 'NotFound', 'Extensions are disabled (/opt/disable-extensions-jwigqn8j)'),
  notFound: (path: string) => new ApiError(404, 'NotFound', `No such route: ${path}`),
  methodNotAllowed: (method: string, path: string) => new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}`),
} as const;
