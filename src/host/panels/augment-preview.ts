// MNIST: Preview Augmentation: an editor panel with real training digits next to augmented
// versions drawn with the workspace config's data.augment and seed. The digits come from the
// dataset the config trains on when it is on disk, else from the bundled mnist-sample; nothing is
// downloaded for a preview.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type AugmentPreview, buildAugmentPreview } from '../../shared/augment-preview';
import { applyDefaults, type MnistConfig, type MnistConfigInput } from '../../shared/config';
import { type AugmentPreviewMessage, type FromAugmentView, isFromAugmentView } from '../../shared/protocol';
import { formatIssue, parseConfigText, validateConfigText } from '../../shared/validate';
import { FASHION_SYSTEM_DIR, findIdxFiles, loadDataset } from '../../node/data/datasets';
import { readSettings } from '../settings';
import { SinglePanel } from './webview-panel';
import { postToWebview } from './post';

/** Where the preview's config is, and what it says; `problem` when it cannot be read. */
export type PreviewConfig = { file: string | null; config: MnistConfig } | { problem: string; file: string };

/**
 * The settings the preview needs from a config file: dataset, data.dir, data.augment and the seed.
 * Mistakes elsewhere (a model layer) do not stop a preview; mistakes in these do, by name.
 */
export function readPreviewConfig(file: string | null): PreviewConfig {
  if (file === null) return { file: null, config: applyDefaults({}) };
  const name = path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, problem: `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  const { config, issues } = validateConfigText(text, name);
  if (config) return { file, config: resolveDataDir(config, file) };
  const relevant = (p: (string | number)[]) => p.length === 0 || p[0] === 'dataset' || p[0] === 'data' || (p[0] === 'training' && (p.length === 1 || p[1] === 'seed'));
  const blocking = issues.find((i) => i.severity === 'error' && (i.code === 'syntax' || relevant(i.path)));
  if (blocking) return { file, problem: formatIssue(blocking, name, text) };
  const input = parseConfigText(text, name).value as MnistConfigInput;
  const seed = input.training?.seed;
  return { file, config: resolveDataDir(applyDefaults({ dataset: input.dataset, data: input.data, training: seed === undefined ? {} : { seed } }), file) };
}

/** A relative data.dir is relative to the config file, as for training. */
function resolveDataDir(config: MnistConfig, file: string): MnistConfig {
  if (config.data.dir !== null) config.data.dir = path.resolve(path.dirname(file), config.data.dir);
  return config;
}

/** What the preview says when Restricted Mode keeps it from reading the config's data.dir. */
export const RESTRICTED_DATA_DIR_NOTE =
  "Restricted Mode: the config's data.dir is not read until you trust this workspace (its files would be decoded here), so these are other digits.";

/**
 * In Restricted Mode the workspace's data.dir (any path the config names) is not decoded in the
 * extension host: the preview falls back to the download cache or the bundled sample, and says so.
 */
export function restrictToTrust(config: MnistConfig, trusted: boolean): { config: MnistConfig; note?: string } {
  if (trusted || config.data.dir === null) return { config };
  return { config: { ...config, data: { ...config.data, dir: null } }, note: RESTRICTED_DATA_DIR_NOTE };
}

async function complete(dir: string): Promise<boolean> {
  try {
    return (await findIdxFiles(dir)).missing.length === 0;
  } catch {
    return false;
  }
}

/**
 * The preview for a config: its dataset's training digits when they are on disk (data.dir, the
 * download cache, Debian's Fashion-MNIST), else the bundled sample, saying why.
 */
export async function previewFor(config: MnistConfig, dirs: { sampleDir: string; cacheDir: string; fashionSystemDir?: string }): Promise<AugmentPreview> {
  const notes: string[] = [];
  const sample = () => loadDataset({ dataset: 'mnist-sample', dir: null, cacheDir: dirs.cacheDir, sampleDir: dirs.sampleDir });
  let data: Awaited<ReturnType<typeof loadDataset>> | undefined;
  let source = '';
  const fromFolder = async (dir: string, what: string) => {
    data = await loadDataset({ dataset: config.dataset, dir, cacheDir: dirs.cacheDir, sampleDir: dirs.sampleDir });
    source = what;
  };
  try {
    if (config.data.dir !== null) await fromFolder(config.data.dir, `data.dir ${config.data.dir}`);
    else if (config.dataset === 'mnist-sample') {
      data = await sample();
      source = `mnist-sample, ${data.source}`;
    } else {
      const system = dirs.fashionSystemDir ?? FASHION_SYSTEM_DIR;
      const cache = path.join(dirs.cacheDir, config.dataset);
      if (config.dataset === 'fashion-mnist' && (await complete(system))) await fromFolder(system, `fashion-mnist, ${system}`);
      else if (await complete(cache)) await fromFolder(cache, `${config.dataset}, cache ${cache}`);
      else notes.push(`${config.dataset} is not downloaded yet (the first training run downloads it), so these are digits of the bundled mnist-sample.`);
    }
  } catch (err) {
    notes.push(`${(err as Error).message}; these are digits of the bundled mnist-sample instead.`);
    data = undefined;
  }
  if (!data) {
    data = await sample();
    source = `mnist-sample, ${data.source}`;
  }
  const preview = buildAugmentPreview({ images: data.trainImages, labels: data.trainLabels, classNames: data.classNames, source }, config.data.augment, config.training.seed);
  return { ...preview, notes: [...preview.notes, ...notes] };
}

/** The config to preview: the argument, the active editor's config, the workspace's mnist.config.json, or none. */
function configFile(uri?: vscode.Uri): string | null {
  const isConfig = (p: string) => /(^|\.)mnist\.config\.json$/.test(path.basename(p));
  if (uri && uri.scheme === 'file' && isConfig(uri.fsPath)) return uri.fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && isConfig(active.fsPath)) return active.fsPath;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const file = root ? path.join(root, 'mnist.config.json') : null;
  return file && existsSync(file) ? file : null;
}

export class AugmentPreviewPanel implements vscode.Disposable {
  static readonly viewType = 'mnist.augmentPreview';
  private readonly panel: SinglePanel<FromAugmentView>;
  private message: AugmentPreviewMessage | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.panel = new SinglePanel(context.extensionUri, {
      viewType: AugmentPreviewPanel.viewType,
      page: { bundle: 'augment', title: 'MNIST: Augmentation Preview' },
      column: vscode.ViewColumn.Active,
      accept: isFromAugmentView,
      // Its one message is `ready`: hidden and shown again, the webview starts over and asks.
      onMessage: (_ready, webview) => this.message && postToWebview(webview, this.message),
      view: 'augmentation preview',
    }, log);
  }

  /** MNIST: Preview Augmentation. Returns what the panel shows, or undefined after saying why not. */
  async show(uri?: vscode.Uri): Promise<AugmentPreviewMessage | undefined> {
    const file = configFile(uri);
    const read = readPreviewConfig(file);
    if ('problem' in read) {
      void vscode.window.showErrorMessage(`MNIST: cannot preview augmentation: ${read.problem}`);
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const cacheDir = folder ? readSettings(folder, this.context.globalStorageUri).dataCacheFolder : this.context.globalStorageUri.fsPath;
    const allowed = restrictToTrust(read.config, vscode.workspace.isTrusted);
    let preview: AugmentPreview;
    try {
      preview = await previewFor(allowed.config, { sampleDir: this.context.asAbsolutePath(path.join('dist', 'data', 'mnist-sample')), cacheDir });
    } catch (err) {
      this.log.error(`Augmentation preview: ${(err as Error).stack ?? err}`);
      void vscode.window.showErrorMessage(`MNIST: cannot preview augmentation: ${(err as Error).message}`);
      return undefined;
    }
    if (!file) preview.notes.unshift('There is no mnist.config.json in this workspace: the defaults are shown.');
    if (allowed.note) preview.notes.unshift(allowed.note);
    const message: AugmentPreviewMessage = { type: 'augmentPreview', preview, configFile: file ? vscode.workspace.asRelativePath(file) : null };
    this.message = message;
    this.panel.open('Augmentation Preview');
    this.panel.post(message);
    return message;
  }

  dispose(): void {
    this.panel.dispose();
  }
}
