// Copies the light and dark SVG icons into dist/icons, where the compiled node
// (dist/nodes/Kling) and credential (dist/credentials) reference them as
// file:../../icons/… and file:../icons/…. tsc only emits .js/.d.ts/.json, so without
// this step the published package would ship without icons.
const { src, dest, series } = require('gulp');
const { rm } = require('node:fs/promises');

function cleanIcons() {
	return rm('dist/icons', { recursive: true, force: true });
}

function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

exports['build:icons'] = series(cleanIcons, copyIcons);

exports.clean = function clean() {
	return rm('dist', { recursive: true, force: true });
};
