// Events are pushed to every connected renderer, never polled.
import { events, type EventName, type EventPayload } from '../common/contract';

export type EventListener = (event: EventName, payload: unknown) => void;

export class EventHub {
  private listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Validate on the way out too: a malformed event is our bug and must not reach a renderer.
    const parsed = events[event].parse(payload);
    for (const l of this.listeners) l(event, parsed);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
