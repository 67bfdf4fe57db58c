// Picking files for import or relink: the desktop's own dialog under Electron; the host's media browser
// (shown by the caller while `browse` is true) in browser mode or after a failed attempt.
import { useEffect, useState } from 'react';
import { useApi } from '../../api';

export function usePickFiles(opts: {
  active: boolean;
  key: string;
  title: string;
  multiple: boolean;
  onClose(): void;
  use(files: string[]): Promise<string | null>;
}) {
  const api = useApi();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [browse, setBrowse] = useState(false);
  // Each opening starts clean: no leftover selection, error or browser from the last one.
  const close = () => {
    setPicked(new Set());
    setError(null);
    setBrowse(false);
    opts.onClose();
  };
  /** Hands the files to `use`; its error message (if any) keeps the browser open with the error shown. */
  const submit = async (files: string[]) => {
    const failure = await opts.use(files);
    if (failure) {
      setError(failure);
      setBrowse(true);
    } else close();
  };

  useEffect(() => {
    if (!opts.active) return;
    setError(null);
    setBrowse(false);
    void api.call('dialog.pickMedia', { title: opts.title, multiple: opts.multiple }).then((r) => {
      if (r.ok && r.value.files) {
        if (r.value.files.length) void submit(r.value.files);
        else close();
      } else setBrowse(true);
    });
  }, [opts.active, opts.key]);

  return { picked, setPicked, error, browse, close, submit };
}
