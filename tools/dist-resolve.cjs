// Preloaded by compiled services (`node -r ./tools/dist-resolve.cjs dist/apps/<svc>/src/main.js`):
// the workspace packages `@orgplane/<lib>` point at their TypeScript sources for tests and tools,
// so a compiled service is sent to the compiled library in dist/ instead.
const Module = require('node:module');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist', 'libs', 'shared');
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function resolveWorkspaceLibrary(request, ...rest) {
  const match = /^@orgplane\/([a-z-]+)$/.exec(request);
  if (match) return path.join(dist, match[1], 'src', 'index.js');
  return resolveFilename.call(this, request, ...rest);
};
