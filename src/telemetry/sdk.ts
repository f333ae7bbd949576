/**
 * The one place the OpenTelemetry SDK is started: the CLI's long-running processes (node, broker,
 * bridge) call `startTelemetry` first. Library code only ever talks to `@opentelemetry/api`, which is
 * a no-op until this runs, so a process that is not configured pays nothing and loads no SDK.
 */

/** What a started (or skipped) SDK leaves to do. */
export interface Telemetry {
  /** True when an SDK was started and exports. */
  readonly enabled: boolean;
  /** Flushes what is buffered and stops exporting; idempotent, never rejects. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** `service.name` when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
  serviceName: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Variables any of which means the operator asked for export. */
const CONFIGURING = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
] as const;

const OFF: Telemetry = { enabled: false, shutdown: async () => undefined };

/** True when the environment configures export and does not disable the SDK (`OTEL_SDK_DISABLED=true`). */
export function telemetryConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return CONFIGURING.some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * Starts the Node SDK when the standard `OTEL_*` variables configure it: exporters, endpoint,
 * protocol, headers, sampler, propagators and resource all come from there, as every OpenTelemetry
 * SDK reads them. Logs are not exported (the mesh writes its own); traces and metrics are.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  if (!telemetryConfigured(env)) return OFF;
  // The SDK reads these from process.env; default only what the operator left unset.
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const named =
    (env.OTEL_SERVICE_NAME ?? '') !== '' ||
    /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK(named ? {} : { serviceName: options.serviceName });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => {
      stopped ??= sdk.shutdown().catch(() => undefined);
      return stopped;
    },
  };
}
