// Runs n8n's community-package scanner (@n8n/scan-community-package) on this package the way
// n8n's verification does: its CLI only scans packages already on the npm registry, so this
// packs the package, unpacks the tarball, and runs the scanner's own analyzePackage() on the
// source checkout and on the tarball.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const scannerPath = path.join(
	path.dirname(require.resolve('@n8n/scan-community-package/package.json')),
	'scanner/scanner.mjs',
);
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerPath).href);

const work = mkdtempSync(path.join(tmpdir(), 'kling-scan-'));
try {
	const [{ filename, size, unpackedSize, entryCount }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	execFileSync('tar', ['-xzf', path.join(work, filename), '-C', work]);
	const packageDir = path.join(work, 'package');
	console.log(
		`Packed ${filename}: ${entryCount} files, ${(size / 1024).toFixed(1)} kB packed, ${(unpackedSize / 1024).toFixed(1)} kB unpacked`,
	);

	const results = [
		[
			'source (package.json, nodes/, credentials/)',
			await analyzePackage(root, SOURCE_FILE_PATTERNS),
		],
		[
			'tarball (**/*.js, package.json)',
			await analyzePackage(packageDir, ['**/*.js', 'package.json']),
		],
	];
	let failed = false;
	for (const [label, result] of results) {
		console.log(
			`${result.passed ? 'PASS' : 'FAIL'} ${label}${result.message ? `: ${result.message}` : ''}`,
		);
		if (result.details) console.log(result.details);
		failed ||= !result.passed;
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
