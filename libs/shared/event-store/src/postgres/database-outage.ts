/**
 * Whether an error means the database could not be reached or went away (a restart, a failover,
 * a network cut), as opposed to a bug. Such a request may succeed when retried.
 */
export function isDatabaseOutage(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: socket errors come from Node's own realm.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // 08xxx connection exceptions; 57P01-57P03 admin/crash shutdown, cannot connect now
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}
