import { startTelemetry } from '../telemetry/index.js';

/**
 * Runs a long-lived command with OpenTelemetry export when the `OTEL_*` variables configure it (and
 * no SDK at all when they do not), flushing what is buffered before the command returns.
 */
export async function withTelemetry<T>(serviceName: string, run: () => Promise<T>): Promise<T> {
  const telemetry = await startTelemetry({ serviceName });
  try {
    return await run();
  } finally {
    await telemetry.shutdown();
  }
}
