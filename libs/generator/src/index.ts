export * from './expected-outcome';
export * from './generate-trail';
export * from './generator-options';
export * from './ip-pools';
export * from './labels-of';
export * from './seeded-random';
export * from './trail-catalog';
export { RecordFlaw } from './trail-schedule';
export type { AccountRole, IpKind } from './trail-plan';
