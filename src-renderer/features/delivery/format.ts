// The words and numbers of delivery as a colorist reads them.
import type { ExportRaster, MasterFormat, MasteringPreset } from '../../../src-main/common/contract';

export const FORMATS: { value: MasterFormat; label: string; ext: string }[] = [
  { value: 'hdr10-hevc', label: 'HDR10 HEVC (MP4)', ext: '.mp4' },
  { value: 'prores4444xq', label: 'ProRes 4444 XQ (MOV)', ext: '.mov' },
  { value: 'prores422hq', label: 'ProRes 422 HQ (MOV)', ext: '.mov' },
  // A folder of numbered frames.
  { value: 'tiff16', label: '16-bit TIFF sequence (folder)', ext: '' },
];

export const RASTER_CHOICES: { value: ExportRaster; label: string }[] = [
  { value: 'rendered', label: 'As rendered' },
  { value: 'uhd', label: 'UHD 3840×2160' },
];

export const MASTERING: { value: MasteringPreset; label: string }[] = [
  { value: 'p3-1000', label: 'P3-D65 1000 nits' },
  { value: 'bt2020-1000', label: 'BT.2020 1000 nits' },
  { value: 'p3-4000', label: 'P3-D65 4000 nits' },
];

/** What a default master's name ends with, per format: `Demo-hdr10.mp4`, `Demo-4444xq.mov`, ... */
const NAME_SUFFIX: Record<MasterFormat, string> = {
  'hdr10-hevc': '-hdr10',
  prores4444xq: '-4444xq',
  prores422hq: '-422hq',
  tiff16: '-tiff16',
};

/**
 * The output path for another format: the extension it writes (none for a TIFF folder), and a name that ended
 * with a format's suffix (the default names) ending with this one's. A name the colorist chose keeps its words.
 */
export function withFormatExtension(path: string, format: MasterFormat): string {
  const ext = FORMATS.find((f) => f.value === format)?.ext ?? '';
  const stem = path.replace(/\.(mp4|mov)$/i, '');
  const suffix = Object.values(NAME_SUFFIX).find((s) => stem.endsWith(s));
  return (suffix ? stem.slice(0, -suffix.length) + NAME_SUFFIX[format] : stem) + ext;
}

export function defaultOutputPath(root: string | undefined, projectName: string, format: MasterFormat): string {
  if (!root) return '';
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  const name = `${projectName.replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '') || 'master'}${NAME_SUFFIX[format]}`;
  return withFormatExtension(`${root.replace(/[\\/]+$/, '')}${sep}${name}`, format);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatNits(n: number | null): string {
  return n === null ? '–' : `${Math.round(n)} nits`;
}
