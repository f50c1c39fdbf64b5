// One partition of the embedded bus: a directory of segment files of CRC-framed records, named by the
// offset of their first record. Appends go to the newest segment, one after another, and are fsynced
// before they resolve and before readers see them (the fsync runs off the event loop); a segment past
// `segmentBytes` is sealed and a new one started. Retention deletes whole sealed segments
// (never the newest). The offset index is sparse (one byte position per `indexEvery` records), so memory
// grows by a fraction of a byte per record. On open every segment is scanned and a torn tail (a crash
// mid-append) is cut from the newest one. Only the newest segment keeps a file open; a read of a sealed one
// opens and closes it. With fsync on, creating, renaming and deleting segment files is made durable too.
import { closeSync, constants, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { createSerial } from '../serial.ts';
import type { BusRecord } from './types.ts';

// Frame: u32 body length | u32 crc32(body) | body = f64 timestamp | u16 key length | key | value
const FRAME_HEADER = 8;
const BODY_FIXED = 10;
const SCAN_CHUNK = 1 << 20;

/** A message ready to append to this partition. */
export interface LogAppend {
  key: string;
  value: Buffer;
  timestampMs: number;
}

export interface PartitionLogOptions {
  fsync: boolean;
  /** A segment is sealed once it holds this many bytes. */
  segmentBytes: number;
  /** Records per sparse index entry. */
  indexEvery?: number;
  /** Wall clock, for segment ages (retention goes by when a segment was last written, not record times). */
  now?: () => number;
}

interface Segment {
  /** Offset of the segment's first record. */
  base: number;
  path: string;
  /** Open only for the newest segment (-1 when closed). */
  fd: number;
  size: number;
  count: number;
  /** Byte position of records base, base + indexEvery, ... */
  index: number[];
  /** Wall-clock time of the segment's last write (file mtime when opened). */
  writtenAtMs: number;
}

const segmentName = (base: number) => `${String(base).padStart(20, '0')}.log`;

const fdatasyncAsync = promisify(fdatasync);

export class PartitionLog {
  private readonly segments: Segment[] = [];
  /** Appends run in order, one at a time. */
  private readonly appends = createSerial();
  private readonly indexEvery: number;
  /** Bytes cut from a torn tail when the log was opened (0 when clean). */
  readonly truncatedBytes: number;
  /** Bytes after a corrupt frame in sealed segments, found on open: those records are skipped. */
  readonly unreadableBytes: number;

  /**
   * Opens (creating when absent) the partition under `dir`. A single-file log from before segments
   * (`legacyFile`) becomes the first segment.
   */
  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    private readonly options: PartitionLogOptions,
    legacyFile?: string,
  ) {
    this.indexEvery = options.indexEvery ?? 64;
    mkdirSync(dir, { recursive: true });
    if (legacyFile !== undefined && existsSync(legacyFile)) {
      renameSync(legacyFile, join(dir, segmentName(0)));
      this.syncDir();
    }
    const bases = readdirSync(dir)
      .filter((name) => /^\d{20}\.log$/.test(name))
      .map((name) => Number(name.slice(0, 20)))
      .sort((a, b) => a - b);
    let truncated = 0;
    let unreadable = 0;
    for (const [i, base] of bases.entries()) {
      const segment = this.openSegment(base);
      const bad = this.scan(segment, i === bases.length - 1);
      if (i === bases.length - 1) truncated = bad;
      else {
        unreadable += bad;
        this.closeSegment(segment);
      }
      this.segments.push(segment);
    }
    if (this.segments.length === 0) this.segments.push(this.openSegment(0));
    this.truncatedBytes = truncated;
    this.unreadableBytes = unreadable;
  }

  /** The offset the next append gets. */
  endOffset(): number {
    const last = this.active();
    return last.base + last.count;
  }

  /** The oldest offset still held (records below it were deleted by retention). */
  startOffset(): number {
    return this.segments[0]!.base;
  }

  /** Bytes held on disk. */
  sizeBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /**
   * Append messages after the appends before them; resolves once they are written (durable when fsync is
   * on) and readable. A failed append leaves the log as it was, and later appends still run.
   */
  append(messages: readonly LogAppend[]): Promise<void> {
    return this.appends.run(() => this.write(messages));
  }

  /** Resolves once the appends made so far have settled (before closing the log). */
  settled(): Promise<void> {
    return this.appends.settled();
  }

  private async write(messages: readonly LogAppend[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.active().size >= this.options.segmentBytes) this.roll();
    const segment = this.active();
    const frames: Buffer[] = [];
    const indexed: number[] = [];
    let position = segment.size;
    let count = segment.count;
    for (const message of messages) {
      const key = Buffer.from(message.key, 'utf8');
      const body = Buffer.allocUnsafe(BODY_FIXED + key.length + message.value.length);
      body.writeDoubleBE(message.timestampMs, 0);
      body.writeUInt16BE(key.length, 8);
      key.copy(body, BODY_FIXED);
      message.value.copy(body, BODY_FIXED + key.length);
      const header = Buffer.allocUnsafe(FRAME_HEADER);
      header.writeUInt32BE(body.length, 0);
      header.writeUInt32BE(crc32(body), 4);
      frames.push(header, body);
      if (count % this.indexEvery === 0) indexed.push(position);
      count++;
      position += FRAME_HEADER + body.length;
    }
    const data = Buffer.concat(frames);
    // The index moves only once the bytes are written and synced: a failed or short write (disk full)
    // leaves the log as it was, and the next append overwrites the partial bytes. Appends run one at a
    // time, so nothing else writes or rolls this segment while its fdatasync runs in the thread pool.
    const written = writeSync(segment.fd, data, 0, data.length, segment.size);
    if (written !== data.length) throw new Error(`short write to ${segment.path}: ${written} of ${data.length} bytes`);
    if (this.options.fsync) await fdatasyncAsync(segment.fd);
    segment.index.push(...indexed);
    segment.count = count;
    segment.size = position;
    segment.writtenAtMs = (this.options.now ?? Date.now)();
  }

  /**
   * Read up to `max` records from `offset` (fewer at the log end or a segment end), stopping before the
   * record that would take their values past `maxBytes` (the first record is always read). An offset below
   * the start of the log reads from the start: retention deleted what was below it.
   */
  read(offset: number, max: number, maxBytes = Number.POSITIVE_INFINITY): BusRecord[] {
    const from = Math.max(offset, this.startOffset());
    const segment = this.segmentOf(from);
    if (segment === undefined || max <= 0) return [];
    const relative = from - segment.base;
    if (relative >= segment.count) {
      // Past a sealed segment's last whole record (only a corrupt sealed segment ends early): go on with the
      // next segment, so the consumer sees an offset gap instead of waiting forever.
      const next = this.segments[this.segments.indexOf(segment) + 1];
      return next === undefined ? [] : this.read(next.base, max, maxBytes);
    }
    const slot = Math.floor(relative / this.indexEvery);
    let skip = relative - slot * this.indexEvery;
    const wanted = Math.min(max, segment.count - relative);
    const records: BusRecord[] = [];
    let bytes = 0;
    let o = segment.base + slot * this.indexEvery;
    // Read from the index entry at or before the first record to the one after the last: one read call.
    const to = segment.index[Math.floor((relative + wanted - 1) / this.indexEvery) + 1] ?? segment.size;
    this.frames(segment, segment.index[slot]!, to, (body) => {
      if (skip > 0) {
        skip--;
        o++;
        return true;
      }
      const keyLength = body.readUInt16BE(8);
      const valueBytes = body.length - BODY_FIXED - keyLength;
      if (records.length > 0 && bytes + valueBytes > maxBytes) return false;
      bytes += valueBytes;
      records.push({
        topic: this.topic,
        partition: this.partition,
        offset: o++,
        timestampMs: body.readDoubleBE(0),
        key: body.toString('utf8', BODY_FIXED, BODY_FIXED + keyLength),
        // a view into the chunk read from the segment, not a copy: the chunk (at most SCAN_CHUNK, or one
        // frame) stays alive while any record read from it does
        value: body.subarray(BODY_FIXED + keyLength),
      });
      return records.length < wanted;
    });
    return records;
  }

  /**
   * Deletes sealed segments, oldest first, last written before `cutoffMs` and holding only records below
   * `keepFrom` (the oldest offset a consumer still needs). The newest record always stays (producers such as
   * the synthetic collector resume from it). Returns the number deleted.
   */
  deleteSegmentsBefore(cutoffMs: number, keepFrom: number): number {
    let deleted = 0;
    while (this.segments.slice(1).some((segment) => segment.count > 0)) {
      const oldest = this.segments[0]!;
      if (oldest.writtenAtMs >= cutoffMs || oldest.base + oldest.count > keepFrom) break;
      unlinkSync(oldest.path);
      this.closeSegment(oldest);
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0) this.syncDir();
    return deleted;
  }

  close(): void {
    for (const segment of this.segments) this.closeSegment(segment);
  }

  private active(): Segment {
    return this.segments.at(-1)!;
  }

  private segmentOf(offset: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.base <= offset) lo = mid;
      else hi = mid - 1;
    }
    const segment = this.segments[lo];
    return segment !== undefined && segment.base <= offset ? segment : undefined;
  }

  private openSegment(base: number): Segment {
    const path = join(this.dir, segmentName(base));
    // Read-write without O_APPEND: appends write at the log's own end position, so bytes of a failed
    // write are overwritten by the next append instead of staying in the middle of the log.
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    return { base, path, fd, size: 0, count: 0, index: [], writtenAtMs: fstatSync(fd).mtimeMs };
  }

  private closeSegment(segment: Segment): void {
    if (segment.fd >= 0) closeSync(segment.fd);
    segment.fd = -1;
  }

  /** Makes file creations, renames and deletions in the partition directory durable (fsync on). */
  private syncDir(): void {
    if (!this.options.fsync) return;
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Seals the active segment (made durable, its file closed) and starts the next one at the log end. */
  private roll(): void {
    const sealed = this.active();
    if (this.options.fsync) fdatasyncSync(sealed.fd);
    const next = this.openSegment(sealed.base + sealed.count);
    this.syncDir();
    this.closeSegment(sealed);
    this.segments.push(next);
  }

  /**
   * Calls `visit` with the body and byte position of each whole, CRC-valid frame in [from, to) until it
   * returns false. Returns the position after the last frame visited in full (where a torn or corrupt frame
   * starts).
   */
  private frames(segment: Segment, from: number, to: number, visit: (body: Buffer, position: number) => boolean): number {
    let position = from;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkAt = from;
    for (;;) {
      if (position + FRAME_HEADER > to) return position;
      if (position + FRAME_HEADER > chunkAt + chunk.length) {
        chunk = this.readAt(segment, position, Math.min(to - position, SCAN_CHUNK));
        chunkAt = position;
        if (chunk.length < FRAME_HEADER) return position;
      }
      const length = chunk.readUInt32BE(position - chunkAt);
      if (length < BODY_FIXED || position + FRAME_HEADER + length > to) return position;
      if (position + FRAME_HEADER + length > chunkAt + chunk.length) {
        chunk = this.readAt(segment, position, Math.min(to - position, Math.max(SCAN_CHUNK, FRAME_HEADER + length)));
        chunkAt = position;
        if (chunk.length < FRAME_HEADER + length) return position;
      }
      const at = position - chunkAt;
      const body = chunk.subarray(at + FRAME_HEADER, at + FRAME_HEADER + length);
      if (crc32(body) !== chunk.readUInt32BE(at + 4)) return position;
      const framePosition = position;
      position += FRAME_HEADER + length;
      if (!visit(body, framePosition)) return position;
    }
  }

  private readAt(segment: Segment, position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    const fd = segment.fd >= 0 ? segment.fd : openSync(segment.path, 'r');
    try {
      return out.subarray(0, readSync(fd, out, 0, length, position));
    } finally {
      if (fd !== segment.fd) closeSync(fd);
    }
  }

  /**
   * Indexes every whole record of a segment; in the newest one, cuts anything after the first bad frame.
   * Returns the bytes after the last good frame.
   */
  private scan(segment: Segment, newest: boolean): number {
    const fileSize = fstatSync(segment.fd).size;
    const end = this.frames(segment, 0, fileSize, (_body, position) => {
      if (segment.count % this.indexEvery === 0) segment.index.push(position);
      segment.count++;
      return true;
    });
    segment.size = end;
    if (end < fileSize && newest) {
      ftruncateSync(segment.fd, end);
      fdatasyncSync(segment.fd);
    }
    return fileSize - end;
  }
}
