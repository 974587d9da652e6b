/** Errors told the way a user needs them: what went wrong in words, and what to do about it. */

/** A failure a command explains itself, with what the user can do about it. */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    message: string,
    /** What to do about it, shown under the message. */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface Explained {
  readonly text: string;
  readonly hint?: string;
}

/** The `host:port` (or `[v6]:port`) that Node's socket errors end their message with. */
function addressIn(message: string): string {
  return /(\[[^\]]+\]:\d+|\S+:\d+)$/.exec(message)?.[1] ?? 'that address';
}

/** The socket errors people meet with these programs, by code. */
function explainCode(code: string, message: string): Explained | undefined {
  const address = addressIn(message);
  switch (code) {
    case 'EADDRINUSE':
      return {
        text: `cannot listen on ${address}: another server is on that port`,
        hint: 'pick another port with --port, or --port 0 for any free port',
      };
    case 'EACCES':
      return /listen|bind/.test(message)
        ? {
            text: `no permission to listen on ${address}`,
            hint: 'ports below 1024 need privileges: pick one from 1024 up, or --port 0',
          }
        : undefined;
    case 'EADDRNOTAVAIL':
      return {
        text: `cannot use ${address}: no interface of this machine has that address`,
        hint: 'leave --host at its default (127.0.0.1), or give an address of this machine',
      };
    case 'ECONNREFUSED':
      return {
        text: `nothing is listening on ${address}`,
        hint: 'is the server running, on that host and port?',
      };
    case 'ECONNRESET':
      return { text: 'the peer reset the connection' };
    default:
      return undefined;
  }
}

/**
 * One line saying what went wrong (`Name: message (CODE)`, or in words for the common socket
 * errors), its causes when they add something, and a `hint:` line when there is something to do.
 * No stack trace, no code said twice.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const explained = typeof code === 'string' ? explainCode(code, error.message) : undefined;
  if (explained) return `${explained.text} (${code})${explained.hint ? `\n  hint: ${explained.hint}` : ''}`;
  const name = error.name === 'Error' || error instanceof CommandError ? '' : `${error.name}: `;
  const shownCode = typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : '';
  const { cause } = error;
  // Wrappers often repeat their cause's message; show a cause only when it adds something, and
  // never under a CommandError: that one already says what happened in the user's words.
  const causeLine =
    cause instanceof Error && !(error instanceof CommandError) && !error.message.includes(cause.message)
      ? `\n  caused by ${describeError(cause)}`
      : '';
  const hint = error instanceof CommandError && error.hint ? `\n  hint: ${error.hint}` : '';
  return `${name}${error.message}${shownCode}${causeLine}${hint}`;
}
