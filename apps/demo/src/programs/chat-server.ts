import {
  ConnectionResetError,
  createServer,
  type SocketAddress,
  type SocketServer,
  type StreamSocket,
} from '@sockkit/core';
import {
  createCodec,
  decodeFrames,
  defineFrameFormat,
  encodeFrame,
  FrameTooLargeError,
  MessageDecodeError,
  MessageValidationError,
  TruncatedFrameError,
} from '@sockkit/framing';
import { formatAddress } from '../cli/args.js';
import { ChatEvent, ChatRequest } from '../protocols/chat.js';

/** A chat message is small: a frame over this is hostile, and fails before it is buffered. */
export const CHAT_FRAME_FORMAT = defineFrameFormat({ maxFrameLength: 16 * 1024 });
/**
 * Bytes the server holds for one member that are not yet handed to the kernel. A member
 * that stops reading fills its kernel buffers, then this; past it, the member is dropped
 * instead of making the server buffer without bound.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

const requests = createCodec(ChatRequest);
const events = createCodec(ChatEvent);

/** One connection's seat at the chat, with its own bounded queue of outgoing frames. */
class Member {
  name: string | undefined;
  readonly #conn: StreamSocket;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #writing = false;

  constructor(
    conn: StreamSocket,
    readonly peer: SocketAddress,
    readonly onStalled: (member: Member) => void,
  ) {
    this.#conn = conn;
  }

  /** Queues an encoded frame; never waits, so one slow member never delays the others. */
  deliver(frame: Uint8Array, maxQueuedBytes: number): void {
    if (this.#queuedBytes + frame.length > maxQueuedBytes) {
      this.onStalled(this);
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    if (!this.#writing) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      for (let frame = this.#queue.shift(); frame; frame = this.#queue.shift()) {
        await this.#conn.sendAll(frame);
        this.#queuedBytes -= frame.length;
      }
    } catch {
      // The read loop sees the same broken connection and removes the member.
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Closes once what was handed to the socket is flushed: a `rejected` event, queued just
   * before, was handed over at once (an idle queue starts sending synchronously), so it gets through.
   */
  async close(): Promise<void> {
    await this.#conn.close();
  }

  /** Cuts the connection at once (a member that stopped reading would never take a goodbye). */
  abort(): void {
    this.#conn.shutdown('both');
  }
}

export interface ChatServerOptions {
  readonly maxQueuedBytes?: number;
  readonly log?: (line: string) => void;
}

/** Why a member left, in the words the others read. */
function leaveReason(error: unknown): string {
  if (error instanceof TruncatedFrameError) return 'vanished mid-message';
  if (error instanceof FrameTooLargeError) return 'sent an oversized message';
  if (error instanceof ConnectionResetError) return 'connection lost';
  return `connection failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The chat room: framed, typed messages (join, say, leave) checked by zod. A member that
 * disconnects, vanishes mid-message or sends garbage is removed and the others are told
 * why; a member that stops reading is dropped once `maxQueuedBytes` wait for it.
 */
export async function startChatServer(
  address: { host: string; port: number },
  { maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES, log = () => {} }: ChatServerOptions = {},
): Promise<SocketServer> {
  const members = new Set<Member>();

  const broadcast = (event: ChatEvent, except?: Member) => {
    const frame = encodeFrame(events.encode(event), CHAT_FRAME_FORMAT); // encoded once for everyone
    for (const member of members) if (member !== except && member.name) member.deliver(frame, maxQueuedBytes);
  };
  const remove = (member: Member, reason: string) => {
    if (!members.delete(member)) return;
    log(`${member.name ?? formatAddress(member.peer)} removed: ${reason}`);
    if (member.name) broadcast({ type: 'left', name: member.name, reason });
  };
  const onStalled = (member: Member) => {
    remove(member, `stopped reading (over ${maxQueuedBytes} bytes waiting)`);
    member.abort();
  };

  async function serveMember(conn: StreamSocket, peer: SocketAddress): Promise<void> {
    conn.setSockOpt('keepAlive', true); // finds members whose machine vanished without a FIN
    const member = new Member(conn, peer, onStalled);
    members.add(member);
    const send = (event: ChatEvent) =>
      member.deliver(encodeFrame(events.encode(event), CHAT_FRAME_FORMAT), maxQueuedBytes);
    let reason = 'disconnected';
    try {
      for await (const frame of decodeFrames(conn, CHAT_FRAME_FORMAT)) {
        let request: ChatRequest;
        try {
          request = requests.decode(frame);
        } catch (error) {
          if (!(error instanceof MessageValidationError || error instanceof MessageDecodeError)) throw error;
          send({ type: 'rejected', reason: error.message });
          reason = 'sent a malformed message';
          return;
        }
        if (request.type === 'leave') {
          reason = 'said goodbye';
          return;
        }
        if (request.type === 'say') {
          if (member.name) broadcast({ type: 'said', name: member.name, text: request.text });
          else send({ type: 'rejected', reason: 'join before you speak' });
          continue;
        }
        const taken = [...members].some((other) => other.name === request.name);
        if (member.name || taken) {
          send({
            type: 'rejected',
            reason: member.name ? 'already joined' : `the name ${request.name} is taken`,
          });
          reason = 'was rejected';
          return;
        }
        send({
          type: 'welcome',
          name: request.name,
          members: [...members].flatMap((other) => (other.name ? [other.name] : [])),
        });
        member.name = request.name;
        log(`${request.name} joined from ${formatAddress(peer)}`);
        broadcast({ type: 'joined', name: request.name }, member);
      }
    } catch (error) {
      reason = leaveReason(error);
    } finally {
      remove(member, reason);
      await member.close();
    }
  }

  // A quiet room is not a dead one: no idle timeout (keep-alive covers vanished peers), and
  // no Nagle delay on small chat lines.
  return createServer(address, serveMember, { idleTimeout: null, noDelay: true });
}
