// Fixed-size numeric records for many series at rest: slot k is `stride` float64s in chunks of 512 slots,
// so a series costs its numbers and nothing else (a Float64Array of its own adds ~180 bytes of object and
// backing-store headers; an object form boxes every field). Slots are never freed; a partition's state
// lives as long as the partition. Pure; no IO.

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
  /** A new slot, all zeros; returns its number. */
  alloc(): number;
  /** The chunk holding `slot` and the slot's first index in it (written into `into` and returned). */
  view(slot: number, into?: SlotView): SlotView;
}

/** An empty slab of `stride`-number slots, allocated `chunkSlots` at a time. */
export function createSlab(stride: number, chunkSlots = 512): Slab {
  if (!Number.isInteger(stride) || stride <= 0) throw new RangeError(`slab stride must be a positive integer, got ${stride}`);
  const chunks: Float64Array[] = [];
  let size = 0;
  return {
    stride,
    get size() { return size; },
    alloc(): number {
      if (size % chunkSlots === 0) chunks.push(new Float64Array(chunkSlots * stride));
      return size++;
    },
    view(slot: number, into: SlotView = { data: chunks[0]!, at: 0 }): SlotView {
      if (!(slot >= 0 && slot < size)) throw new RangeError(`slot ${slot} is not allocated (size ${size})`);
      into.data = chunks[Math.floor(slot / chunkSlots)]!;
      into.at = (slot % chunkSlots) * stride;
      return into;
    },
  };
}
