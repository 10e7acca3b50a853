/** A problem the user can fix (bad input, unknown account): the CLI prints its message alone, exit code 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
