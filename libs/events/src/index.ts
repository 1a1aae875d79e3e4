export * from './cidr';
export * from './event-time.util';
export * from './ip-address';
export * from './json-depth.util';
export * from './normalize-record';
export * from './normalized-event';
export * from './trail-content';
export * from './split-raw-message.util';
