// Bundles every service entrypoint (services/<svc>/src/main.ts and any other *.entry.ts) into
// services/<svc>/dist/<name>.js. esbuild resolves the @trail-insight/* path aliases and bundles the
// libs; third-party packages stay external and load from node_modules. esbuild does not emit
// decorator metadata, which Nest's dependency injection needs, so TypeScript is transformed by swc.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { transform } from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

const swcDecorators = {
  name: 'swc-decorators',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const result = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: result.code, loader: 'js' };
    });
  },
};

// Lua scripts are read at startup from a `lua/` folder beside the bundle (libs/state-redis).
const luaFiles = [
  ...readdirSync(join(root, 'libs')).map((lib) => join(root, 'libs', lib, 'src', 'lua')),
  ...readdirSync(join(root, 'services')).map((svc) => join(root, 'services', svc, 'src', 'lua')),
]
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.lua'))
      .map((f) => join(dir, f)),
  );

const services = readdirSync(join(root, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'services', entry.name, 'src')))
  .map((entry) => entry.name)
  .filter((name) => only.length === 0 || only.includes(name));

for (const service of services) {
  const srcDir = join(root, 'services', service, 'src');
  const entryPoints = readdirSync(srcDir)
    .filter((file) => file === 'main.ts' || file.endsWith('.entry.ts'))
    .map((file) => join(srcDir, file));
  if (entryPoints.length === 0) continue;
  await build({
    entryPoints,
    outdir: join(root, 'services', service, 'dist'),
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [swcDecorators],
    define: { 'process.env.TRAIL_INSIGHT_VERSION': JSON.stringify(version) },
  });
  const luaDir = join(root, 'services', service, 'dist', 'lua');
  mkdirSync(luaDir, { recursive: true });
  for (const file of luaFiles) {
    copyFileSync(file, join(luaDir, file.slice(file.lastIndexOf('/') + 1)));
  }
}
process.stdout.write(`bundled ${services.join(', ')}\n`);
