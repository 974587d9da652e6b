/**
 * Test-only fault injection: a UDP relay on loopback between one client and one server that
 * drops, duplicates, reorders and delays datagrams. Every decision is a hash of
 * (seed, direction, request id, attempt, fault), never of arrival order or timing, so a run
 * repeats exactly and a test can predict each request's fate with {@link faultRoll}.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';

export type Direction = 'request' | 'reply';

/** Probabilities in [0, 1] of each fault for one direction. */
export interface Faults {
  readonly drop?: number;
  readonly duplicate?: number;
  /** Hold the datagram back until the next one in this direction has passed (or 5 ms). */
  readonly reorder?: number;
  readonly delay?: number;
  readonly delayMs?: number;
}

export interface RelayOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly seed: number;
  readonly request?: Faults;
  readonly reply?: Faults;
}

/** What the relay saw of one request id. */
export interface Exchange {
  /** The request's payload (after the envelope header). */
  readonly payload: Uint8Array;
  /** Request attempts received from the client, delivered or not. */
  attempts: number;
  /** Attempt numbers of the requests delivered to the server, in order: the n-th reply answers the n-th. */
  readonly delivered: number[];
  /** Replies received from the server for this id. */
  replies: number;
}

const HEADER = 11;

/** murmur3's 32-bit finalizer: spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 1) fixed by its inputs: the fault dice of the relay, also usable to predict it. */
export function faultRoll(
  seed: number,
  direction: Direction,
  id: string,
  attempt: number,
  fault: string,
): number {
  let h = mix(seed ^ 0x9e3779b9);
  for (const text of [direction, id, fault]) {
    for (let i = 0; i < text.length; i++) h = mix(h ^ text.charCodeAt(i));
    h = mix(h ^ 0xff);
  }
  return mix(h ^ attempt) / 2 ** 32;
}

/** The request id of an envelope datagram, as the endpoint keys it; undefined for a plain datagram. */
export function envelopeId(datagram: Uint8Array): string | undefined {
  if (datagram.byteLength < HEADER || datagram[0] !== 0xd5 || datagram[1] !== 0x4b) return undefined;
  return String.fromCharCode(...datagram.subarray(3, HEADER));
}

export class LossyRelay implements AsyncDisposable {
  /** Exchanges by request id. */
  readonly exchanges = new Map<string, Exchange>();
  /** Datagrams forwarded per direction (duplicates count twice). */
  readonly forwarded = { request: 0, reply: 0 };
  readonly #options: RelayOptions;
  readonly #front: Socket;
  readonly #back: Socket;
  #client: RemoteInfo | undefined;
  #plain = { request: 0, reply: 0 };
  readonly #held: Record<Direction, (() => void) | undefined> = { request: undefined, reply: undefined };
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(options: RelayOptions, front: Socket, back: Socket) {
    this.#options = options;
    this.#front = front;
    this.#back = back;
    front.on('message', (datagram, from) => {
      this.#client = from;
      this.#relay('request', datagram);
    });
    back.on('message', (datagram, from) => {
      if (from.port === options.target.port) this.#relay('reply', datagram);
    });
  }

  static async start(options: RelayOptions): Promise<LossyRelay> {
    const front = createSocket('udp4');
    const back = createSocket('udp4');
    await Promise.all([
      once(front.bind(0, '127.0.0.1'), 'listening'),
      once(back.bind(0, '127.0.0.1'), 'listening'),
    ]);
    return new LossyRelay(options, front, back);
  }

  /** Where the client should send: the relay's front port. */
  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.#front.address().port };
  }

  #relay(direction: Direction, datagram: Buffer): void {
    const id = envelopeId(datagram);
    let key: string;
    let attempt: number;
    if (id === undefined) {
      key = '';
      attempt = this.#plain[direction]++;
    } else if (direction === 'request') {
      let exchange = this.exchanges.get(id);
      if (exchange === undefined) {
        exchange = {
          payload: Uint8Array.from(datagram.subarray(HEADER)),
          attempts: 0,
          delivered: [],
          replies: 0,
        };
        this.exchanges.set(id, exchange);
      }
      key = id;
      attempt = exchange.attempts++;
    } else {
      const exchange = this.exchanges.get(id);
      key = id;
      attempt = exchange === undefined ? -1 : (exchange.delivered[exchange.replies++] ?? -1);
    }
    const faults = this.#options[direction] ?? {};
    const roll = (fault: string) => faultRoll(this.#options.seed, direction, key, attempt, fault);
    if (roll('drop') < (faults.drop ?? 0)) return;
    if (direction === 'request' && id !== undefined) this.exchanges.get(id)?.delivered.push(attempt);
    const copies = roll('duplicate') < (faults.duplicate ?? 0) ? 2 : 1;
    const forward = () => {
      for (let i = 0; i < copies; i++) this.#send(direction, datagram);
      const held = this.#held[direction];
      this.#held[direction] = undefined;
      held?.();
    };
    if (roll('delay') < (faults.delay ?? 0)) this.#later(faults.delayMs ?? 5, forward);
    else if (roll('reorder') < (faults.reorder ?? 0) && this.#held[direction] === undefined) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        forward();
      };
      this.#held[direction] = release;
      this.#later(5, release);
    } else forward();
  }

  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  #send(direction: Direction, datagram: Buffer): void {
    this.forwarded[direction]++;
    const { target } = this.#options;
    if (direction === 'request') this.#back.send(datagram, target.port, target.host);
    else if (this.#client !== undefined) this.#front.send(datagram, this.#client.port, this.#client.address);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    await Promise.all([
      new Promise<void>((resolve) => this.#front.close(resolve)),
      new Promise<void>((resolve) => this.#back.close(resolve)),
    ]);
  }
}
