// Debian's Chromium driven by Playwright. Never `npx playwright install`: no browser downloads here.
import { chromium, type Browser } from 'playwright';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.REMASTER_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Software WebGL2 (SwiftShader) for the preview shaders; WebGPU has no adapter here.
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
    ],
  });
}
