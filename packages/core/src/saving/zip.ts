/**
 * The zip container of `.keras` files.
 *
 * Writing goes through fflate's `zipSync` with every entry STORED (level 0), as Keras writes
 * them. Reading parses the central directory here rather than with `unzipSync`, because a
 * loader of untrusted files must check what fflate does not: every offset and size against the
 * buffer, the CRC-32 of every entry (so a flipped byte is reported instead of loading wrong
 * weights), and the size of inflated entries before allocating. DEFLATE entries (a file
 * re-zipped by hand) are inflated with fflate. Zip64 records are read; encryption is refused.
 *
 * Not here: writing zip64 (entries over 4 GiB), multi-disk archives.
 */
import { inflateSync, zipSync, type Zippable } from "fflate";
import { CorruptedFileError, UnsupportedFeatureError } from "./errors";
import { decodeUtf8 } from "./text";

let crcTable: Int32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, as zip uses it).
 * @example crc32(new TextEncoder().encode("abc")) // 0x352441c2
 */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** One entry to write: its bytes and the time stamped on it (default: now). */
export interface ZipWriteEntry {
  name: string;
  data: Uint8Array;
  mtime?: Date;
}

/**
 * Builds a zip archive with every entry STORED, in the given order.
 * @example writeZip([{ name: "a.txt", data: new TextEncoder().encode("hi") }]);
 */
export function writeZip(entries: readonly ZipWriteEntry[]): Uint8Array {
  const files: Zippable = {};
  for (const e of entries) files[e.name] = [e.data, { level: 0, mtime: e.mtime ?? new Date() }];
  return zipSync(files);
}

/** A parsed entry: name, compression method (0 STORED, 8 DEFLATE), sizes and CRC-32. */
export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
}

/** A parsed archive: entry names in central-directory order and their (verified) contents. */
export interface ZipArchive {
  entries: ZipEntryInfo[];
  /** The bytes of an entry, CRC-checked; throws CorruptedFileError if it is damaged. */
  read(name: string): Uint8Array;
  has(name: string): boolean;
}

const corrupt = (what: string, received: string): CorruptedFileError =>
  new CorruptedFileError(
    `The .keras file is truncated or corrupted: ${what}. Received: ${received}`,
  );

/** Largest entry we inflate (2 GiB); beyond it a typed array cannot be allocated anyway. */
const MAX_ENTRY_BYTES = 2 ** 31 - 1;

/**
 * Parses a zip archive, checking every structure against the buffer's bounds.
 * @example const zip = readZip(bytes); const config = zip.read("config.json");
 */
