/**
 * Resolves or rejects as `work` does, unless `ms` milliseconds pass first: then rejects with
 * `new Error(message)`. The work itself is not cancelled; its caller closes what it ran on.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
