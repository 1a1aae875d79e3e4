export * from './console-page.css';
export * from './console-page.html';
export * from './console-page.script';
