// Fixed-size numeric records for many series at rest: slot k is `stride` float64s in chunks of 512 slots,
// so a series costs its numbers and nothing else (an ArrayBuffer of its own adds ~300-450 bytes of object,
// backing-store and allocator headers; an object form boxes every field). A freed slot is handed out again
// (zeroed) before the slab grows; chunks are never given back, a partition's state lives as long as the
// partition. Pure; no IO.

/** Where a slot's numbers are: `data[at]` .. `data[at + stride - 1]`. */
export interface SlotView {
  data: Float64Array;
  at: number;
}

export interface Slab {
  /** Numbers per slot. */
  readonly stride: number;
  /** Slots allocated so far (0 .. size-1 are valid). */
  readonly size: number;
  /** A slot, all zeros: a freed one if any, else a new one; returns its number. */
  alloc(): number;
  /** Gives `slot` back for a later alloc(); its numbers must not be used any more. */
  free(slot: number): void;
  /** The chunk holding `slot` and the slot's first index in it (written into `into` and returned). */
  view(slot: number, into?: SlotView): SlotView;
}

/** An empty slab of `stride`-number slots, allocated `chunkSlots` at a time. */
export function createSlab(stride: number, chunkSlots = 512): Slab {
  if (!Number.isInteger(stride) || stride <= 0) throw new RangeError(`slab stride must be a positive integer, got ${stride}`);
  const chunks: Float64Array[] = [];
  const freed: number[] = [];
  const isFree = new Set<number>();
  let size = 0;
  const view = (slot: number, into: SlotView = { data: chunks[0]!, at: 0 }): SlotView => {
    if (!(slot >= 0 && slot < size) || isFree.has(slot)) throw new RangeError(`slot ${slot} is not allocated (size ${size})`);
    into.data = chunks[Math.floor(slot / chunkSlots)]!;
    into.at = (slot % chunkSlots) * stride;
    return into;
  };
  return {
    stride,
    get size() { return size; },
    alloc(): number {
      const reused = freed.pop();
      if (reused !== undefined) {
        isFree.delete(reused);
        const { data, at } = view(reused);
        data.fill(0, at, at + stride);
        return reused;
      }
      if (size % chunkSlots === 0) chunks.push(new Float64Array(chunkSlots * stride));
      return size++;
    },
    free(slot: number): void {
      view(slot); // throws for a slot not allocated, or freed already
      isFree.add(slot);
      freed.push(slot);
    },
    view,
  };
}
