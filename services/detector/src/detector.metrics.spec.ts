import { Registry } from 'prom-client';

import { DetectorMetrics } from './detector.metrics';

describe('DetectorMetrics', () => {
  it('exports the allowed lateness and the buffer per partition that DetectorBufferLarge compares', async () => {
    const registry = new Registry();
    const metrics = new DetectorMetrics(registry, {
      service: 'detector',
      version: 'test',
      metricsPrefix: 'detector_',
    });
    metrics.attach({
      allowedLatenessMs: 600_000,
      partitions: () => [
        { partition: 0, checkpoint: 3, watermark: 1_773_100_000_000, buffered: 42, retained: 310 },
        {
          partition: 1,
          checkpoint: 0,
          watermark: Number.NEGATIVE_INFINITY,
          buffered: 0,
          retained: 0,
        },
      ],
      heldWindowsAndUsualIps: () => ({ windows: 0, usual: 0 }),
    });
    metrics.absorbed(5, 0);
    metrics.rebuilt(7);
    metrics.rebuildMismatch(2);
    metrics.rebuildMismatch(-1);

    const text = await registry.metrics();
    expect(text).toMatch(/^detector_allowed_lateness_seconds 600$/m);
    expect(text).toMatch(/^detector_buffered_events\{partition="0"\} 42$/m);
    expect(text).toMatch(/^detector_buffered_events\{partition="1"\} 0$/m);
    expect(text).toMatch(/^detector_events_in_total 5$/m);
    expect(text).toMatch(/^detector_retained_messages\{partition="0"\} 310$/m);
    expect(text).toMatch(/^detector_rebuilt_events_total 7$/m);
    expect(text).toMatch(/^detector_rebuild_missing_events_total 2$/m);
  });
});
