/** Moved to src/errors.ts (the pipeline catches it without importing adapters); kept as a re-export. */
export { StateConflictError } from '../../errors';
