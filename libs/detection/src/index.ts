export * from './detection-config';
export * from './detection-engine';
export * from './detection-state';
export * from './detection.constants';
export * from './heterogeneity-model';
export * from './state-changes';
