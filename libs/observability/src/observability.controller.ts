import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Registry } from 'prom-client';

import { SERVICE_INFO } from './observability.constants';
import { ReadinessRegistry } from './readiness.registry';

import type { ServiceInfo } from './observability-options';
import type { ReadinessReport } from './readiness.registry';

/** `GET /health` (liveness), `GET /ready` (readiness) and `GET /metrics` (Prometheus text). */
@Controller()
export class ObservabilityController {
  constructor(
    private readonly registry: Registry,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  @Get('health')
  async health(): Promise<ReadinessReport & { status: 'ok'; service: string; version: string }> {
    const report = await this.readiness.evaluateLiveness();
    if (!report.ready) {
      throw new ServiceUnavailableException({ status: 'dead', ...report });
    }
    return { status: 'ok', service: this.info.service, version: this.info.version, ...report };
  }

  @Get('ready')
  async ready(): Promise<ReadinessReport & { status: 'ready' }> {
    const report = await this.readiness.evaluate();
    if (!report.ready) {
      throw new ServiceUnavailableException({ status: 'not-ready', ...report });
    }
    return { status: 'ready', ...report };
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
