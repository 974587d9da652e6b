/** Codec contenders: encode + validate + decode + validate round trips of the same messages. */
import { Packr, Unpackr } from 'msgpackr';
import { z } from 'zod';
import { createCodec } from '../src/index.ts';
import type { Contender } from './harness.ts';

/** A chat message of about 100 bytes as MessagePack, text and numbers only. */
export const Chat = z.object({
  id: z.number().int(),
  room: z.string(),
  from: z.string(),
  text: z.string(),
  sentAt: z.number().int(),
  tags: z.array(z.string()),
});
export const chat: z.infer<typeof Chat> = {
  id: 48_213,
  room: 'general',
  from: 'alice',
  text: 'the build is green again, shipping it now',
  sentAt: 1_763_779_200_000,
  tags: ['ci', 'release'],
};

/** A message carrying a 4 KiB binary field. */
export const Blob = z.object({ id: z.number().int(), name: z.string(), data: z.instanceof(Uint8Array) });
export const blob: z.infer<typeof Blob> = {
  id: 7,
  name: 'thumbnail.png',
  data: Uint8Array.from({ length: 4096 }, (_, index) => (index * 31) & 0xff),
};
const BlobJson = z.object({ id: z.number().int(), name: z.string(), data: z.base64() });

const repeat = (times: number, roundTrip: () => unknown) => () => {
  for (let index = 0; index < times; index++) roundTrip();
  return times;
};

const plainPackr = new Packr({ useRecords: false });
const plainUnpackr = new Unpackr({ useRecords: false });

/** (a) the guarded codec against msgpackr without guards, both validating with the same schema on each side. */
export function guardCost(times: number): Contender[] {
  const codec = createCodec(Chat);
  return [
    { name: 'sockkit createCodec', run: repeat(times, () => codec.decode(codec.encode(chat))) },
    {
      name: 'msgpackr + zod (no guards)',
      run: repeat(times, () => Chat.parse(plainUnpackr.unpack(plainPackr.pack(Chat.parse(chat))))),
    },
  ];
}

/** (b) binary field: MessagePack bin vs JSON with the bytes as base64. */
export function binaryMessage(times: number): Contender[] {
  const codec = createCodec(Blob);
  return [
    { name: 'sockkit createCodec', run: repeat(times, () => codec.decode(codec.encode(blob))) },
    {
      name: 'JSON + base64 + zod',
      run: repeat(times, () => {
        const valid = Blob.parse(blob);
        const bytes = Buffer.from(
          JSON.stringify({ ...valid, data: Buffer.from(valid.data).toString('base64') }),
        );
        const parsed = BlobJson.parse(JSON.parse(bytes.toString()));
        return { ...parsed, data: Buffer.from(parsed.data, 'base64') };
      }),
    },
  ];
}

/** (c) text-only message: MessagePack (plain and records) vs JSON, all to and from bytes. */
export function textMessage(times: number): Contender[] {
  const codec = createCodec(Chat);
  const records = createCodec(Chat, { records: true });
  return [
    { name: 'sockkit createCodec', run: repeat(times, () => codec.decode(codec.encode(chat))) },
    { name: 'sockkit createCodec records', run: repeat(times, () => records.decode(records.encode(chat))) },
    {
      name: 'JSON + zod',
      run: repeat(times, () =>
        Chat.parse(JSON.parse(Buffer.from(JSON.stringify(Chat.parse(chat))).toString())),
      ),
    },
  ];
}

/** (d) encoding alone, without validation: the MessagePack writer against msgpackr's. */
export function encodeOnly(times: number): Contender[] {
  const codec = createCodec(Chat, { validateOnEncode: false });
  return [
    { name: 'sockkit createCodec encode', run: repeat(times, () => codec.encode(chat)) },
    { name: 'msgpackr pack', run: repeat(times, () => plainPackr.pack(chat)) },
  ];
}

/** Encoded sizes, for the README. */
export function sizes(): Record<string, number> {
  return {
    'chat msgpack': createCodec(Chat).encode(chat).length,
    'chat msgpack records': createCodec(Chat, { records: true }).encode(chat).length,
    'chat JSON': Buffer.byteLength(JSON.stringify(chat)),
  };
}
