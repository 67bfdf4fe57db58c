// The frame under the playhead, from the scrub proxy (well under 100 ms a frame).
import { Box, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { Clip } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { frameToTimecode } from './timecode';

export function Viewer({ clip, frame }: { clip: Clip | null; frame: number | null }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    if (!clip || frame === null) {
      setSrc(null);
      return;
    }
    let stale = false;
    void api.call('media.proxyFrame', { clipId: clip.id, frame }).then((r) => {
      if (stale) return;
      // Never leave another frame on screen under a caption saying something else.
      if (!r.ok) {
        setSrc(null);
        setNote(r.error.message);
      } else if (!r.value.path) {
        setSrc(null);
        setNote(clip.proxyState === 'building' ? 'Building scrub proxies…' : 'No proxy for this frame');
      } else {
        setNote(null);
        setSrc(api.mediaUrl(r.value.path));
      }
    });
    return () => {
      stale = true;
    };
  }, [api, clip, frame]);

  return (
    <Box sx={{ flex: 1, position: 'relative', bgcolor: '#000', display: 'flex', alignItems: 'center', justifyContent: 'center', overflow: 'hidden' }} data-testid="viewer">
      {src && (
        <Box
          component="img"
          src={src}
          alt=""
          data-testid="viewer-frame"
          onError={() => {
            setSrc(null);
            setNote('This frame could not be loaded (its proxy may be rebuilding)');
          }}
          sx={{ width: '100%', height: '100%', objectFit: 'contain' }}
        />
      )}
      {!clip && (
        <Typography color="text.secondary" variant="body2">
          Import footage to begin.
        </Typography>
      )}
      {note && (
        <Typography variant="caption" sx={{ position: 'absolute', top: 8, left: 12, color: 'text.secondary' }}>
          {note}
        </Typography>
      )}
      {clip && frame !== null && (
        <Typography variant="caption" sx={{ position: 'absolute', bottom: 8, right: 12, fontFamily: 'monospace', color: '#ddd', bgcolor: 'rgba(0,0,0,0.6)', px: 1 }} data-testid="viewer-timecode">
          {clip.name} · frame {frame} · {frameToTimecode(frame, clip.frameRate, clip.startTimecode)}
        </Typography>
      )}
    </Box>
  );
}
