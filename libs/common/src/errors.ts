/** Domain errors carry a stable code and a message a person can act on; the API maps them to HTTP once. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that cannot be accepted as given (bad XML, unknown code, bad geometry). */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** Caller is known but may not do this (role or region). */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

/** Too many tries: the caller must wait (details.retryAfterSeconds). */
export class TooManyRequestsError extends DomainError {
  readonly code = 'too_many_requests';
}

/** The password was right, but this account also needs its authenticator code (TOTP). */
export class SecondFactorRequiredError extends DomainError {
  readonly code = 'totp_required';
}

/** A link or token that was once valid but is no longer. */
export class GoneError extends DomainError {
  readonly code = 'gone';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/** Worth retrying: the provider or a dependency failed for now. */
export class TransientError extends DomainError {
  readonly code = 'transient';
}

/** A body or file larger than the service takes (details.limit in bytes). */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}
