import { Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ObservabilityModule } from '@trail-insight/observability';

import { KafkaBatchHandler, KafkaHandler } from './kafka-handler.decorator';
import { KafkaErrorCode, KafkaException } from './kafka.exception';
import { KafkaModule } from './kafka.module';
import { Topic } from './topics.constants';

import type { Type } from '@nestjs/common';

@Injectable()
class RawHandler {
  @KafkaHandler({ topic: Topic.RawEvents })
  handle(): void {}
}

@Injectable()
class OtherRawHandler {
  @KafkaBatchHandler({ topic: Topic.RawEvents })
  handleBatch(): void {}
}

@Injectable()
class InsightHandler {
  @KafkaHandler({ topic: Topic.IpInsights })
  handle(): void {}
}

/** Boots an app whose brokers do not exist: the wiring check runs before any connection. */
async function boot(consumes: Topic[], handlers: Array<Type<unknown>>): Promise<unknown> {
  const module = {
    module: class TestModule {},
    imports: [
      ObservabilityModule.forRoot({
        service: 'kafka-test',
        version: '0',
        logLevel: 'silent',
        defaultMetrics: false,
      }),
      KafkaModule.forRoot({
        brokers: ['127.0.0.1:1'],
        clientId: 'wiring-test',
        consumer: { groupId: 'g', topics: consumes },
      }),
    ],
    providers: handlers,
  };
  try {
    const app = await NestFactory.createApplicationContext(module, {
      logger: false,
      abortOnError: false,
    });
    await app.close();
    return null;
  } catch (error) {
    return error;
  }
}

describe('KafkaHandlerExplorer (boot wiring)', () => {
  it.each([
    [
      'two handlers for one topic',
      [Topic.RawEvents],
      [RawHandler, OtherRawHandler],
      KafkaErrorCode.DuplicateHandler,
    ],
    [
      'a consumed topic without handler',
      [Topic.RawEvents, Topic.IpInsights],
      [RawHandler],
      KafkaErrorCode.MissingHandler,
    ],
    [
      'a handler for a topic the app does not consume',
      [Topic.RawEvents],
      [RawHandler, InsightHandler],
      KafkaErrorCode.UnexpectedHandler,
    ],
  ])('fails boot on %s', async (_name, consumes, handlers, code) => {
    const error = await boot(consumes, handlers);
    expect(error).toBeInstanceOf(KafkaException);
    expect((error as KafkaException).code).toBe(code);
    expect((error as KafkaException).retriable).toBe(false);
  });
});
