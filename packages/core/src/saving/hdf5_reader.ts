/**
 * A small, defensive HDF5 reader for Keras weight files (`model.weights.h5`, `.weights.h5`).
 *
 * Why not h5wasm here (it writes our files, see `hdf5_writer.ts`): the HDF5 C library trusts
 * its input. Fed damaged files, it was seen to trap ("memory access out of bounds") and to loop
 * forever, and a synchronous wasm loop cannot be interrupted on the main thread. A loader must
 * answer every damaged file with an error, so reading is done here, in TypeScript, with every
 * offset checked against the buffer, a work budget, and cycle checks. It is also what lets a
 * page load a model without downloading the 4 MB wasm build.
 *
 * What it reads (everything h5py writes for Keras, plus the common variants):
 * - superblocks 0-3 (8-, 4- or 2-byte offsets), with or without a user block;
 * - object headers v1 and v2 with continuation blocks;
 * - old-style groups (symbol table: v1 B-tree + local heap) and compact new-style groups
 *   (link messages);
 * - datasets with contiguous or compact storage, or no storage yet (read as zeros);
 * - datatypes: little/big-endian integers (8-64 bit), floats (16, 32, 64 bit and bfloat16),
 *   enums over integers (h5py's bool), fixed-length and variable-length strings;
 * - attributes v1-v3 with those datatypes (variable-length strings from the global heap).
 *
 * Refused with `UnsupportedFeatureError`: chunked or filtered (compressed) datasets, dense
 * (fractal-heap) link or attribute storage, shared/committed datatypes, compound/array/reference
 * types. Anything malformed is an `HDF5FormatError`.
 *
 * Format reference: https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html
 */
import { HDF5FormatError, UnsupportedFeatureError } from "./errors";
import { decodeUtf8 } from "./text";

/** Element types a dataset can have here. */
export type H5NumericType =
  | "float16"
  | "bfloat16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64";

export interface H5Dataset {
  kind: "dataset";
  /** Full path without the leading "/", e.g. "layers/dense/vars/0". */
  path: string;
  shape: number[];
  dtype: H5NumericType | "string";
  attrs: Map<string, unknown>;
  /** Decodes the elements (numbers; int64 values beyond 2^53 lose precision). */
  read(): Float64Array | Float32Array | Int32Array | Uint8Array | number[] | string[];
}

export interface H5Group {
  kind: "group";
  path: string;
  attrs: Map<string, unknown>;
  /** Children in name order (HDF5 stores links sorted by name). */
  children: Map<string, H5Group | H5Dataset>;
}

export type H5Object = H5Group | H5Dataset;

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_WORK = 2_000_000;
const MAX_DEPTH = 64;

interface DataType {
  cls: number;
  size: number;
  bigEndian: boolean;
  signed: boolean;
  /** Float: bfloat16 is a 2-byte float with an 8-bit exponent. */
  expSize: number;
  /** Strings. */
  isVlenString: boolean;
  utf8: boolean;
  /** Enum / vlen base. */
  base: DataType | null;
  enumMembers?: Map<number, string>;
}

interface Layout {
  kind: "compact" | "contiguous";
  address: number;
  size: number;
}

interface Message {
  type: number;
  flags: number;
  start: number;
  size: number;
}

const UNDEF = -1;

function fail(what: string, received: string): HDF5FormatError {
  return new HDF5FormatError(`The HDF5 weights file is damaged: ${what}. Received: ${received}`);
}

function unsupported(feature: string, received: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    `This HDF5 file uses ${feature}, which webkeras cannot read (Keras writes plain contiguous datasets). Received: ${received}`,
    feature,
  );
}

class Reader {
  readonly n: number;
  readonly view: DataView;
  so = 8;
  sl = 8;
  base = 0;
  private work = 0;
  private readonly heapCache = new Map<number, Map<number, Uint8Array>>();

