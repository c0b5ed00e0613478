// Which config Train picks in a workspace it did not prepare: the root's wins without a question,
// and the search for others never leaves the workspace through a link nor reads the runs folder.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findConfigFiles } from '../../src/node/workspace/config-search';
import { buildDamagedWorkspace } from '../helpers/damaged-workspace';
import { Uri, installFakeVscode, ui } from '../helpers/fake-vscode';

installFakeVscode();
const { resolveConfig } = require('../../src/host/session/resolve-config') as typeof import('../../src/host/session/resolve-config');

function workspaceWithLinks(): { root: string; runsFolder: string } {
  const ws = buildDamagedWorkspace(); // holds a link to / inside .mnist/runs
  mkdirSync(join(ws.root, 'experiments', 'deep'), { recursive: true });
  writeFileSync(join(ws.root, 'experiments', 'cnn.mnist.config.json'), '{}');
  writeFileSync(join(ws.root, 'experiments', 'deep', 'mnist.config.json'), '{}');
  mkdirSync(join(ws.root, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(ws.root, 'node_modules', 'pkg', 'mnist.config.json'), '{}');
  symlinkSync('/', join(ws.root, 'link-to-root'));
  return ws;
}

test('the search finds the workspace\'s configs only: no link is followed, node_modules and the runs folder are skipped', () => {
  const { root, runsFolder } = workspaceWithLinks();
  const found = findConfigFiles([root], [runsFolder]).map((f) => f.slice(root.length + 1));
  assert.deepEqual(found, ['mnist.config.json', 'experiments/cnn.mnist.config.json', 'experiments/deep/mnist.config.json']);
});

test('the search is bounded: a tree larger than its entry limit ends the walk with what it found so far', () => {
  const { root } = workspaceWithLinks();
  const found = findConfigFiles([root], [], { maxDepth: 8, maxEntries: 3, maxResults: 50 });
  assert.ok(found.length <= 1);
});

test('MNIST: Train in a workspace whose root has mnist.config.json trains it without asking, links and all', async () => {
  const { root } = workspaceWithLinks();
  ui.reset(root);
  let asked = false;
  ui.pick = (items) => {
    asked = true;
    return items[0];
  };
  const chosen = await resolveConfig(undefined, Uri.file(join(root, '.global')) as never, 'MNIST: which config to train?');
  assert.equal(chosen?.fsPath, join(root, 'mnist.config.json'));
  assert.equal(asked, false, 'no question when the root has a config');
});

test('without a root config the user picks among the workspace\'s own configs, never one from outside', async () => {
  const { root } = workspaceWithLinks();
  const { rmSync } = await import('node:fs');
  rmSync(join(root, 'mnist.config.json'));
  ui.reset(root);
  let offered: string[] = [];
  ui.pick = (items) => {
    offered = items.map((i) => i.label);
    return items[0];
  };
  const chosen = await resolveConfig(undefined, Uri.file(join(root, '.global')) as never, 'MNIST: which config to train?');
  assert.equal(offered.length, 2, offered.join(', '));
  assert.ok(chosen?.fsPath.startsWith(root));
});
