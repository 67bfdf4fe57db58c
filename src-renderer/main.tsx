import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { connectApi } from './api';

const root = createRoot(document.getElementById('root')!);
connectApi().then(
  (api) => root.render(<App api={api} />),
  (e: unknown) => {
    root.render(
      <div style={{ color: '#eee', background: '#111', font: '14px system-ui', padding: 24, height: '100vh' }}>
        <h2>Remaster cannot reach its host</h2>
        <p>{e instanceof Error ? e.message : String(e)}</p>
      </div>,
    );
  },
);
