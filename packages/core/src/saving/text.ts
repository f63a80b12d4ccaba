/**
 * UTF-8 encoding and decoding through the platform's TextEncoder / TextDecoder (present in
 * browsers, workers and Node), typed here because core compiles without DOM types.
 */

interface TextCodecs {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(b: Uint8Array): string };
}

const codecs = globalThis as unknown as TextCodecs;

/**
 * UTF-8 bytes of a string.
 * @example encodeUtf8("é") // Uint8Array [0xc3, 0xa9]
 */
export function encodeUtf8(s: string): Uint8Array {
  return new codecs.TextEncoder().encode(s);
}

/**
 * A string from UTF-8 bytes; invalid sequences become U+FFFD unless `fatal` (then it throws).
 * @example decodeUtf8(new Uint8Array([0x68, 0x69])) // "hi"
 */
export function decodeUtf8(b: Uint8Array, fatal = false): string {
  return new codecs.TextDecoder("utf-8", { fatal }).decode(b);
}
