/**
 * A real OTLP/HTTP receiver for tests: a `node:http` server on 127.0.0.1 that accepts OTLP/JSON
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) on /v1/traces and /v1/metrics and keeps what it got.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  readonly service: string;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly { name: string; attributes: Readonly<Record<string, unknown>> }[];
  readonly status: { code?: number; message?: string };
}

export interface ReceivedMetric {
  readonly service: string;
  readonly name: string;
}

export interface OtlpReceiver {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT should be. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
  close(): Promise<void>;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        if (req.url === '/v1/traces') spans.push(...readSpans(body));
        else if (req.url === '/v1/metrics') metrics.push(...readMetrics(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

// biome-ignore lint/suspicious/noExplicitAny: OTLP/JSON is read loosely; the tests assert what matters.
type Loose = any;

function readSpans(body: Loose): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs: Loose) => {
    const service = String(attributesOf(rs.resource?.attributes)['service.name']);
    return (rs.scopeSpans ?? []).flatMap((ss: Loose) =>
      (ss.spans ?? []).map(
        (span: Loose): ReceivedSpan => ({
          service,
          scope: ss.scope?.name ?? '',
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: span.kind,
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event: Loose) => ({
            name: event.name,
            attributes: attributesOf(event.attributes),
          })),
          status: span.status ?? {},
        }),
      ),
    );
  });
}

function readMetrics(body: Loose): ReceivedMetric[] {
  return (body.resourceMetrics ?? []).flatMap((rm: Loose) => {
    const service = String(attributesOf(rm.resource?.attributes)['service.name']);
    return (rm.scopeMetrics ?? []).flatMap((sm: Loose) =>
      (sm.metrics ?? []).map((metric: Loose) => ({ service, name: metric.name })),
    );
  });
}