  constructor(readonly bytes: Uint8Array) {
    this.n = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  tick(units = 1): void {
    this.work += units;
    if (this.work > MAX_WORK) throw fail("the structure is too large or loops", `more than ${MAX_WORK} steps`);
  }

  check(o: number, len: number, what = "a structure"): void {
    if (!Number.isFinite(o) || o < 0 || len < 0 || o + len > this.n)
      throw fail(`${what} lies outside the file`, `offset ${o}, ${len} bytes, file of ${this.n} bytes`);
  }

  u8(o: number): number {
    this.check(o, 1);
    return this.bytes[o]!;
  }
  u16(o: number): number {
    this.check(o, 2);
    return this.view.getUint16(o, true);
  }
  u32(o: number): number {
    this.check(o, 4);
    return this.view.getUint32(o, true);
  }
  /** Unsigned little-endian integer of `size` bytes; all-ones is UNDEF (HDF5's undefined address). */
  uN(o: number, size: number): number {
    this.check(o, size);
    let allOnes = true;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = this.bytes[o + i]!;
      if (b !== 0xff) allOnes = false;
      v = v * 256 + b;
    }
    if (allOnes) return UNDEF;
    if (v > Number.MAX_SAFE_INTEGER) throw fail("an address or size is too large", `${size}-byte value at offset ${o}`);
    return v;
  }
  /** An address (relative to the base address) turned into a file offset, or UNDEF. */
  addr(o: number): number {
    const a = this.uN(o, this.so);
    return a === UNDEF ? UNDEF : a + this.base;
  }
  len(o: number): number {
    const v = this.uN(o, this.sl);
    if (v === UNDEF) throw fail("a length is undefined", `offset ${o}`);
    return v;
  }
  sig(o: number, s: string): boolean {
    if (o < 0 || o + s.length > this.n) return false;
    for (let i = 0; i < s.length; i++) if (this.bytes[o + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Objects of the global heap collection at `address`, by index. */
  globalHeap(address: number): Map<number, Uint8Array> {
    const hit = this.heapCache.get(address);
    if (hit) return hit;
    if (!this.sig(address, "GCOL")) throw fail("a global heap collection is missing", `offset ${address}`);
    const size = this.len(address + 8);
    this.check(address, size, "a global heap collection");
    const end = address + size;
    const objects = new Map<number, Uint8Array>();
    let p = address + 8 + this.sl;
    while (p + 8 + this.sl <= end) {
      this.tick();
      const index = this.u16(p);
      if (index === 0) break;
      const objSize = this.len(p + 8);
      const data = p + 8 + this.sl;
      this.check(data, objSize, "a global heap object");
      if (data + objSize > end) throw fail("a global heap object overruns its collection", `object ${index}`);
      objects.set(index, this.bytes.subarray(data, data + objSize));
      p = data + Math.ceil(objSize / 8) * 8;
    }
    this.heapCache.set(address, objects);
    return objects;
  }
}

function parseSuperblock(r: Reader): number {
  // The superblock sits at 0 or after a user block of 512, 1024, 2048, ... bytes.
  let at = -1;
  for (let o = 0; o + 8 <= r.n; o = o === 0 ? 512 : o * 2) {
    if (SIGNATURE.every((b, i) => r.bytes[o + i] === b)) {
      at = o;
      break;
    }
  }
  if (at < 0) {
    const head = Array.from(r.bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new HDF5FormatError(
      `The weights are not an HDF5 file (no HDF5 signature found). Received: ${r.n} bytes starting with ${head || "nothing"}`,
    );
  }
  const version = r.u8(at + 8);
  if (version === 0 || version === 1) {
    r.so = r.u8(at + 13);
    r.sl = r.u8(at + 14);
    if (![2, 4, 8].includes(r.so) || ![2, 4, 8].includes(r.sl))
      throw fail("the superblock has invalid offset sizes", `offsets ${r.so}, lengths ${r.sl}`);
    let p = at + 24 + (version === 1 ? 4 : 0);
    const base = r.uN(p, r.so);
    r.base = base === UNDEF ? 0 : base;
    p += 4 * r.so; // base, free-space, end-of-file and driver-info addresses
    // Root group symbol table entry: link name offset, object header address, ...
    const root = r.addr(p + r.so);
    if (root === UNDEF) throw fail("the root group is undefined", "superblock");
    return root;
  }
  if (version === 2 || version === 3) {
    r.so = r.u8(at + 9);
    r.sl = r.u8(at + 10);
    if (![2, 4, 8].includes(r.so) || ![2, 4, 8].includes(r.sl))
      throw fail("the superblock has invalid offset sizes", `offsets ${r.so}, lengths ${r.sl}`);
    const base = r.uN(at + 12, r.so);
    r.base = base === UNDEF ? 0 : base;
    const root = r.addr(at + 12 + 3 * r.so);
    if (root === UNDEF) throw fail("the root group is undefined", "superblock");
    return root;
  }
  throw unsupported(`superblock version ${version}`, `version ${version}`);
}

/** All messages of the object header at `address`, continuation blocks included. */
function readMessages(r: Reader, address: number): Message[] {
  const out: Message[] = [];
  const seen = new Set<number>();
  const blocks: [number, number][] = [];
  let v2 = false;
  if (r.sig(address, "OHDR")) {
    v2 = true;
    if (r.u8(address + 4) !== 2) throw fail("an object header has an unknown version", `offset ${address}`);
    const flags = r.u8(address + 5);
    let p = address + 6;
    if (flags & 0x20) p += 16;
    if (flags & 0x10) p += 4;
    const w = 1 << (flags & 3);
    const size = r.uN(p, w);
    p += w;
    blocks.push([p, p + size]);
  } else {
    const version = r.u8(address);
    if (version !== 1) throw fail("an object header has an unknown version", `version ${version} at offset ${address}`);
    const size = r.u32(address + 8);
    blocks.push([address + 16, address + 16 + size]);
  }
  const v2Flags = v2 ? r.u8(address + 5) : 0;
  while (blocks.length > 0) {
    const [start, end] = blocks.shift()!;
    if (seen.has(start)) throw fail("object header continuation blocks form a loop", `offset ${start}`);
    seen.add(start);
    r.check(start, end - start, "an object header");
    let p = start;
    const headerSize = v2 ? 4 + (v2Flags & 0x04 ? 2 : 0) : 8;
    while (p + headerSize <= end) {
      r.tick();
      const type = v2 ? r.u8(p) : r.u16(p);
      const size = r.u16(p + (v2 ? 1 : 2));
      const mflags = r.u8(p + (v2 ? 3 : 4));
      const data = p + headerSize;
      if (data + size > end) throw fail("a header message overruns its block", `message type ${type} at offset ${p}`);
      if (type === 0x10) {
        const cont = r.addr(data);
        const clen = r.len(data + r.so);
        r.check(cont, clen, "an object header continuation");
        if (v2) {
          if (!r.sig(cont, "OCHK")) throw fail("a continuation block lacks its signature", `offset ${cont}`);
          blocks.push([cont + 4, cont + clen - 4]);
        } else blocks.push([cont, cont + clen]);
      } else if (type !== 0) out.push({ type, flags: mflags, start: data, size });
      p = data + size;
    }
  }
  return out;
}

function parseDatatype(r: Reader, p: number, depth = 0): DataType {
  if (depth > 8) throw fail("a datatype nests too deeply", `offset ${p}`);
  const classVersion = r.u8(p);
  const cls = classVersion & 0x0f;
  const b0 = r.u8(p + 1);
  const b1 = r.u8(p + 2);
  const size = r.u32(p + 4);
  const dt: DataType = { cls, size, bigEndian: (b0 & 1) === 1, signed: false, expSize: 0, isVlenString: false, utf8: false, base: null };
  switch (cls) {
    case 0: // fixed-point
      dt.signed = (b0 & 0x08) !== 0;
      if (![1, 2, 4, 8].includes(size)) throw unsupported(`${size * 8}-bit integers`, `size ${size}`);
      return dt;
    case 1: // floating-point
      if (b0 & 0x40) throw unsupported("VAX floats", `class bits 0x${b0.toString(16)}`);
      dt.expSize = r.u8(p + 8 + 5);
      if (![2, 4, 8].includes(size)) throw unsupported(`${size * 8}-bit floats`, `size ${size}`);
      return dt;
    case 3: // fixed-length string
      dt.utf8 = (b0 >> 4) === 1;
      return dt;
    case 8: {
      // enum: base type, then names and values (h5py writes bool as an enum over int8)
      dt.base = parseDatatype(r, p + 8, depth + 1);
      if (dt.base.cls !== 0) throw unsupported("enums over non-integer types", `base class ${dt.base.cls}`);
      dt.signed = dt.base.signed;
      dt.bigEndian = dt.base.bigEndian;
      const count = b0 | (b1 << 8);
      const version = classVersion >> 4;
      let q = p + 8 + 8 + (dt.base.cls === 0 ? 4 : 12);
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        r.tick();
        let e = q;
        while (r.u8(e) !== 0) e++;
        names.push(decodeUtf8(r.bytes.subarray(q, e)));
        q = version >= 3 ? e + 1 : q + Math.ceil((e - q + 1) / 8) * 8;
      }
      dt.enumMembers = new Map();
      for (let i = 0; i < count; i++) dt.enumMembers.set(readInt(r, q + i * dt.base.size, dt.base), names[i]!);
      return dt;
    }
    case 9: {
      // variable-length: sequence (0) or string (1)
      const kind = b0 & 0x0f;
      if (kind !== 1) throw unsupported("variable-length sequences", `type ${kind}`);
      dt.isVlenString = true;
      dt.utf8 = (b1 & 0x0f) === 1;
      return dt;
    }
    default:
      throw unsupported(
        ["fixed-point", "float", "time", "string", "bitfield", "opaque", "compound", "reference", "enum", "variable-length", "array"][cls] ??
          `datatype class ${cls}`,
        `datatype class ${cls}`,
      );
  }
}

function readInt(r: Reader, o: number, dt: DataType): number {
  r.check(o, dt.size, "an integer");
  const v = r.view;
  switch (dt.size) {
    case 1:
      return dt.signed ? v.getInt8(o) : v.getUint8(o);
    case 2:
      return dt.signed ? v.getInt16(o, !dt.bigEndian) : v.getUint16(o, !dt.bigEndian);
    case 4:
      return dt.signed ? v.getInt32(o, !dt.bigEndian) : v.getUint32(o, !dt.bigEndian);
    default:
      return Number(dt.signed ? v.getBigInt64(o, !dt.bigEndian) : v.getBigUint64(o, !dt.bigEndian));
  }
}

/** Shape from a dataspace message; null for a null dataspace (no elements). */
function parseDataspace(r: Reader, p: number): number[] | null {
  const version = r.u8(p);
  const rank = r.u8(p + 1);
  if (rank > 32) throw fail("a dataspace has too many dimensions", `rank ${rank}`);
  let dims: number;
  if (version === 1) dims = p + 8;
  else if (version === 2) {
    if (r.u8(p + 3) === 2) return null;
    dims = p + 4;
  } else throw fail("a dataspace has an unknown version", `version ${version}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(r.len(dims + i * r.sl));
  return shape;
}

function parseLayout(r: Reader, p: number, msgEnd: number): Layout {
  const version = r.u8(p);
  if (version === 1 || version === 2) {
    const rank = r.u8(p + 1);
    const cls = r.u8(p + 2);
    if (cls === 2) throw unsupported("chunked datasets", "layout class chunked");
    if (cls === 1) return { kind: "contiguous", address: r.addr(p + 8), size: -1 };
    if (cls === 0) {
      const q = p + 8 + rank * 4;
      const size = r.u32(q);
      if (q + 4 + size > msgEnd) throw fail("compact data overruns its message", `offset ${q}`);
      return { kind: "compact", address: q + 4, size };
    }
    throw unsupported(`data layout class ${cls}`, `class ${cls}`);
  }
  if (version === 3 || version === 4) {
    const cls = r.u8(p + 1);
    if (cls === 0) {
      const size = r.u16(p + 2);
      if (p + 4 + size > msgEnd) throw fail("compact data overruns its message", `offset ${p}`);
      return { kind: "compact", address: p + 4, size };
    }
    if (cls === 1) return { kind: "contiguous", address: r.addr(p + 2), size: r.len(p + 2 + r.so) };
    if (cls === 2) throw unsupported("chunked datasets", "layout class chunked");
    if (cls === 3) throw unsupported("virtual datasets", "layout class virtual");
    throw unsupported(`data layout class ${cls}`, `class ${cls}`);
  }
  throw fail("a data layout message has an unknown version", `version ${version}`);
}

function numericType(dt: DataType): H5NumericType | "string" {
  if (dt.cls === 3 || dt.isVlenString) return "string";
  if (dt.cls === 1) {
    if (dt.size === 2) return dt.expSize === 8 ? "bfloat16" : "float16";
    return dt.size === 4 ? "float32" : "float64";
  }
  return `${dt.signed ? "int" : "uint"}${dt.size * 8}` as H5NumericType;
}

function half(bits: number, bf16: boolean): number {
  if (bf16) {
    const buf = new DataView(new ArrayBuffer(4));
    buf.setUint32(0, bits << 16);
    return buf.getFloat32(0);
  }
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes `count` elements of `dt` at file offset `o`. */
function decode(r: Reader, o: number, count: number, dt: DataType): Float64Array | Float32Array | Int32Array | Uint8Array | number[] | string[] {
  if (dt.isVlenString) {
    const stride = 4 + r.so + 4;
    r.check(o, count * stride, "string data");
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      r.tick();
      const q = o + i * stride;
      const length = r.u32(q);
      const heap = r.addr(q + 4);
      const index = r.u32(q + 4 + r.so);
      if (heap === UNDEF || length === 0) {
        out.push("");
        continue;
      }
      const obj = r.globalHeap(heap).get(index);
      if (!obj) throw fail("a string refers to a missing global heap object", `collection ${heap}, index ${index}`);
      if (length > obj.length) throw fail("a string is longer than its heap object", `${length} > ${obj.length}`);
      out.push(decodeUtf8(obj.subarray(0, length)));
    }
    return out;
  }
  const total = count * dt.size;
  r.check(o, total, "dataset data");
  const le = !dt.bigEndian;
  const v = r.view;
  if (dt.cls === 3) {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = r.bytes.subarray(o + i * dt.size, o + (i + 1) * dt.size);
      let end = s.indexOf(0);
      if (end < 0) end = s.length;
      out.push(decodeUtf8(s.subarray(0, end)).replace(/ +$/, ""));
    }
    return out;
  }
  if (dt.cls === 1) {
    if (dt.size === 4) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = v.getFloat32(o + 4 * i, le);
      return out;
    }
    if (dt.size === 8) {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = v.getFloat64(o + 8 * i, le);
      return out;
    }
    const out = new Float32Array(count);
    const bf = dt.expSize === 8;
    for (let i = 0; i < count; i++) out[i] = half(v.getUint16(o + 2 * i, le), bf);
    return out;
  }
  if (dt.size === 4 && dt.signed) {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = v.getInt32(o + 4 * i, le);
    return out;
  }
  if (dt.size === 1 && !dt.signed) return r.bytes.slice(o, o + count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = readInt(r, o + i * dt.size, dt);
  return out;
}

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function parseAttribute(r: Reader, m: Message): [string, unknown] {
  const p = m.start;
  const end = m.start + m.size;
  const version = r.u8(p);
  const flags = r.u8(p + 1);
  const nameSize = r.u16(p + 2);
  const dtSize = r.u16(p + 4);
  const dsSize = r.u16(p + 6);
  let q: number;
  const pad = (x: number): number => (version === 1 ? Math.ceil(x / 8) * 8 : x);
  if (version === 1 || version === 2) q = p + 8;
  else if (version === 3) q = p + 9;
  else throw fail("an attribute has an unknown version", `version ${version}`);
  if (version >= 2 && flags & 0x03) throw unsupported("shared attribute datatypes", `flags ${flags}`);
  r.check(q, nameSize, "an attribute name");
  let nameEnd = q;
  while (nameEnd < q + nameSize && r.bytes[nameEnd] !== 0) nameEnd++;
  const name = decodeUtf8(r.bytes.subarray(q, nameEnd));
  q += pad(nameSize);
  const dt = parseDatatype(r, q);
  q += pad(dtSize);
  const shape = parseDataspace(r, q);
  q += pad(dsSize);
  if (shape === null) return [name, null];
  const count = elementCount(shape);
  const elemSize = dt.isVlenString ? 4 + r.so + 4 : dt.size;
  if (q + count * elemSize > end) throw fail(`attribute '${name}' overruns its message`, `${count} elements`);
  const values = decode(r, q, count, dt);
  const arr = Array.from(values as ArrayLike<number | string>);
  if (dt.enumMembers) return [name, shape.length === 0 ? dt.enumMembers.get(arr[0] as number) ?? arr[0] : arr];
  return [name, shape.length === 0 ? arr[0] : arr];
}

/** Children of an old-style group: walk the v1 B-tree, read names from the local heap. */
function symbolTableLinks(r: Reader, btree: number, heap: number): [string, number][] {
  if (!r.sig(heap, "HEAP")) throw fail("a group's local heap is missing", `offset ${heap}`);
  const segSize = r.len(heap + 8);
  const seg = r.addr(heap + 8 + 2 * r.sl);
  r.check(seg, segSize, "a local heap");
  const nameAt = (off: number): string => {
    if (off >= segSize) throw fail("a link name lies outside its heap", `offset ${off} in ${segSize} bytes`);
    let e = seg + off;
    while (e < seg + segSize && r.bytes[e] !== 0) e++;
    return decodeUtf8(r.bytes.subarray(seg + off, e));
  };
  const links: [string, number][] = [];
  const seen = new Set<number>();
  const visit = (node: number, depth: number): void => {
    if (seen.has(node)) throw fail("a group B-tree loops", `node at ${node}`);
    seen.add(node);
    if (depth > MAX_DEPTH) throw fail("a group B-tree is too deep", `depth ${depth}`);
    r.tick();
    if (r.sig(node, "SNOD")) {
      const count = r.u16(node + 6);
      const entrySize = 2 * r.so + 24;
      r.check(node + 8, count * entrySize, "a symbol table node");
      for (let i = 0; i < count; i++) {
        r.tick();
        const e = node + 8 + i * entrySize;
        links.push([nameAt(r.uN(e, r.so)), r.addr(e + r.so)]);
      }
      return;
    }
    if (!r.sig(node, "TREE")) throw fail("a group B-tree node is missing", `offset ${node}`);
    if (r.u8(node + 4) !== 0) throw fail("a group B-tree has the wrong node type", `type ${r.u8(node + 4)}`);
    const level = r.u8(node + 5);
    const used = r.u16(node + 6);
    let p = node + 8 + 2 * r.so + r.sl; // past the header and key 0
    r.check(p, used * (r.so + r.sl), "a group B-tree node");
    for (let i = 0; i < used; i++) {
      const child = r.addr(p);
      if (level > 0 && !r.sig(child, "TREE")) throw fail("a group B-tree child is missing", `offset ${child}`);
      visit(child, depth + 1);
      p += r.so + r.sl;
    }
  };
  if (btree !== UNDEF) visit(btree, 0);
  return links;
}

/** Children of a new-style compact group, from its link messages. */
function linkMessage(r: Reader, m: Message): [string, number] | null {
  const p = m.start;
  const flags = r.u8(p + 1);
  let q = p + 2;
  let type = 0;
  if (flags & 0x08) type = r.u8(q++);
  if (flags & 0x04) q += 8;
  if (flags & 0x10) q++;
  const w = 1 << (flags & 3);
  const nameLen = r.uN(q, w);
  q += w;
  if (q + nameLen > m.start + m.size) throw fail("a link name overruns its message", `${nameLen} bytes`);
  const name = decodeUtf8(r.bytes.subarray(q, q + nameLen));
  q += nameLen;
  if (type !== 0) return null; // soft and external links are not followed
  return [name, r.addr(q)];
}

function parseObject(r: Reader, address: number, path: string, ancestors: Set<number>): H5Object {
  if (ancestors.has(address)) throw fail("a group contains itself", `path /${path}`);
  if (ancestors.size > MAX_DEPTH) throw fail("groups nest too deeply", `path /${path}`);
  const msgs = readMessages(r, address);
  const attrs = new Map<string, unknown>();
  let dt: DataType | null = null;
  let shape: number[] | null | undefined;
  let layout: Layout | null = null;
  let symtab: [number, number] | null = null;
  const links: [string, number][] = [];
  let isGroup = false;
  for (const m of msgs) {
    switch (m.type) {
      case 0x01:
        shape = parseDataspace(r, m.start);
        break;
      case 0x03:
        if (m.flags & 0x02) throw unsupported("committed (shared) datatypes", `path /${path}`);
        dt = parseDatatype(r, m.start);
        break;
      case 0x08:
        layout = parseLayout(r, m.start, m.start + m.size);
        break;
      case 0x0b:
        throw unsupported("filtered (compressed) datasets", `path /${path}`);
      case 0x0c: {
        const [k, v] = parseAttribute(r, m);
        attrs.set(k, v);
        break;
      }
      case 0x11:
        symtab = [r.addr(m.start), r.addr(m.start + r.so)];
        break;
      case 0x06: {
        isGroup = true;
        const link = linkMessage(r, m);
        if (link) links.push(link);
        break;
      }
      case 0x02: {
        isGroup = true;
        const flags = r.u8(m.start + 1);
        const heap = r.addr(m.start + 2 + (flags & 1 ? 8 : 0));
        if (heap !== UNDEF) throw unsupported("dense link storage (fractal heaps)", `path /${path}`);
        break;
      }
      case 0x15: {
        const flags = r.u8(m.start + 1);
        const heap = r.addr(m.start + 2 + (flags & 1 ? 2 : 0));
        if (heap !== UNDEF) throw unsupported("dense attribute storage (fractal heaps)", `path /${path}`);
        break;
      }
      default:
        break;
    }
  }
  if (symtab || isGroup) {
    const group: H5Group = { kind: "group", path, attrs, children: new Map() };
    const all = symtab ? symbolTableLinks(r, symtab[0], symtab[1]) : links;
    all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const inner = new Set(ancestors).add(address);
    for (const [name, child] of all) {
      if (child === UNDEF) throw fail(`the link '${name}' points nowhere`, `path /${path}`);
      if (group.children.has(name)) throw fail(`the name '${name}' appears twice in one group`, `path /${path}`);
      group.children.set(name, parseObject(r, child, path ? `${path}/${name}` : name, inner));
    }
    return group;
  }
  if (dt && shape !== undefined && layout) {
    const s = shape ?? [];
    const count = shape === null ? 0 : elementCount(s);
    const dtype = numericType(dt);
    const elemSize = dt.isVlenString ? 4 + r.so + 4 : dt.size;
    const nbytes = count * elemSize;
    const lay = layout;
    const type = dt;
    if (lay.address !== UNDEF) {
      if (lay.kind === "compact" && lay.size < nbytes) throw fail("compact data is shorter than its shape", `path /${path}`);
      if (lay.size >= 0 && lay.kind === "contiguous" && lay.size < nbytes)
        throw fail("contiguous data is shorter than its shape", `path /${path}: ${lay.size} < ${nbytes} bytes`);
      r.check(lay.address, nbytes, `the data of /${path}`);
    }
    return {
      kind: "dataset",
      path,
      shape: s,
      dtype,
      attrs,
      read() {
        if (lay.address === UNDEF) return type.cls === 1 ? new Float32Array(count) : new Float64Array(count);
        return decode(r, lay.address, count, type);
      },
    };
  }
  throw fail("an object is neither a group nor a dataset", `path /${path}, message types ${msgs.map((m) => m.type).join(",")}`);
}

/**
 * Parses an HDF5 file into a tree of groups and datasets (data decoded on `read()`).
 * Throws `HDF5FormatError` for anything that is not a well-formed HDF5 file and
 * `UnsupportedFeatureError` for HDF5 features Keras does not write.
 * @example
 * const root = readHDF5(bytes);
 * const kernel = getH5Object(root, "layers/dense/vars/0");
 */
export function readHDF5(bytes: Uint8Array): H5Group {
  const r = new Reader(bytes);
  const root = parseObject(r, parseSuperblock(r), "", new Set());
  if (root.kind !== "group") throw fail("the root object is not a group", "a dataset");
  return root;
}

/**
 * The object at `path` ("a/b/c"), or undefined.
 * @example getH5Object(root, "layers/dense/vars")?.attrs.get("name") // "dense"
 */
export function getH5Object(root: H5Group, path: string): H5Object | undefined {
  let cur: H5Object = root;
  for (const part of path.split("/").filter((x) => x.length > 0)) {
    if (cur.kind !== "group") return undefined;
    const next: H5Object | undefined = cur.children.get(part);
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

/**
 * Every object in the tree, depth-first in name order (the root excluded).
 * @example walkH5(root).filter((o) => o.kind === "dataset").map((o) => o.path)
 */
export function walkH5(root: H5Group): H5Object[] {
  const out: H5Object[] = [];
  const visit = (g: H5Group): void => {
    for (const child of g.children.values()) {
      out.push(child);
      if (child.kind === "group") visit(child);
    }
  };
  visit(root);
  return out;
}
