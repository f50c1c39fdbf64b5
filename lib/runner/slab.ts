// Fixed-size numeric records for many series at rest: slot k is `stride` float64s in chunks (512 slots by
// default), so a series costs its numbers and nothing else (an ArrayBuffer of its own adds ~300-450 bytes of
// object, backing-store and allocator headers; an object form boxes every field). A freed slot is handed
// out again (zeroed) before the slab grows, and a chunk with no slot in use gives its memory back. Pure; no IO.

/** Where a slot's numbers are: `data[at]` .. `data[at + stride - 1]`. */
export interface SlotView {
  data: Float64Array;
  at: number;
}

export interface Slab {
  /** Numbers per slot. */
  readonly stride: number;
  /** Slots handed out so far, freed ones included (slot numbers are below this). */
  readonly size: number;
  /** Chunks holding memory (those with a slot in use). */
  readonly heldChunks: number;
  /** A slot, all zeros: a freed one if any, else a new one; returns its number. */
  alloc(): number;
  /** Gives `slot` back for a later alloc(); its numbers must not be used any more. */
  free(slot: number): void;
  /** The chunk holding `slot` and the slot's first index in it (written into `into` and returned). */
  view(slot: number, into?: SlotView): SlotView;
}

/**
 * An empty slab of `stride`-number slots, allocated `chunkSlots` at a time. A chunk whose slots are all
 * free gives its numbers back, and is allocated again (zeroed) when one of its slots is handed out.
 */
export function createSlab(stride: number, chunkSlots = 512): Slab {
  if (!Number.isInteger(stride) || stride <= 0) throw new RangeError(`slab stride must be a positive integer, got ${stride}`);
  const chunks: (Float64Array | null)[] = [];
  const freeFlags: Uint8Array[] = []; // per chunk: 1 where the slot is free
  const live: number[] = []; // per chunk: slots in use
  const freed: number[] = [];
  let size = 0;
  const view = (slot: number, into: SlotView = { data: chunks[0]!, at: 0 }): SlotView => {
    const c = Math.floor(slot / chunkSlots);
    const i = slot % chunkSlots;
    if (!(slot >= 0 && slot < size) || freeFlags[c]![i] === 1) throw new RangeError(`slot ${slot} is not allocated (size ${size})`);
    into.data = chunks[c]!;
    into.at = i * stride;
    return into;
  };
  return {
    stride,
    get size() { return size; },
    get heldChunks() { return chunks.filter((chunk) => chunk !== null).length; },
    alloc(): number {
      const reused = freed.pop();
      if (reused === undefined) {
        if (size % chunkSlots === 0) {
          chunks.push(new Float64Array(chunkSlots * stride));
          freeFlags.push(new Uint8Array(chunkSlots));
          live.push(0);
        }
        live[Math.floor(size / chunkSlots)]!++;
        return size++;
      }
      const c = Math.floor(reused / chunkSlots);
      const i = reused % chunkSlots;
      freeFlags[c]![i] = 0;
      live[c]!++;
      const chunk = chunks[c];
      if (chunk === null || chunk === undefined) chunks[c] = new Float64Array(chunkSlots * stride);
      else chunk.fill(0, i * stride, (i + 1) * stride);
      return reused;
    },
    free(slot: number): void {
      view(slot); // throws for a slot not allocated, or freed already
      const c = Math.floor(slot / chunkSlots);
      freeFlags[c]![slot % chunkSlots] = 1;
      freed.push(slot);
      if (--live[c]! === 0) chunks[c] = null;
    },
    view,
  };
}
