import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

import { KAFKA_HANDLER_METADATA } from './kafka-handler.decorator';
import { KafkaErrorCode, KafkaException } from './kafka.exception';

import type { HandlerBinding } from './batch-runner';
import type { KafkaHandlerMetadata } from './kafka-handler.decorator';
import type { Topic } from './topics.constants';

/**
 * Finds every `@KafkaHandler` / `@KafkaBatchHandler` method among the app's providers and
 * controllers and checks the wiring: one handler per consumed topic, none for a topic the app does
 * not consume. A wiring error fails boot.
 */
@Injectable()
export class KafkaHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** All decorated methods, bound to their instances. */
  discover(): HandlerBinding[] {
    const found: HandlerBinding[] = [];
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) {
        continue;
      }
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (prototype === null) {
        continue;
      }
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') {
          continue;
        }
        const metadata = this.reflector.get<KafkaHandlerMetadata | undefined>(
          KAFKA_HANDLER_METADATA,
          method as (...args: unknown[]) => unknown,
        );
        if (metadata === undefined) {
          continue;
        }
        const binding: HandlerBinding = {
          topic: metadata.topic,
          mode: metadata.mode,
          name: `${instance.constructor.name}.${methodName}`,
          invoke: (input, context) =>
            (method as (a: unknown, b: unknown) => unknown).call(instance, input, context),
        };
        if (metadata.schema !== undefined) {
          binding.schema = metadata.schema;
        }
        found.push(binding);
      }
    }
    return found;
  }

  /** The handlers of the consumed topics; throws {@link KafkaException} on any wiring error. */
  explore(consumed: readonly Topic[]): Map<Topic, HandlerBinding> {
    const byTopic = new Map<Topic, HandlerBinding>();
    const wanted = new Set(consumed);
    for (const binding of this.discover()) {
      const existing = byTopic.get(binding.topic);
      if (existing !== undefined) {
        throw new KafkaException(
          KafkaErrorCode.DuplicateHandler,
          `topic '${binding.topic}' has two handlers: ${existing.name} and ${binding.name}`,
        );
      }
      if (!wanted.has(binding.topic)) {
        throw new KafkaException(
          KafkaErrorCode.UnexpectedHandler,
          `${binding.name} handles '${binding.topic}', which this app does not consume`,
        );
      }
      byTopic.set(binding.topic, binding);
    }
    for (const topic of wanted) {
      if (!byTopic.has(topic)) {
        throw new KafkaException(
          KafkaErrorCode.MissingHandler,
          `topic '${topic}' is consumed but has no @KafkaHandler`,
        );
      }
    }
    return byTopic;
  }
}
