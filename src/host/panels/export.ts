// Saving a chart or its data from the dashboard. The webview sends the content; the host asks the
// user where with a save dialog and writes only the file the user chose. No vscode import, so the
// rules are tested with plain functions standing in for the dialog and the file system.
import type { ExportFormat, ExportRequest } from '../../shared/protocol';

const FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  csv: { 'CSV (comma-separated values)': ['csv'] },
};

/** The bytes to write for a validated ExportRequest. */
export function exportBytes(req: ExportRequest): Uint8Array {
  if (req.format === 'png') return Buffer.from(req.data.slice(req.data.indexOf(',') + 1), 'base64');
  return Buffer.from(req.data, 'utf8');
}

export interface SaveDeps<U> {
  /** The save dialog: the file the user chose, or undefined when they cancelled. */
  pick(fileName: string, filters: Record<string, string[]>): PromiseLike<U | undefined>;
  write(target: U, bytes: Uint8Array): PromiseLike<void>;
}

/** Asks where, then writes there; resolves to the chosen target, or undefined when the user cancelled. */
export async function saveExport<U>(req: ExportRequest, deps: SaveDeps<U>): Promise<U | undefined> {
  const target = await deps.pick(req.fileName, FILTERS[req.format]);
  if (target === undefined) return undefined;
  await deps.write(target, exportBytes(req));
  return target;
}
