// SQL for the settings table: one-off facts about this library (e.g. whether the demo project was made).
import type { Db } from './db';

export const selectSetting = (db: Db, key: string): string | undefined =>
  (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;

export function upsertSetting(db: Db, key: string, value: string): void {
  db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value);
}
