export * from './kafka-fixture';
export * from './service-process';
export * from './test-env.util';
export * from './wait-for';
