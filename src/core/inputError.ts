/**
 * Input refused before anything is sent: a malformed job ID or region, a bad command-line option, a settings entry.
 * The domain's own error, so job and settings parsing do not depend on the transport's error classes.
 */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
