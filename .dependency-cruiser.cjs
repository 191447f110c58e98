// The layers of src/ (README, "Layers"): a module may import its own folder and the
// layers below its own, never one above it, nor a neighbour on its own rank. DESIGN.md
// draws the direction: front doors → calls/service → screening → lists/numbers.
// test/layers.test.ts runs this in `npm test`; `npm run check:layers` alone.

/** Top to bottom; the modules of one entry are neighbours that do not use each other. */
const LAYERS = [
  { name: 'cli', paths: ['cli'], why: 'the binary: one file per command; starts serve and the api' },
  { name: 'processes', paths: ['api', 'service'], why: 'the two long-running processes, callguard api and callguard serve' },
  { name: 'front-door', paths: ['front-door'], why: 'what every front door shares: input parsing, JSON shapes, user errors' },
  { name: 'call side', paths: ['calls', 'webhooks'], why: 'ARI (inbound, outbound, dialer legs) and webhook delivery' },
  { name: 'domain services', paths: ['dialer', 'access'], why: 'dial requests, tokens and roles' },
  { name: 'config', paths: ['config.ts'], why: "serve's settings and their parsers" },
  { name: 'screening', paths: ['screening'], why: 'routes, campaigns, the pure decision' },
  { name: 'lists', paths: ['lists'], why: 'the Redis list store, audit, import, export' },
  { name: 'base', paths: ['numbers', 'redis'], why: 'normalization; Redis connections and scripts' },
  { name: 'log', paths: ['log.ts'], why: 'the pino logger' },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathPattern = (path) => `^src/${escape(path)}${path.endsWith('.ts') ? '$' : '/'}`;
const anyOf = (paths) => `(${paths.map(pathPattern).join('|')})`;

const layerRules = LAYERS.flatMap((layer, rank) => {
  const above = LAYERS.slice(0, rank).flatMap((higher) => higher.paths);
  return layer.paths.map((path) => {
    const forbidden = [...above, ...layer.paths.filter((neighbour) => neighbour !== path)];
    return {
      name: `layer-${path.replace(/\.ts$/, '')}`,
      comment: `src/${path} (${layer.name}: ${layer.why}) uses only the layers below it`,
      severity: 'error',
      from: { path: pathPattern(path) },
      to: { path: anyOf(forbidden) },
    };
  });
}).filter((rule) => rule.to.path !== '()');

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'in-a-layer',
      comment: 'every module of src/ belongs to a layer: add a new folder to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: `^${anyOf(LAYERS.flatMap((layer) => layer.paths))}` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'an import circle makes the order of module start-up matter and the layers meaningless',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'resolvable',
      comment: 'an import that cannot be resolved would hide a dependency from these rules',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'src-not-to-tests',
      comment: 'the shipped code never loads test or benchmark code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser to parse with; swc parses
    // the same syntax, type-only imports included (they count: a type is a dependency).
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // as Node resolves an ESM import of a package with an exports map
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], mainFields: ['module', 'main'] },
    exclude: { path: '\\.lua$' },
  },
};
