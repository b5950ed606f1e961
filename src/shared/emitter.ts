// The one event pattern of Hatch's own code: a typed list of listeners, where subscribing
// returns its own undo. (Node's EventEmitter stays where a library hands us one.)

export type Unsubscribe = () => void;

export class Emitter<Args extends unknown[] = []> {
  private readonly listeners = new Set<(...args: Args) => void>();

  /** Call `listener` on every emit until the returned function is called. */
  on(listener: (...args: Args) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(...args: Args): void {
    for (const listener of this.listeners) listener(...args);
  }

  get size(): number {
    return this.listeners.size;
  }

  clear(): void {
    this.listeners.clear();
  }
}
