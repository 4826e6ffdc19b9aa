// Tests are JavaScript ESM against the built dist/ (the artefact users install): n8n's lint
// rules cover **/*.ts only, so tests may start servers, use timers and import n8n-core.
export default {
	testEnvironment: 'node',
	testMatch: ['<rootDir>/test/**/*.test.mjs'],
	transform: {},
	// dist/ holds a copy of package.json (tsconfig includes it); keep it out of jest's module map.
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
	testTimeout: 60_000,
	maxWorkers: 2,
};
