export * from './ip-insight';
export * from './insight-event';
export * from './insight-event.schema';
