// Preloaded by compiled services (`node -r ./tools/dist-resolve.cjs dist/apps/<svc>/src/main.js`):
// the workspace packages `@orgplane/<lib>` point at their TypeScript sources for tests and tools,
// and the domain libraries `@orgplane/<service>-domain` are tsconfig paths only, so a compiled
// service is sent to the compiled library in dist/ instead.
const Module = require('node:module');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist', 'libs');
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function resolveWorkspaceLibrary(request, ...rest) {
  const domain = /^@orgplane\/([a-z-]+)-domain$/.exec(request);
  if (domain) return path.join(dist, domain[1], 'domain', 'src', 'index.js');
  const shared = /^@orgplane\/([a-z-]+)$/.exec(request);
  if (shared) return path.join(dist, 'shared', shared[1], 'src', 'index.js');
  return resolveFilename.call(this, request, ...rest);
};
