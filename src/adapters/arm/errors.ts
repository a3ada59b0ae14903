import {
  AppGwInsightsError,
  AuthenticationError,
  BackendHealthUnavailableError,
  GatewayNotFoundError,
  MissingPermissionError,
  ThrottledError,
} from '../../errors';

/** What ARM puts on a failed call, read by shape: the SDK's RestError may come from another copy of core. */
interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  details?: unknown;
}

function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && error.name === 'RestError';
}

function armErrorCode(error: RestErrorLike): string | undefined {
  const details = error.details as { error?: { code?: string } } | undefined;
  return details?.error?.code ?? error.code;
}

/**
 * Maps an SDK failure to the error a user can act on, at this edge so the rest of the app never sees
 * SDK types. `action` names the RBAC action the call needed (for 403 messages).
 */
export function toArmError(error: unknown, resourceId: string, action: string): Error {
  if (error instanceof AppGwInsightsError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new BackendHealthUnavailableError(resourceId, 'the call was cancelled (time-out)', {
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'CredentialUnavailableError') {
    return new AuthenticationError(error.message, { cause: error });
  }
  if (error instanceof Error && error.name === 'AuthenticationError') {
    return new AuthenticationError(error.message, { cause: error });
  }
  if (!isRestError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new BackendHealthUnavailableError(resourceId, message, { cause: error });
  }
  const code = armErrorCode(error);
  const detail = `HTTP ${error.statusCode ?? '?'}${code ? ` ${code}` : ''}: ${firstLine(error.message)}`;
  switch (error.statusCode) {
    case 401:
      return new AuthenticationError(detail, { cause: error });
    case 403:
      return new MissingPermissionError(resourceId, action, detail, { cause: error });
    case 404:
      return new GatewayNotFoundError(resourceId, detail, { cause: error });
    case 429:
      return new ThrottledError(resourceId, detail, { cause: error });
    default:
      return new BackendHealthUnavailableError(resourceId, detail, { cause: error });
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
