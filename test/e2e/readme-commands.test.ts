// The commands the READMEs tell a user to run name scripts that exist and CLIs that `npm ci` links.
// .ci/run runs the root README's "Try it" commands themselves (taken from README.md by
// scripts/readme-commands.sh) on a clean clone; this test keeps every other command honest too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { repoRoot } from '../support/paths.ts';

const READMES = ['README.md', 'packages/instrument/README.md', 'packages/emulator/README.md', 'extension/README.md'];

interface Command {
  readme: string;
  line: string;
}

/** Shell lines in ```sh blocks and inline code spans that start with npm or npx. */
function commandsIn(readme: string): Command[] {
  const text = readFileSync(join(repoRoot, readme), 'utf8');
  const found: Command[] = [];
  const add = (line: string): void => {
    const command = line.replace(/\s+#.*$/, '').trim();
    if (/^(npm|npx) /.test(command)) found.push({ readme, line: command });
  };
  // Inside a fenced block: 'shell' for ```sh (or untagged) blocks, 'other' for code in other languages.
  let fence: 'shell' | 'other' | undefined;
  for (const line of text.split('\n')) {
    if (/^```/.test(line)) {
      fence = fence !== undefined ? undefined : /^```(sh|bash|shell)?$/.test(line) ? 'shell' : 'other';
      continue;
    }
    if (fence === 'shell') add(line);
    else if (fence === undefined) for (const span of line.matchAll(/`([^`]+)`/g)) add(span[1]!);
  }
  return found;
}

function tryItCommands(): string[] {
  const text = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Try it\n'));
  assert.ok(section, 'README.md has a "## Try it" section');
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section);
  assert.ok(block, 'the "Try it" section has a ```sh block');
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

interface Manifest {
  name?: string;
  scripts?: Record<string, string>;
  workspaces?: string[];
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;
const root = readManifest('.');

/** The workspace directory a `-w` argument names (a path or a package name). */
function workspaceDir(arg: string): string {
  const dir = root.workspaces?.find((ws) => ws === arg.replace(/\/$/, '') || readManifest(ws).name === arg);
  assert.ok(dir, `-w ${arg} is one of the workspaces ${JSON.stringify(root.workspaces)}`);
  return dir;
}

/** Which CLI names a package directory's scripts can call: node_modules/.bin of the package and of the root. */
function linked(bin: string, dir: string): boolean {
  return [join(repoRoot, dir, 'node_modules', '.bin', bin), join(repoRoot, 'node_modules', '.bin', bin)].some((path) => existsSync(path));
}

/**
 * Checks one shell command as npm would run it from `dir`: each `&&` step is npm (a script that
 * exists, followed into its own body), node (a script file that exists) or a linked CLI.
 */
function checkCommand(command: string, dir: string, where: string, seen = new Set<string>()): void {
  for (const step of command.split('&&').map((part) => part.trim())) {
    const words = step.split(/\s+/);
    const [program, ...args] = words;
    assert.ok(program, `${where}: empty step in ${JSON.stringify(command)}`);
    if (program === 'npm') {
      const workspace = args.indexOf('-w');
      const scriptDir = workspace >= 0 ? workspaceDir(args[workspace + 1]!) : dir;
      const sub = args[0];
      if (sub === 'ci' || sub === 'install' || sub === 'pack' || sub === 'publish') continue;
      const name = sub === 'run' ? args[1] : sub;
      assert.ok(name !== undefined && (name === 'test' || sub === 'run'), `${where}: ${JSON.stringify(step)} is not an npm command this test knows`);
      const body = readManifest(scriptDir).scripts?.[name];
      assert.ok(body !== undefined, `${where}: ${JSON.stringify(step)} names script "${name}", missing from ${join(scriptDir, 'package.json')}`);
      const key = `${scriptDir}:${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const hook of [`pre${name}`, name, `post${name}`]) {
        const hookBody = readManifest(scriptDir).scripts?.[hook];
        if (hookBody !== undefined) checkCommand(hookBody, scriptDir, `${where} → ${scriptDir}:${hook}`, seen);
      }
    } else if (program === 'npx') {
      const bin = args.find((arg) => !arg.startsWith('-'));
      assert.ok(bin && linked(bin, dir), `${where}: ${JSON.stringify(step)} calls ${bin}, which npm ci does not link in node_modules/.bin`);
    } else if (program === 'node') {
      const file = args.find((arg) => !arg.startsWith('-'));
      assert.ok(file && existsSync(join(repoRoot, dir, file)), `${where}: ${JSON.stringify(step)} runs ${file}, missing in ${dir}`);
    } else {
      assert.ok(linked(program, dir), `${where}: ${JSON.stringify(step)} calls ${program}, which npm ci does not link in node_modules/.bin`);
    }
  }
}

describe('README commands', () => {
  test('CI runs the "Try it" commands as scripts/readme-commands.sh reads them from README.md', () => {
    const fromScript = execFileSync('bash', [join(repoRoot, 'scripts', 'readme-commands.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const commands = tryItCommands();
    assert.deepEqual(fromScript, commands);
    assert.match(commands[0]!, /^npm ci\b/, 'the first command installs: nothing else runs before it on a fresh clone');
    assert.ok(commands.some((c) => /\bnpm run demo\b/.test(c)));
    assert.ok(commands.some((c) => /\bnpm test\b/.test(c)));
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    assert.match(ci, /scripts\/readme-commands\.sh/, '.ci/run takes its commands from the README');
  });

  const all = READMES.flatMap(commandsIn).filter((c, index, list) => list.findIndex((o) => o.readme === c.readme && o.line === c.line) === index);
  test('the READMEs name at least the demo, the tests, the layer build, the bench and the emulator CLI', () => {
    const lines = all.map((c) => c.line);
    for (const expected of ['npm run demo', 'npm test', 'npm run build:layer', 'npm run bench', 'npx lambda-emulator'])
      assert.ok(
        lines.some((line) => line.includes(expected)),
        `${expected} in ${JSON.stringify(lines)}`,
      );
  });

  test.each(all.map((c) => [`${c.readme}: ${c.line}`, c] as const))('%s', (_title, command) => {
    checkCommand(command.line, '.', command.readme);
  });
});
