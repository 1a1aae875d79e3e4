import { parentPort } from 'node:worker_threads';

import { NORMALIZED_EVENT_CODEC } from './normalized-event.codec';
import { parseTrailSource } from './parsed-file';

import type { ParseReply, ParseRequest } from './parse-pool';

/** Body of a parse worker thread: answers each {@link ParseRequest} with its parsed file. */
export function serveParseRequests(): void {
  const port = parentPort;
  if (port === null) {
    throw new Error('serveParseRequests must run in a worker thread');
  }
  port.on('message', (request: ParseRequest) => {
    void parseTrailSource(request.source, request.maxExamples).then((parsed) => {
      const reply: ParseReply = {
        id: request.id,
        parsed: { ...parsed, events: [] },
        events: parsed.events.map((event) => NORMALIZED_EVENT_CODEC.encode(event)).join('\n'),
      };
      port.postMessage(reply);
    });
  });
}
