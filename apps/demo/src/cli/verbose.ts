/**
 * `--verbose`: prints the events sockkit publishes on `node:diagnostics_channel`, one line each,
 * so the tour's frames, retransmissions and cut connections show as they happen. Payloads carry
 * addresses, counts and errors (never data), and so do these lines.
 */
import { subscribe } from 'node:diagnostics_channel';

type Payload = Record<string, unknown>;

/** Each documented channel and how its payload reads as one line. */
const channels: Record<string, (event: Payload) => string> = {
  'sockkit:socket:open': (e) => `connected ${address(e.localAddress)} <-> ${address(e.remoteAddress)}`,
  'sockkit:socket:close': (e) =>
    `closed ${address(e.remoteAddress)} after ${Math.round(Number(e.duration))} ms, ` +
    `${e.bytesRead} bytes read, ${e.bytesWritten} written${failure(e.error)}`,
  'sockkit:server:accept': (e) => `accepted ${address(e.remoteAddress)}`,
  'sockkit:server:refuse': (e) => `refused ${address(e.remoteAddress)}: ${e.reason}`,
  'sockkit:datagram:drop': (e) => `dropped ${e.size} bytes from ${address(e.remoteAddress)}: ${e.reason}`,
  'tracing:sockkit:socket:connect:error': (e) => `connect to ${address(e.address)} failed${failure(e.error)}`,
  'sockkit:channel:frameError': (e) => `bad frame${failure(e.error)}`,
  'sockkit:channel:messageError': (e) => `${e.skipped ? 'skipped' : 'bad'} message${failure(e.error)}`,
  'sockkit:channel:close': (e) => `channel closed${e.error === null ? ' cleanly' : failure(e.error)}`,
  'tracing:sockkit:channel:request:error': (e) => `request failed${failure(e.error)}`,
  'sockkit:udp:retransmit': (e) => `retransmission ${e.attempt} of request ${e.id} to ${address(e.to)}`,
  'sockkit:udp:cachedReply': (e) => `answered request ${e.id} of ${address(e.to)} out of the reply cache`,
  'sockkit:udp:drop': (e) => `dropped a datagram from ${address(e.from)}: ${e.reason}`,
  'tracing:sockkit:udp:request:error': (e) => `request to ${address(e.to)} failed${failure(e.error)}`,
};

/** Subscribes to every channel; `write` gets one line per event, as `[channel] text`. */
export function watchSockkit(write: (line: string) => void): void {
  for (const [name, describe] of Object.entries(channels)) {
    subscribe(name, (message) => write(`[${name.replace(/^tracing:/, '')}] ${describe(message as Payload)}`));
  }
}

/** `argv` without `--verbose`, and whether it was there (any position, for every command). */
export function takeVerbose(argv: readonly string[]): { verbose: boolean; rest: string[] } {
  const rest = argv.filter((arg) => arg !== '--verbose');
  return { verbose: rest.length < argv.length, rest };
}

function address(value: unknown): string {
  const a = (value ?? {}) as { host?: string; port?: number; path?: string };
  if (a.path !== undefined) return a.path || '(unnamed unix socket)';
  return a.host?.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function failure(error: unknown): string {
  return error instanceof Error ? `: ${error.name}: ${error.message}` : '';
}
