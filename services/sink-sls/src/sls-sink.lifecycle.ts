import { Inject, Injectable } from '@nestjs/common';

import { ReadinessRegistry } from '@trail-insight/observability';

import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { SlsLogProducer } from './sls-log.producer';

/**
 * Connects to SLS at boot without failing the boot (a wrong secret must not become a crash
 * loop), exposes the connection in `/ready`, and closes it after the consumer stopped.
 */
@Injectable()
export class SlsSinkLifecycle
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(SlsLogProducer) private readonly producer: SlsLogProducer,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('sls', () =>
      this.producer.isConnected
        ? { ok: true }
        : {
            ok: false,
            detail:
              this.producer.failure === null ? 'connecting' : `failing: ${this.producer.failure}`,
          },
    );
  }

  /** Not awaited: an unreachable endpoint must not hold up the HTTP listener (liveness). */
  onApplicationBootstrap(): void {
    this.producer.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
  }
}
