/** Resolves once `condition()` holds, checking after every turn of the event loop (the test timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}
