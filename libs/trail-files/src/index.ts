export * from './trail-file-reader';
export * from './trail-file-walker';
export * from './batch-analyzer';
export * from './external-sorter';
