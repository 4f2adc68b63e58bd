#!/usr/bin/env node
// Keeps every package's `exports` in step with its entry points.
//   node scripts/check-exports.mjs            all workspace packages: each export maps to a src entry
//   node scripts/check-exports.mjs --built D  the package in folder D, after its build: every target exists too
// Rules: each export target under dist/ has a matching src/*.ts; "types" sits next to "import";
// `main`/`types` agree with the "." export; a package with src/index.ts exports ".".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const built = args[0] === '--built';
const folders = built ? [args[1] ?? '.'] : workspaceFolders();
const problems = [];

for (const folder of folders) {
  const file = join(folder, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (!pkg.exports) continue;
  const name = pkg.name ?? relative(root, folder);
  const exportsMap = typeof pkg.exports === 'string' ? { '.': pkg.exports } : pkg.exports;
  if (existsSync(join(folder, 'src/index.ts')) && !exportsMap['.'])
    problems.push(`${name}: src/index.ts exists but "." is not exported`);
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath === './package.json') continue;
    const conditions = typeof target === 'string' ? { default: target } : target;
    const js = conditions.import ?? conditions.default;
    if (!js?.startsWith('./dist/') || !js.endsWith('.js')) {
      problems.push(`${name}: export "${subpath}" must point into ./dist/*.js, got ${js}`);
      continue;
    }
    const source = js.replace('./dist/', 'src/').replace(/\.js$/, '.ts');
    if (!existsSync(join(folder, source)))
      problems.push(`${name}: export "${subpath}" → ${js} has no source ${source}`);
    if (conditions.types !== js.replace(/\.js$/, '.d.ts'))
      problems.push(`${name}: export "${subpath}" needs "types": "${js.replace(/\.js$/, '.d.ts')}"`);
    if (built) {
      for (const out of [js, conditions.types]) {
        if (out && !existsSync(join(folder, out)))
          problems.push(`${name}: export "${subpath}" → ${out} was not built`);
      }
    }
    if (subpath === '.') {
      if (pkg.main && pkg.main !== js)
        problems.push(`${name}: "main" (${pkg.main}) differs from the "." export (${js})`);
      if (pkg.types && pkg.types !== conditions.types)
        problems.push(`${name}: "types" differs from the "." export`);
    }
  }
}

if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
if (!built) console.log(`check-exports: ${folders.length} packages in step with their entry points`);

function workspaceFolders() {
  const out = [];
  for (const parent of ['packages', 'examples', 'tests']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) out.push(join(dir, entry.name));
  }
  out.push(join(root, 'bench'));
  return out;
}
