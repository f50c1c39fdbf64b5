// One partition of the embedded bus: an append-only file of CRC-framed records with an in-memory offset
// index. Appends are fsynced before they resolve; on open a torn tail (a crash mid-append) is cut off.
// Does not do retention or compaction: the log grows until the operator removes it (see README).
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { BusRecord } from './types.ts';

// Frame: u32 body length | u32 crc32(body) | body = f64 timestamp | u16 key length | key | value
const FRAME_HEADER = 8;
const BODY_FIXED = 10;

/** A message ready to append to this partition. */
export interface LogAppend {
  key: string;
  value: Buffer;
  timestampMs: number;
}

export class PartitionLog {
  private readonly fd: number;
  /** Byte position of each offset; positions.length is the log end offset. */
  private readonly positions: number[] = [];
  private size = 0;
  /** Bytes cut from a torn tail when the log was opened (0 when clean). */
  readonly truncatedBytes: number;

  constructor(
    readonly path: string,
    readonly topic: string,
    readonly partition: number,
    private readonly fsync: boolean,
  ) {
    this.fd = openSync(path, 'a+');
    this.truncatedBytes = this.recover();
  }

  /** The offset the next append gets. */
  endOffset(): number {
    return this.positions.length;
  }

  /** Append messages; durable on return when fsync is on. */
  append(messages: readonly LogAppend[]): void {
    if (messages.length === 0) return;
    const frames: Buffer[] = [];
    let position = this.size;
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
      this.positions.push(position);
      position += FRAME_HEADER + body.length;
    }
    const data = Buffer.concat(frames);
    writeSync(this.fd, data, 0, data.length, this.size);
    if (this.fsync) fdatasyncSync(this.fd);
    this.size = position;
  }

  /** Read up to `max` records starting at `offset` (fewer at the log end). */
  read(offset: number, max: number): BusRecord[] {
    const end = Math.min(this.positions.length, offset + max);
    if (offset >= end) return [];
    const start = this.positions[offset]!;
    const stop = end < this.positions.length ? this.positions[end]! : this.size;
    const data = Buffer.allocUnsafe(stop - start);
    readSync(this.fd, data, 0, data.length, start);
    const records: BusRecord[] = [];
    let cursor = 0;
    for (let o = offset; o < end; o++) {
      const length = data.readUInt32BE(cursor);
      const body = data.subarray(cursor + FRAME_HEADER, cursor + FRAME_HEADER + length);
      const keyLength = body.readUInt16BE(8);
      records.push({
        topic: this.topic,
        partition: this.partition,
        offset: o,
        timestampMs: body.readDoubleBE(0),
        key: body.toString('utf8', BODY_FIXED, BODY_FIXED + keyLength),
        // Copy: the caller may keep the value after the next read reuses nothing, but be explicit.
        value: Buffer.from(body.subarray(BODY_FIXED + keyLength)),
      });
      cursor += FRAME_HEADER + length;
    }
    return records;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Scan the file, index every whole record, and cut anything after the first torn or corrupt frame. */
  private recover(): number {
    const fileSize = fstatSync(this.fd).size;
    const header = Buffer.allocUnsafe(FRAME_HEADER);
    let position = 0;
    while (position + FRAME_HEADER <= fileSize) {
      readSync(this.fd, header, 0, FRAME_HEADER, position);
      const length = header.readUInt32BE(0);
      if (length < BODY_FIXED || position + FRAME_HEADER + length > fileSize) break;
      const body = Buffer.allocUnsafe(length);
      readSync(this.fd, body, 0, length, position + FRAME_HEADER);
      if (crc32(body) !== header.readUInt32BE(4)) break;
      this.positions.push(position);
      position += FRAME_HEADER + length;
    }
    if (position < fileSize) {
      ftruncateSync(this.fd, position);
      fdatasyncSync(this.fd);
    }
    this.size = position;
    return fileSize - position;
  }
}
