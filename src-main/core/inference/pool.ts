// The inference workers of a core or a command: one per model file, since a worker holds one model. The primary
// one runs the app's model; a shot whose content needs a variant file (animation & graphics) gets a worker of its
// own, started on first use and kept until close.
import type { ShotContent } from '../../common/colour';
import type { InferenceClient } from './client';
import { modelForContent } from './models';

export class ModelPool {
  private readonly others = new Map<string, InferenceClient>();

  constructor(
    readonly primary: InferenceClient,
    /** The file the primary client loads. */
    readonly primaryPath: string,
    private readonly start: (modelPath: string) => InferenceClient,
  ) {}

  /** The model file a shot with this content runs. */
  pathFor(content: ShotContent): string {
    return modelForContent(this.primaryPath, content);
  }

  /** The worker for a model file. */
  client(modelPath: string): InferenceClient {
    if (modelPath === this.primaryPath) return this.primary;
    let c = this.others.get(modelPath);
    if (!c) this.others.set(modelPath, (c = this.start(modelPath)));
    return c;
  }

  /** The status bar's Restart: the primary worker starts again; a variant's starts again on its next use. */
  async restart(): Promise<void> {
    const others = [...this.others.values()];
    this.others.clear();
    await Promise.all(others.map((c) => c.close()));
    await this.primary.restart();
  }

  async close(): Promise<void> {
    const all = [this.primary, ...this.others.values()];
    this.others.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
