// The layering contract, checked in CI (`npm run lint:deps`): each layer imports only the layers below it.
//   contract <- text <- {rewards, advantages, verifiers (math, code)} <- core <- {eval, filter} <- service <- {http, grpc, cli}
//   runner -> contract (its CLI also -> core); util is a leaf anyone may use.
const layer = (name, dirs, allowed) => ({
  name: `layer-${name}`,
  comment: `${name} may import only: ${allowed.join(', ') || 'nothing in src/'}`,
  severity: 'error',
  from: { path: `^src/(${dirs.join('|')})/` },
  to: { path: '^src/', pathNot: [`^src/(${[...dirs, ...allowed, 'util'].join('|')})/`] },
});
const domain = ['contract', 'text'];
module.exports = {
  forbidden: [
    { name: 'no-cycles', comment: 'import cycles make load order and layering meaningless', severity: 'error', from: {}, to: { circular: true } },
    { name: 'util-is-a-leaf', severity: 'error', from: { path: '^src/util/' }, to: { path: '^src/', pathNot: '^src/util/' } },
    layer('contract', ['contract'], []),
    layer('text', ['text'], ['contract']),
    layer('rewards', ['rewards'], domain),
    layer('advantages', ['advantages'], domain),
    layer('verifiers', ['verifiers', 'math', 'code'], domain),
    layer('core', ['core'], [...domain, 'rewards', 'advantages', 'verifiers', 'math', 'code']),
    layer('eval-filter', ['eval', 'filter'], [...domain, 'rewards', 'advantages', 'verifiers', 'math', 'code', 'core']),
    layer('service', ['service'], [...domain, 'rewards', 'advantages', 'verifiers', 'math', 'code', 'core', 'eval', 'filter']),
    layer('transports', ['http', 'grpc', 'cli'], [...domain, 'rewards', 'advantages', 'verifiers', 'math', 'code', 'core', 'eval', 'filter', 'service', 'runner/cli']),
    {
      name: 'http-grpc-apart',
      comment: 'transports share the service layer, never each other',
      severity: 'error',
      from: { path: '^src/(http|grpc)/' },
      to: { path: '^src/(http|grpc|cli)/', pathNot: '^src/$1/' },
    },
    {
      name: 'runner',
      comment: 'the policy runner depends on the data contract only; its CLI may also use the core',
      severity: 'error',
      from: { path: '^src/runner/', pathNot: '^src/runner/cli/' },
      to: { path: '^src/', pathNot: '^src/(runner|contract|util)/' },
    },
    {
      name: 'runner-cli',
      severity: 'error',
      from: { path: '^src/runner/cli/' },
      to: { path: '^src/', pathNot: '^src/(runner|contract|util|core|text)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
