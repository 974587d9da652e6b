import { z } from 'zod';
import { MemberName } from './chat.js';

/** The datagrams of udp-chat: one message per datagram, checked by zod on arrival. */
export const UdpChatMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('say'), name: MemberName, text: z.string().min(1).max(1000) }),
  /** "I am here": to the discovery group or broadcast address, or straight to a peer just found; `id` tells our own apart. */
  z.object({ type: z.literal('hello'), name: MemberName, id: z.string().max(32) }),
]);
export type UdpChatMessage = z.infer<typeof UdpChatMessage>;
