// Builds assets/demo/demo.mp4 (the "Demo project" clip) and assets/demo/cuts.json from photographs in Debian's
// plasma-workspace-wallpapers (see assets/README.md for each photo's author and licence).
//   node --import tsx assets/demo/build-demo.ts [--wallpapers /usr/share/wallpapers]
// 1280x720, 24000/1001 fps, 240 frames (~10 s), SDR BT.709 H.264 (yuv420p, narrow range, tagged), five shots with
// camera-like moves (pans, push-ins, a pull-out), three hard cuts and one 12-frame dissolve, timecode 01:00:00:00.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ffmpeg = process.env.REMASTER_FFMPEG ?? (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const at = process.argv.indexOf('--wallpapers');
const wallpapers = at > 0 ? process.argv[at + 1] : '/usr/share/wallpapers';
const out = join(__dirname, 'demo.mp4');
const RATE = '24000/1001';

interface Shot {
  photo: string;
  frames: number;
  /** zoompan expressions; `on` is the output frame number, `n` the shot's length. */
  z: string;
  x: string;
  y: string;
}

// Frame counts include the dissolve overlap: shot 3's last 12 frames mix into shot 4's first 12.
const DISSOLVE = 12;
const shots: Shot[] = [
  // 1: slow pan right across the boats at dusk
  { photo: 'EveningGlow', frames: 56, z: '1.25', x: '(iw-iw/zoom)*(0.1+0.8*on/N)', y: '(ih-ih/zoom)*0.55' },
  // 2: push in along the forest path
  { photo: 'Path', frames: 52, z: '1.05+0.25*on/N', x: '(iw-iw/zoom)/2', y: '(ih-ih/zoom)*0.6' },
  // 3: drifting tilt down over the fallen leaf (dissolves into 4)
  {
    photo: 'FallenLeaf',
    frames: 48 + DISSOLVE,
    z: '1.3+0.05*on/N',
    x: '(iw-iw/zoom)*0.55',
    y: '(ih-ih/zoom)*(0.2+0.6*on/N)',
  },
  // 4: pan left along the jetty boards
  { photo: 'BytheWater', frames: 48, z: '1.2', x: '(iw-iw/zoom)*(0.9-0.7*on/N)', y: '(ih-ih/zoom)*0.5' },
  // 5: slow pull-out over the lake at 1 am
  { photo: 'summer_1am', frames: 36, z: '1.35-0.25*on/N', x: '(iw-iw/zoom)/2', y: '(ih-ih/zoom)/2' },
];

const inputs: string[] = [];
const graph: string[] = [];
shots.forEach((s, i) => {
  inputs.push('-loop', '1', '-framerate', RATE, '-i', join(wallpapers, s.photo, 'contents', 'images', '1440x900.jpg'));
  const N = s.frames - 1;
  // Upscale first so zoompan's integer crop positions move in sub-pixel steps of the output.
  graph.push(
    `[${i}:v]scale=3840:-2:flags=lanczos,setsar=1,zoompan=z='${s.z.replace(/N/g, String(N))}':x='${s.x.replace(/N/g, String(N))}':y='${s.y.replace(/N/g, String(N))}':d=1:s=1280x720:fps=${RATE},trim=end_frame=${s.frames},setpts=PTS-STARTPTS,format=yuv420p[s${i}]`,
  );
});
// Dissolve shot 3 (index 2) into shot 4 (index 3).
const a = shots[2].frames - DISSOLVE;
graph.push(
  `[s2]split[s2a][s2b]`,
  `[s2a]trim=end_frame=${a},setpts=PTS-STARTPTS[s2h]`,
  `[s2b]trim=start_frame=${a},setpts=PTS-STARTPTS[s2t]`,
);
graph.push(
  `[s3]split[s3a][s3b]`,
  `[s3a]trim=end_frame=${DISSOLVE},setpts=PTS-STARTPTS[s3h]`,
  `[s3b]trim=start_frame=${DISSOLVE},setpts=PTS-STARTPTS[s3t]`,
);
graph.push(`[s2t][s3h]blend=all_expr='A*(1-(N+1)/${DISSOLVE + 1})+B*((N+1)/${DISSOLVE + 1})'[mix]`);
graph.push(`[s0][s1][s2h][mix][s3t][s4]concat=n=6:v=1:a=0,format=yuv420p[out]`);

execFileSync(
  ffmpeg,
  [
    '-v',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[out]',
    '-r',
    RATE,
    '-c:v',
    'libx264',
    '-preset',
    'slow',
    '-crf',
    process.env.DEMO_CRF ?? '25',
    '-g',
    '48',
    '-pix_fmt',
    'yuv420p',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-colorspace',
    'bt709',
    '-color_range',
    'tv',
    '-timecode',
    '01:00:00:00',
    '-movflags',
    '+faststart',
    out,
  ],
  { stdio: 'inherit' },
);

// Known cuts: first frame of each new shot (the dissolve as its span and middle).
let f = 0;
const cuts: { frame: number; kind: 'cut' | 'dissolve'; from?: number; to?: number }[] = [];
shots.forEach((s, i) => {
  if (i === 0) {
    f = s.frames;
    return;
  }
  if (i === 3) {
    const from = f - DISSOLVE;
    cuts.push({ kind: 'dissolve', frame: from + DISSOLVE / 2, from, to: f - 1 });
    f += s.frames - DISSOLVE;
  } else {
    cuts.push({ kind: 'cut', frame: f });
    f += s.frames;
  }
});
writeFileSync(
  join(__dirname, 'cuts.json'),
  JSON.stringify({ clip: 'demo.mp4', frames: f, frameRate: RATE, cuts }, null, 2) + '\n',
);
console.log(`wrote ${out} (${(statSync(out).size / 1e6).toFixed(2)} MB, ${f} frames) and cuts.json`);
