// Whether this machine shows a GPU at all, without loading any GPU library.
import { readdirSync } from 'node:fs';

/** Linux GPUs show up as DRM render nodes (Mesa, and NVIDIA with its DRM module) or NVIDIA's own device files;
 *  elsewhere the OS's own APIs (DirectML, CoreML, Metal) are always worth a try, so the answer is yes. */
export function gpuDevicePresent(platform: string = process.platform): boolean {
  if (platform !== 'linux') return true;
  const names = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return names('/dev/dri').some((n) => n.startsWith('renderD')) || names('/dev').some((n) => /^nvidia\d+$/.test(n));
}
