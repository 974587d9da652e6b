import type { Socket } from 'node:dgram';
import { DEFAULT_MAX_QUEUED_BYTES, DEFAULT_MAX_QUEUED_DATAGRAMS } from './constants.js';
import { SocketError, toSocketError, unsupportedOption } from './errors.js';
import {
  checkBoolean,
  checkIntegerIn,
  checkNonEmptyString,
  checkOptions,
  checkPositiveInteger,
  checkTimeout,
} from './validate.js';

/** Options of a new datagram socket. Node cannot pause a UDP socket, so its receive queue is bounded. */
export interface DatagramSocketOptions {
  /** Most datagrams waiting for `recvFrom` (default 1024); more are dropped and counted. */
  readonly maxQueuedDatagrams?: number;
  /** Most bytes waiting for `recvFrom` (default 4 MiB); more are dropped and counted. */
  readonly maxQueuedBytes?: number;
  /** Initial timeout of blocking calls in milliseconds; `null` (the default) blocks. */
  readonly timeout?: number | null;
}

/** {@link DatagramSocketOptions} checked, with their defaults. */
export interface DatagramSocketSettings {
  readonly maxQueuedDatagrams: number;
  readonly maxQueuedBytes: number;
  readonly timeout: number | null;
}

/** Checks the options of a new datagram socket and fills in the defaults. */
export function checkDatagramSocketOptions(
  options: DatagramSocketOptions | undefined,
): DatagramSocketSettings {
  const { maxQueuedDatagrams, maxQueuedBytes, timeout } = checkOptions('options', options, [
    'maxQueuedDatagrams',
    'maxQueuedBytes',
    'timeout',
  ]);
  return {
    maxQueuedDatagrams:
      maxQueuedDatagrams === undefined
        ? DEFAULT_MAX_QUEUED_DATAGRAMS
        : checkPositiveInteger('options.maxQueuedDatagrams', maxQueuedDatagrams),
    maxQueuedBytes:
      maxQueuedBytes === undefined
        ? DEFAULT_MAX_QUEUED_BYTES
        : checkPositiveInteger('options.maxQueuedBytes', maxQueuedBytes),
    timeout: timeout === undefined ? null : checkTimeout('options.timeout', timeout),
  };
}

/** The options `setSockOpt`/`getSockOpt` accept on a datagram socket, with their value types. */
export interface DatagramSocketOptionValues {
  /** `SO_BROADCAST`. */
  broadcast: boolean;
  /** `IP_TTL` of unicast datagrams: 1 to 255 (the kernel refuses 0). */
  ttl: number;
  /** `IP_MULTICAST_TTL`: 0 to 255 (default 1: the local network; 0: this host only). */
  multicastTTL: number;
  /** `IP_MULTICAST_LOOP`: receive our own multicast datagrams. */
  multicastLoopback: boolean;
  /** `IP_MULTICAST_IF`: the local interface address multicast goes out of. */
  multicastInterface: string;
  /** `SO_RCVBUF` in bytes (Linux reports double what was set). */
  receiveBufferSize: number;
  /** `SO_SNDBUF` in bytes (Linux reports double what was set). */
  sendBufferSize: number;
  /** `SO_REUSEADDR`: settable before the socket is bound. */
  reuseAddress: boolean;
}

type OptionName = keyof DatagramSocketOptionValues;

/** Largest `SO_RCVBUF`/`SO_SNDBUF` Node passes on: a C `int`. */
const MAX_BUFFER_SIZE = 2 ** 31 - 1;

const defaults: DatagramSocketOptionValues = {
  broadcast: false,
  ttl: 64,
  multicastTTL: 1,
  multicastLoopback: true,
  multicastInterface: '',
  receiveBufferSize: 0,
  sendBufferSize: 0,
  reuseAddress: false,
};

const booleanOptions = new Set<string>(['broadcast', 'multicastLoopback', 'reuseAddress']);

/** Checks a `setSockOpt` call on a datagram socket: a known option with a value of its type and range. */
function checkDatagramOption(name: string, value: unknown): void {
  if (!Object.hasOwn(defaults, name)) throw unsupportedOption(name, 'datagram');
  if (name === 'multicastInterface') checkNonEmptyString(name, value);
  else if (booleanOptions.has(name)) checkBoolean(name, value);
  else if (name === 'ttl') checkIntegerIn(name, value, 1, 255);
  else if (name === 'multicastTTL') checkIntegerIn(name, value, 0, 255);
  // Node's buffer sizes are C ints: larger ones fail inside libuv (ERR_SOCKET_BAD_BUFFER_SIZE).
  else checkIntegerIn(name, value, 1, MAX_BUFFER_SIZE, `a positive integer up to ${MAX_BUFFER_SIZE}`);
}

/**
 * The options of a datagram socket: the values set (Node takes most of them only on a bound
 * socket, so the ones set before `bind` wait here) and the live values Node can read back.
 */
export class DatagramOptions {
  readonly #values: Partial<DatagramSocketOptionValues> = {};

  /** `SO_REUSEADDR`, which Node takes when it creates the socket. */
  get reuseAddress(): boolean {
    return this.#values.reuseAddress ?? false;
  }

  /**
   * Records an option after checking it; applies it at once when `socket` is bound. `created`
   * tells whether the Node socket exists (then `reuseAddress` is too late).
   */
  set<K extends OptionName>(
    name: K,
    value: DatagramSocketOptionValues[K],
    created: boolean,
    bound: Socket | undefined,
  ): void {
    checkDatagramOption(name, value);
    if (name === 'reuseAddress' && created) {
      throw new SocketError('EINVAL', 'reuseAddress must be set before the socket is bound or used');
    }
    this.#values[name] = value;
    if (bound !== undefined) applyOption(bound, name, value);
  }

  /** The live value where Node can read it from `bound`, else the value set or the default. */
  get<K extends OptionName>(name: K, bound: Socket | undefined): DatagramSocketOptionValues[K] {
    if (!Object.hasOwn(defaults, name)) throw unsupportedOption(name, 'datagram');
    if (bound !== undefined) {
      if (name === 'receiveBufferSize') return bound.getRecvBufferSize() as DatagramSocketOptionValues[K];
      if (name === 'sendBufferSize') return bound.getSendBufferSize() as DatagramSocketOptionValues[K];
    }
    return (this.#values[name] ?? defaults[name]) as DatagramSocketOptionValues[K];
  }

  /** Applies every option set before binding to the now bound `socket`; `onRefused` gets each refusal. */
  applyAll(socket: Socket, onRefused: (error: unknown) => void): void {
    for (const [name, value] of Object.entries(this.#values) as [OptionName, never][]) {
      try {
        applyOption(socket, name, value);
      } catch (error) {
        onRefused(error);
      }
    }
  }
}

function applyOption(socket: Socket, name: OptionName, value: unknown): void {
  try {
    if (name === 'broadcast') socket.setBroadcast(value as boolean);
    else if (name === 'ttl') socket.setTTL(value as number);
    else if (name === 'multicastTTL') socket.setMulticastTTL(value as number);
    else if (name === 'multicastLoopback') socket.setMulticastLoopback(value as boolean);
    else if (name === 'multicastInterface') socket.setMulticastInterface(value as string);
    else if (name === 'receiveBufferSize') socket.setRecvBufferSize(value as number);
    else if (name === 'sendBufferSize') socket.setSendBufferSize(value as number);
    // reuseAddress is given to createSocket.
  } catch (error) {
    throw toSocketError(error);
  }
}
