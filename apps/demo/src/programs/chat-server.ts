import {
  ConnectionResetError,
  createServer,
  type SocketAddress,
  type SocketServer,
  type StreamSocket,
} from '@sockkit/core';
import {
  createCodec,
  defineFrameFormat,
  encodeFrame,
  FrameTooLargeError,
  framed,
  MessageDecodeError,
  MessageValidationError,
  ReadTimeoutError,
  TruncatedFrameError,
} from '@sockkit/framing';
import { formatAddress } from '../cli/args.js';
import type { ServerTls } from '../cli/tls.js';
import { ChatEvent, ChatRequest } from '../protocols/chat.js';
import { ChatMember } from './chat-member.js';

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

/** How long a member's message may take from its first byte to its last: chat lines are small. */
export const DEFAULT_CHAT_FRAME_TIMEOUT = 10_000;
/** Members connected at once from one IP address. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 8;

export interface ChatServerOptions {
  /** Bytes waiting for one member before it is dropped as too slow. Default 1 MiB. */
  readonly maxQueuedBytes?: number;
  /** Milliseconds a started message may take to arrive whole (slowloris guard). Default 10 s. */
  readonly frameTimeout?: number;
  /** Connections at once from one IP address; more are refused. Default 8. */
  readonly maxConnectionsPerAddress?: number;
  /** Serve TLS with this key and certificate (each handshake has the server's 10 s deadline). */
  readonly tls?: ServerTls;
  /** Receives a line for each member that joins or is removed. */
  readonly log?: (line: string) => void;
}

/** Why a member left, in the words the others read. */
function leaveReason(error: unknown): string {
  if (error instanceof TruncatedFrameError) return 'vanished mid-message';
  if (error instanceof ReadTimeoutError) return 'stalled mid-message';
  if (error instanceof FrameTooLargeError) return 'sent an oversized message';
  if (error instanceof ConnectionResetError) return 'connection lost';
  return `connection failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The chat room: framed, typed messages (join, say, leave) checked by zod. A member that
 * disconnects, vanishes or stalls mid-message, or sends garbage is removed and the others
 * are told why; a member that stops reading is dropped once `maxQueuedBytes` wait for it.
 */
export async function startChatServer(
  address: { host: string; port: number },
  {
    maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
    frameTimeout = DEFAULT_CHAT_FRAME_TIMEOUT,
    maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    tls,
    log = () => {},
  }: ChatServerOptions = {},
): Promise<SocketServer> {
  const members = new Set<ChatMember>();

  const broadcast = (event: ChatEvent, except?: ChatMember) => {
    const frame = encodeFrame(events.encode(event), CHAT_FRAME_FORMAT); // encoded once for everyone
    for (const member of members) if (member !== except && member.name) member.deliver(frame);
  };
  const remove = (member: ChatMember, reason: string) => {
    if (!members.delete(member)) return;
    log(`${member.name ?? formatAddress(member.peer)} removed: ${reason}`);
    if (member.name) broadcast({ type: 'left', name: member.name, reason });
  };
  const onStalled = (member: ChatMember) => {
    remove(member, `stopped reading (over ${maxQueuedBytes} bytes waiting)`);
    member.abort();
  };

  async function serveMember(conn: StreamSocket, peer: SocketAddress): Promise<void> {
    conn.setSockOpt('keepAlive', true); // finds members whose machine vanished without a FIN
    const member = new ChatMember(conn, peer, { maxQueuedBytes, onStalled });
    members.add(member);
    const send = (event: ChatEvent) => member.deliver(encodeFrame(events.encode(event), CHAT_FRAME_FORMAT));
    // Frames in (`@sockkit/framing`), each due whole within `frameTimeout` of its first byte;
    // decoded here, so a malformed one can still be answered with a `rejected`.
    const frames = framed(conn, { format: CHAT_FRAME_FORMAT, frameTimeout, idleTimeout: null });
    let reason = 'disconnected';
    try {
      for await (const frame of frames) {
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
  return createServer(address, serveMember, {
    idleTimeout: null,
    noDelay: true,
    maxConnectionsPerAddress,
    ...(tls === undefined ? {} : { tls }),
  });
}
