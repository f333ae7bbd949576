import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import {
  recordCall,
  recordRiskScore,
  recordTransition,
  sessionInspector,
} from '../../../src/telemetry/index.js';
import { live, testPolicy } from '../statecharts/session/support.js';

describe('telemetry metrics', () => {
  afterAll(() => metrics.disable());

  it('records calls, denials, latency, risk and containment on a provider registered after first use', async () => {
    // Used once with no SDK (a no-op), as a process does before its SDK starts.
    recordCall({ tool: 'fs.read', verdict: 'allow', durationMs: 1 });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

    recordCall({ tool: 'fs.read', verdict: 'allow', durationMs: 12 });
    recordCall({ tool: 'fs.env', verdict: 'deny', durationMs: 3, denialReason: 'DENY_EXCLUDED' });
    recordRiskScore(0.6);
    recordTransition({ from: 'active', to: 'suspended', event: 'OPERATOR_SUSPEND', contained: true });
    const session = live(testPolicy(), { inspect: sessionInspector('s-1') });
    session.send({ type: 'RISK', score: 0.55, reasons: ['odd hours'] });
    expect(session.status()).toBe('scrutinised');

    await reader.forceFlush();
    const points = new Map(
      exporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((scope) => scope.metrics)
        .map((metric) => [metric.descriptor.name, metric.dataPoints]),
    );
    expect(points.get('trustmesh.calls')?.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'gen_ai.tool.name': 'fs.read', 'trustmesh.verdict': 'allow' }, 1],
      [{ 'gen_ai.tool.name': 'fs.env', 'trustmesh.verdict': 'deny' }, 1],
    ]);
    expect(points.get('trustmesh.denials')?.map((p) => p.attributes)).toEqual([
      { 'gen_ai.tool.name': 'fs.env', 'trustmesh.denial.reason': 'DENY_EXCLUDED' },
    ]);
    expect(points.get('trustmesh.call.duration')).toHaveLength(2);
    expect(points.get('trustmesh.session.risk_score')?.[0]?.value).toMatchObject({ count: 2, sum: 1.15 });
    // The explicit one and the statechart's own move to scrutinised.
    expect(points.get('trustmesh.session.containments')).toHaveLength(2);
  });
});
