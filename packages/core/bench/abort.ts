import { socket } from '../src/index.ts';

/** Timings of `count` `recv`s sharing one AbortSignal: starting them, and aborting them all. */
export interface AbortTimings {
  /** Milliseconds to start the `count` calls. */
  readonly start: number;
  /** Milliseconds from `abort()` until every call has rejected. */
  readonly abort: number;
}

/** `count` pending `recv`s on one connection, all given one signal, then aborted together. */
export async function abortMany(count: number): Promise<AbortTimings> {
  const listener = socket();
  listener.bind({ host: '127.0.0.1', port: 0 });
  await listener.listen();
  const client = socket();
  const [, [conn]] = await Promise.all([client.connect(listener.getSockName()), listener.accept()]);
  const controller = new AbortController();
  const calling = performance.now();
  const pending = Array.from({ length: count }, () =>
    conn.recv(10, { signal: controller.signal }).catch(() => {}),
  );
  const aborting = performance.now();
  controller.abort();
  await Promise.all(pending);
  const done = performance.now();
  await Promise.all([client.close(), conn.close(), listener.close()]);
  return { start: aborting - calling, abort: done - aborting };
}
