// Forecasters at rest in a partition: each series' packed forecaster (models/forecast/packed.ts) sits in a
// slot of a slab shared by every forecaster of the same packed size, so a series costs its bytes and a small
// reference, not a buffer of its own. The size follows the members combined and the width the packer chose
// for their numbers (float24, float32 or float64): about ten sizes in practice. A series that keeps its
// size (every hourly step, most refits) is written back into the same slot; one whose size changes moves
// to a slot of the new size. Slabs grow 32 slots at a time, and a chunk of 32 free slots gives its memory
// back (series that tier up together leave whole chunks behind). Pure; no IO.
import { packForecaster, unpackForecaster } from '../../models/forecast/packed.ts';
import type { ForecasterState } from '../../models/forecast/index.ts';
import { createSlab, type Slab } from '../../lib/runner/slab.ts';

/** Where a series' forecaster is: its shared label list, and its slot in the slab of `words` float64s. */
export interface HeldForecaster {
  readonly labels: readonly string[];
  readonly words: number;
  readonly slot: number;
}

/** Slots per slab chunk: small enough for partitions with few series of a size, large enough to share the chunk's headers. */
const CHUNK_SLOTS = 32;

/** A partition's slabs, by slot size in float64 words. */
export type ForecasterSlabs = Map<number, Slab>;

/** Label lists shared by every series whose forecaster has the same model and members (a handful in all). */
const sharedLabels = new Map<string, readonly string[]>();

function shared(labels: readonly string[]): readonly string[] {
  const key = labels.join('\u0000');
  let known = sharedLabels.get(key);
  if (known === undefined) sharedLabels.set(key, (known = Object.freeze([...labels])));
  return known;
}

function slabOf(slabs: ForecasterSlabs, words: number): Slab {
  let slab = slabs.get(words);
  if (slab === undefined) slabs.set(words, (slab = createSlab(words, CHUNK_SLOTS)));
  return slab;
}

/** The bytes of `held`'s slot. */
function slotBytes(slabs: ForecasterSlabs, held: HeldForecaster): Uint8Array {
  const { data, at } = slabOf(slabs, held.words).view(held.slot);
  return new Uint8Array(data.buffer, data.byteOffset + 8 * at, 8 * held.words);
}

/** Packs `state` into the slot of `previous` (the series' forecaster so far) if it has its size, else into a new slot. */
export function holdForecaster(slabs: ForecasterSlabs, previous: HeldForecaster | null, state: ForecasterState): HeldForecaster {
  const packed = packForecaster(state);
  const words = Math.ceil(packed.bytes.byteLength / 8);
  const labels = shared(packed.labels);
  const sameSize = previous !== null && previous.words === words;
  if (previous !== null && !sameSize) releaseForecaster(slabs, previous);
  const slot = sameSize ? previous.slot : slabOf(slabs, words).alloc();
  const held = sameSize && previous.labels === labels ? previous : { labels, words, slot };
  const bytes = slotBytes(slabs, held);
  bytes.set(packed.bytes);
  bytes.fill(0, packed.bytes.byteLength); // padding, so equal states give equal slots
  return held;
}

/** The forecaster held in `held`'s slot, as fresh objects. */
export function heldForecaster(slabs: ForecasterSlabs, held: HeldForecaster): ForecasterState {
  return unpackForecaster({ labels: held.labels, bytes: slotBytes(slabs, held) });
}

/** Gives `held`'s slot back (the series started over or moved to another size). */
export function releaseForecaster(slabs: ForecasterSlabs, held: HeldForecaster): void {
  slabOf(slabs, held.words).free(held.slot);
}
