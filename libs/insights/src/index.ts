export * from './ip-insight';
