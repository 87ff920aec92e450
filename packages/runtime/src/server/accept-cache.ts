/**
 * Remembers what an Accept header negotiated to. Clients send the same few headers on
 * every request (client-go's discovery Accept is ~200 bytes of three media ranges), and
 * parsing them was a measurable share of serving a cached document.
 */
export class AcceptCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly negotiate: (accept: string | undefined) => T,
    private readonly max = 64,
  ) {}

  get(accept: string | undefined): T {
    const key = accept ?? "";
    const hit = this.entries.get(key);
    if (hit !== undefined || this.entries.has(key)) return hit as T;
    const value = this.negotiate(accept);
    // Bounded: arbitrary headers from clients must not grow memory.
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}
