/** A binary min-heap of items by ready time: the delaying queue's waiting room. */
export interface Waiting<T> {
  item: T;
  readyAt: number;
  /** Insertion order: items ready at the same time leave in the order they came. */
  seq: number;
}

export class DelayHeap<T> {
  private readonly heap: Waiting<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Waiting<T> | undefined {
    return this.heap[0];
  }

  push(entry: Waiting<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Waiting<T>, heap[parent] as Waiting<T>)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  pop(): Waiting<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as Waiting<T>, heap[smallest] as Waiting<T>)) smallest = left;
      if (right < heap.length && before(heap[right] as Waiting<T>, heap[smallest] as Waiting<T>)) smallest = right;
      if (smallest === i) break;
      swap(heap, i, smallest);
      i = smallest;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

function before<T>(a: Waiting<T>, b: Waiting<T>): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}

function swap<T>(heap: T[], i: number, j: number): void {
  const t = heap[i] as T;
  heap[i] = heap[j] as T;
  heap[j] = t;
}
