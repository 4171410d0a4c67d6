// Errors carry a code; one mapper (the HTTP error middleware) owns the status codes.

export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  too_many_requests: 429,
  internal: 500,
  /** A platform we depend on refused or failed (e.g. Telegram setWebhook). */
  bad_gateway: 502,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. 'conversation_not_found'. Defaults to kind. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.kind];
  }

  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

export const notFound = (what: string) =>
  new AppError('not_found', `${what}_not_found`, `${what.replace(/_/g, ' ')} not found`);

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
