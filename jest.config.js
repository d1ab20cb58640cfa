// One Jest run over every project; each project keeps its own jest.config.js so Nx can run it alone.
module.exports = {
  projects: [
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/libs/shared/*/jest.config.js',
    '<rootDir>/libs/*/domain/jest.config.js',
  ],
};
