/**
 * Whether an error means the database could not be reached or went away (a restart, a failover,
 * a network cut), as opposed to a bug. Such a request may succeed when retried.
 */
export function isDatabaseOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08xxx connection exceptions; 57P01-57P03 admin/crash shutdown, cannot connect now
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  }
  return /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}
