/**
 * Retries `probe` until it returns without throwing (an `expect` inside it passes), and returns
 * its result; after `timeoutMs` rethrows its last error. For states reached asynchronously.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
