/** What every route handler gets: the emulator's state and the parts of the request it may need. */
import type { EmulatorState } from '../state';

export interface RouteContext {
  readonly state: EmulatorState;
  /** Scheme, host and port the client used: links we hand out must lead back to this emulator. */
  readonly baseUrl: string;
  /** The request path as sent (original case). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  /** The request's body (Resource Graph's POST reads it); undefined when larger than the emulator reads. */
  readonly body?: string | undefined;
}
