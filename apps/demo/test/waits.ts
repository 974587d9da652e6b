import { AF_INET, SOCK_STREAM, SocketTimeoutError, socket } from '@sockkit/core';

/**
 * Resolves once a `recv` given `timeout` ms, on a loopback connection where nothing is ever
 * sent, has failed with `SocketTimeoutError`. Waiting on that event (not a sleep) shows that
 * a client whose own quiet `recv` started earlier with the same or a shorter timeout would
 * have failed by now, had it kept one.
 */
export async function recvTimedOut(timeout: number): Promise<void> {
  await using listener = socket(AF_INET, SOCK_STREAM);
  listener.bind({ host: '127.0.0.1', port: 0 });
  await listener.listen(1);
  await using client = socket(AF_INET, SOCK_STREAM);
  await client.connect(listener.getSockName());
  const [silent] = await listener.accept();
  await using _silent = silent;
  const outcome = await client.recv(1, { timeout }).then(
    () => 'data',
    (error: unknown) => error,
  );
  if (!(outcome instanceof SocketTimeoutError))
    throw new Error(`expected a recv timeout, got ${String(outcome)}`);
}

/** A promise the test resolves when it chooses: `opened` settles once `open()` is called. */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
