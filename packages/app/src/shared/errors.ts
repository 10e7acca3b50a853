/** A problem the user can fix (bad input, unknown account): the CLI prints its message alone, exit code 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Something asked for by id does not exist: HTTP answers 404 `not_found`. */
export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but the current state forbids it (already reviewed, superseded): HTTP 409 `conflict`. */
export class ConflictError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
