import { z } from 'zod';

/** The chat's messages, one per frame, checked by zod on arrival: nothing else gets through. */

/** A member's name, as shown to the others. */
export const MemberName = z
  .string()
  .min(1, 'a name must not be empty')
  .max(32, 'a name is at most 32 characters')
  .regex(/^[\p{L}\p{N}_.-]+$/u, 'a name is letters, digits, _ . or -');

/** What a client may send. */
export const ChatRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), name: MemberName }),
  z.object({
    type: z.literal('say'),
    text: z.string().min(1).max(2000, 'a line is at most 2000 characters'),
  }),
  z.object({ type: z.literal('leave') }),
]);
export type ChatRequest = z.infer<typeof ChatRequest>;

/** What the server sends. */
export const ChatEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), name: MemberName, members: z.array(MemberName) }),
  z.object({ type: z.literal('joined'), name: MemberName }),
  z.object({ type: z.literal('said'), name: MemberName, text: z.string() }),
  z.object({ type: z.literal('left'), name: MemberName, reason: z.string() }),
  z.object({ type: z.literal('rejected'), reason: z.string() }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

/** One line of the chat as a person reads it. */
export function formatChatEvent(event: ChatEvent): string {
  switch (event.type) {
    case 'welcome':
      return `* joined as ${event.name}; here: ${event.members.length > 0 ? event.members.join(', ') : 'nobody yet'}`;
    case 'joined':
      return `* ${event.name} joined`;
    case 'said':
      return `<${event.name}> ${event.text}`;
    case 'left':
      return `* ${event.name} left (${event.reason})`;
    case 'rejected':
      return `* server rejected us: ${event.reason}`;
  }
}