export function readZip(bytes: Uint8Array): ZipArchive {
  const n = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => {
    if (o < 0 || o + 2 > n) throw corrupt("a record runs past the end of the file", `${n} bytes`);
    return view.getUint16(o, true);
  };
  const u32 = (o: number): number => {
    if (o < 0 || o + 4 > n) throw corrupt("a record runs past the end of the file", `${n} bytes`);
    return view.getUint32(o, true);
  };
  const u64 = (o: number): number => {
    const lo = u32(o);
    const hi = u32(o + 4);
    if (hi >= 2 ** 21) throw corrupt("a zip64 size or offset is too large", `high word ${hi}`);
    return hi * 2 ** 32 + lo;
  };
  if (n < 22) {
    const looksZip = n >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw corrupt(looksZip ? "the archive ends early" : "this is not a zip archive", `${n} bytes`);
  }
  // End of central directory: the last record, followed by at most a 64 KiB comment.
  let eocd = -1;
  for (let o = n - 22; o >= Math.max(0, n - 22 - 0xffff); o--) {
    if (view.getUint32(o, true) === 0x06054b50 && o + 22 + view.getUint16(o + 20, true) <= n) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) {
    const looksZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw corrupt(
      looksZip
        ? "the end-of-central-directory record is missing (the file was cut short)"
        : "this is not a zip archive",
      `${n} bytes starting with ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ")}`,
    );
  }
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0)
    throw new UnsupportedFeatureError(
      "Multi-disk (split) zip archives are not supported. Received: a split archive",
      "split zip",
    );
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // Zip64: the locator sits just before the EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) throw corrupt("the zip64 locator is missing", `EOCD at ${eocd}`);
    const rec = u64(loc + 8);
    if (u32(rec) !== 0x06064b50) throw corrupt("the zip64 end record is damaged", `offset ${rec}`);
    count = u64(rec + 32);
    cdSize = u64(rec + 40);
    cdOffset = u64(rec + 48);
  }
  if (cdOffset + cdSize > n || count > n / 46)
    throw corrupt("the central directory lies outside the file", `offset ${cdOffset}, size ${cdSize}, ${count} entries in ${n} bytes`);

  const entries: (ZipEntryInfo & { dataOffset: number; flags: number })[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (u32(p) !== 0x02014b50) throw corrupt(`central directory entry ${i} is damaged`, `offset ${p}`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc = u32(p + 16);
    let csize = u32(p + 20);
    let usize = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    let local = u32(p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > n) throw corrupt(`central directory entry ${i} is cut short`, `offset ${p}`);
    const name = decodeUtf8(bytes.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extra field: present values replace the 0xFFFFFFFF placeholders, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = u16(e);
      const len = u16(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (usize === 0xffffffff) {
          usize = u64(q);
          q += 8;
        }
        if (csize === 0xffffffff) {
          csize = u64(q);
          q += 8;
        }
        if (local === 0xffffffff) local = u64(q);
      }
      e += 4 + len;
    }
    if (flags & 1)
      throw new UnsupportedFeatureError(`Encrypted zip entries are not supported. Received: entry ${name}`, "encrypted zip");
    if (u32(local) !== 0x04034b50) throw corrupt(`the local header of '${name}' is damaged`, `offset ${local}`);
    const dataOffset = local + 30 + u16(local + 26) + u16(local + 28);
    if (dataOffset + csize > n) throw corrupt(`the data of '${name}' runs past the end of the file`, `${dataOffset + csize} > ${n} bytes`);
    if (usize > MAX_ENTRY_BYTES) throw corrupt(`'${name}' claims an impossible size`, `${usize} bytes`);
    // DEFLATE cannot expand more than ~1032:1; a larger claim is a decompression bomb.
    if (method === 8 && usize > 1 << 20 && usize > csize * 1100)
      throw corrupt(`'${name}' claims to expand far more than DEFLATE can`, `${csize} bytes -> ${usize} bytes`);
    entries.push({ name, method, compressedSize: csize, size: usize, crc, dataOffset, flags });
    p += 46 + nameLen + extraLen + commentLen;
  }

  const byName = new Map(entries.map((x) => [x.name, x]));
  const cache = new Map<string, Uint8Array>();
  return {
    entries: entries.map(({ name, method, compressedSize, size, crc }) => ({ name, method, compressedSize, size, crc })),
    has: (name) => byName.has(name),
    read(name: string): Uint8Array {
      const hit = cache.get(name);
      if (hit) return hit;
      const x = byName.get(name);
      if (!x) throw corrupt(`the entry '${name}' is missing`, `entries ${entries.map((y) => y.name).join(", ")}`);
      const raw = bytes.subarray(x.dataOffset, x.dataOffset + x.compressedSize);
      let data: Uint8Array;
      if (x.method === 0) {
        if (x.compressedSize !== x.size) throw corrupt(`'${name}' has inconsistent sizes`, `stored ${x.compressedSize}, size ${x.size}`);
        data = raw;
      } else if (x.method === 8) {
        try {
          data = inflateSync(raw, { out: new Uint8Array(x.size) });
        } catch (err) {
          throw corrupt(`'${name}' cannot be decompressed (${(err as Error).message})`, `${x.compressedSize} compressed bytes`);
        }
        if (data.length !== x.size) throw corrupt(`'${name}' decompresses to the wrong size`, `${data.length} bytes, expected ${x.size}`);
      } else {
        throw new UnsupportedFeatureError(
          `Zip compression method ${x.method} is not supported (only STORED and DEFLATE). Received: method=${x.method} for '${name}'`,
          "zip compression method",
        );
      }
      const c = crc32(data);
      if (c !== x.crc)
        throw corrupt(`the checksum of '${name}' does not match its contents`, `crc32 0x${c.toString(16)}, expected 0x${x.crc.toString(16)}`);
      cache.set(name, data);
      return data;
    },
  };
}
