import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendName } from '../shared/config';

/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
export interface Settings {
  runsFolder: string;
  dataCacheFolder: string;
  mirrors: string[] | undefined;
  defaultBackend: BackendName;
  /** ms without any trainer event before the run is taken as hung; 0: never. */
  trainerTimeoutMs: number;
}

/** Five minutes: the longest silence measured is about 8 s (a CNN's test-set evaluation, before it sent heartbeats). */
export const DEFAULT_TRAINER_TIMEOUT_S = 300;

/**
 * Settings that name where the extension writes or downloads from. In an untrusted workspace only the
 * user's own value counts (package.json lists them as `restrictedConfigurations`, and VS Code ignores
 * the workspace's value; read here the same way so the rule holds whatever reads them).
 */
export const RESTRICTED_SETTINGS = ['runsFolder', 'dataCacheFolder', 'mirrorUrl'] as const;

/** A setting that cannot be used as it is; the message names it and says what to do. */
export class SettingError extends Error {
  constructor(readonly setting: string, message: string) {
    super(message);
    this.name = 'SettingError';
  }
}

/**
 * Where a folder setting points. A relative value is relative to the workspace folder and must stay
 * inside it: `..` that climbs out is refused (a mistake, or a workspace writing where the user did
 * not choose). An absolute value is a deliberate choice and is taken as it is.
 */
export function resolveOutputFolder(setting: string, value: string, workspaceFolder: string, workspaceName: string): string {
  if (path.isAbsolute(value)) return path.normalize(value);
  const full = path.resolve(workspaceFolder, value);
  const rel = path.relative(workspaceFolder, full);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new SettingError(
      setting,
      `The "${setting}" setting ("${value}") points outside the workspace folder "${workspaceName}". Use a folder inside the workspace, or an absolute path if you mean a place outside it.`,
    );
  }
  return full;
}

/** Reads the settings; throws SettingError when a folder setting climbs out of the workspace. */
export function readSettings(folder: vscode.WorkspaceFolder, globalStorage: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('mnist', folder.uri);
  const restricted = (key: (typeof RESTRICTED_SETTINGS)[number]): string | undefined => {
    if (vscode.workspace.isTrusted) return c.get<string>(key);
    const v = c.inspect<string>(key)?.globalValue;
    return typeof v === 'string' ? v : undefined;
  };
  const runs = restricted('runsFolder') || '.mnist/runs';
  const cache = restricted('dataCacheFolder') || '';
  const mirror = (restricted('mirrorUrl') || '').trim();
  const root = folder.uri.fsPath;
  return {
    runsFolder: resolveOutputFolder('mnist.runsFolder', runs, root, folder.name),
    dataCacheFolder: cache ? resolveOutputFolder('mnist.dataCacheFolder', cache, root, folder.name) : path.join(globalStorage.fsPath, 'datasets'),
    mirrors: mirror ? [mirror] : undefined,
    defaultBackend: c.get<BackendName>('defaultBackend') ?? 'auto',
    trainerTimeoutMs: trainerTimeoutMs(c.get<number>('trainerTimeout')),
  };
}

function trainerTimeoutMs(seconds: number | undefined): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_TRAINER_TIMEOUT_S * 1000;
  return seconds * 1000;
}

/**
 * The trainer's environment with VS Code's proxy settings: `http.proxy` (your user setting; a
 * workspace cannot route downloads through a proxy of its choosing) becomes HTTPS_PROXY and
 * HTTP_PROXY, and `http.noProxy` NO_PROXY, over whatever the environment says. Without
 * `http.proxy`, the environment's own proxy variables apply as they are.
 */
export function proxyEnvironment(proxy: unknown, noProxy: unknown, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const url = typeof proxy === 'string' ? proxy.trim() : '';
  if (!url) return env;
  const out: NodeJS.ProcessEnv = { ...env, HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url };
  const hosts = Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [];
  if (hosts.length > 0) out.NO_PROXY = out.no_proxy = hosts.join(',');
  return out;
}

/** proxyEnvironment from the current settings and process.env, for forking the trainer. */
export function trainerEnvironment(): NodeJS.ProcessEnv {
  const http = vscode.workspace.getConfiguration('http');
  return proxyEnvironment(http.inspect<string>('proxy')?.globalValue, http.inspect<string[]>('noProxy')?.globalValue, process.env);
}
