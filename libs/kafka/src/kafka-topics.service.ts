import { ALL_TOPICS } from './topics.constants';

import type { Topic, TopicNames } from './topics.constants';

/** Physical topic names of the app (injectable); logical ↔ physical. */
export class KafkaTopics {
  private readonly byName = new Map<string, Topic>();

  constructor(readonly names: TopicNames) {
    for (const topic of ALL_TOPICS) {
      this.byName.set(names[topic], topic);
    }
  }

  name(topic: Topic): string {
    return this.names[topic];
  }

  /** The logical topic of a physical name, or undefined for a name the app does not know. */
  logical(name: string): Topic | undefined {
    return this.byName.get(name);
  }
}
