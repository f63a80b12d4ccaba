/**
 * Start-up precision probe: some mobile GPUs expose RGBA32F render targets that compute or store
 * at half precision. The probe renders values that need all 24 bits of a float32 mantissa (and
 * an int32 value that needs all 32 bits) and reads them back; a mismatch becomes a warning in
 * the backend's `info()`.
 */
import type { GPGPU } from "./gpgpu";
import { HEADER, outputDecl } from "./glsl";

export function precisionProbe(g: GPGPU): { exact: boolean; message: string } {
  // Computed from gl_FragCoord so the compiler cannot fold the constants.
  const fsrc = `${HEADER}${outputDecl("f")}
void main() {
  float one = gl_FragCoord.x - 0.5 + 1.0;
  o = vec4(one + 1.0 / 1048576.0, 16777215.0 * one, one / 3.0, -one * 1.0e-30);
}`;
  const isrc = `${HEADER}${outputDecl("i")}
void main() { int one = int(gl_FragCoord.x) + 1; o = ivec4(2147483647 * one, -2147483647 - one, 123456789 * one, 0); }`;
  const ft = g.acquire(1, 1, "f");
  const it = g.acquire(1, 1, "i");
  try {
    g.draw(g.program(fsrc, 0), [], [ft]);
    g.draw(g.program(isrc, 0), [], [it]);
    const f = g.readSync(ft, 4);
    const i = g.readSync(it, 4);
    const want = new Float32Array([1 + 2 ** -20, 16777215, 1 / 3, -1e-30]);
    const wantI = [2147483647, -2147483648, 123456789, 0];
    const okF = want.every((v, k) => Math.abs(f[k]! - v) <= Math.abs(v) * 2 ** -22);
    const okI = wantI.every((v, k) => i[k] === v);
    if (okF && okI) return { exact: true, message: "" };
    return {
      exact: false,
      message: `float32 render targets do not keep full precision on this GPU (probe read back ${Array.from(f).join(", ")} / ${Array.from(i).join(", ")}): results may differ from the cpu backend beyond float32 rounding`,
    };
  } finally {
    g.release(ft);
    g.release(it);
  }
}
