/**
 * Max and average pooling and their gradient, channels-last, 1 to 3 spatial dims, geometry baked
 * into the source.
 *
 * Forward: one thread per output element loops over its window; padded taps never take part
 * (never win a max; excluded from the average divisor unless `countIncludePad`).
 * Backward, in two passes (no atomics, deterministic): one thread per output window finds its
 * first maximum (row-major window order, NaN wins as in argmax) or its divisor; then one thread
 * per *input* element gathers dy from every window that contains it (max: only where it is that
 * window's maximum; average: dy / divisor). Windows that tile the input, which no two windows
 * share an element of, take one pass instead: each window thread writes its own elements.
 */
import type { PoolParams, Primitive } from "@webkeras/core";
import type { GpuKernel } from "../kernel";
import { grid1d, helpersFor, mainHeader } from "../wgsl";
import { sizeOf } from "./util";

function consts(xShape: number[], outSpatial: number[], p: PoolParams): string {
  const nsp = xShape.length - 2;
  if (nsp > 3) throw new Error(`webgpu pool: 1 to 3 spatial dims are supported. Received: ${nsp} spatial dims`);
  const to3 = (v: number[], f: number) => [...new Array<number>(3 - v.length).fill(f), ...v];
  const [D, H, W] = to3(xShape.slice(1, nsp + 1), 1);
  const [KD, KH, KW] = to3(p.window, 1);
  const [OD, OH, OW] = to3(outSpatial, 1);
  const [SD, SH, SW] = to3(p.strides, 1);
  const [DD, DH, DW] = to3(p.dilation, 1);
  const [PD, PH, PW] = to3(
    p.padding.map((q) => q[0]),
    0,
  );
  return `const D = ${D}; const H = ${H}; const W = ${W}; const C = ${xShape[nsp + 1]};
const KD = ${KD}; const KH = ${KH}; const KW = ${KW};
const OD = ${OD}; const OH = ${OH}; const OW = ${OW};
const SD = ${SD}; const SH = ${SH}; const SW = ${SW};
const DD = ${DD}; const DH = ${DH}; const DW = ${DW};
const PD = ${PD}; const PH = ${PH}; const PW = ${PW};
const TOTAL = ${sizeOf(xShape)};`;
}

/**
 * WGSL function `win(n, od, oh, ow, c) -> vec3<f32>`: (max or sum, count of real taps, flat
 * x index of the first maximum as f32 bits).
 */
function windowFn(isMax: boolean): string {
  const take = isMax
    ? `if (arg < 0 || v > acc || (isnan(v) && !isnan(acc))) { acc = v; arg = at; }`
    : `acc = acc + v;`;
  return `fn win(n: i32, od: i32, oh: i32, ow: i32, c: i32) -> vec3<f32> {
  var acc = ${isMax ? "-inf_f()" : "0.0"};
  var arg = -1;
  var count = 0;
  for (var kd = 0; kd < KD; kd++) {
    let id = od * SD - PD + kd * DD;
    if (id < 0 || id >= D) { continue; }
    for (var kh = 0; kh < KH; kh++) {
      let ih = oh * SH - PH + kh * DH;
      if (ih < 0 || ih >= H) { continue; }
      for (var kw = 0; kw < KW; kw++) {
        let iw = ow * SW - PW + kw * DW;
        if (iw < 0 || iw >= W) { continue; }
        let at = (((n * D + id) * H + ih) * W + iw) * C + c;
        let v = x[at];
        count++;
        ${take}
      }
    }
  }
  return vec3<f32>(acc, f32(count), bitcast<f32>(arg));
}`;
}

export const poolKernel: GpuKernel<Primitive.Pool> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return [o];
  const nsp = x.shape.length - 2;
  const isMax = params.kind === "max";
  const full = params.window.reduce((a, b) => a * b, 1);
  const value = isMax
    ? "r.x"
    : `select(r.x / ${params.countIncludePad ? `${full}.0` : "r.y"}, 0.0, r.y == 0.0)`;
  const body = `${consts(x.shape, out.shape.slice(1, nsp + 1), params)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${windowFn(isMax)}
${mainHeader()}
  if (idx >= ${n}u) { return; }
  let i = i32(idx);
  let c = i % C; var t = i / C; let ow = t % OW; t = t / OW; let oh = t % OH; t = t / OH; let od = t % OD; let nn = t / OD;
  let r = win(nn, od, oh, ow, c);
  out[idx] = ${value};
}`;
  ctx.run({ source: `${helpersFor(body)}\n${body}`, inputs: [x.data], outputs: [o], grid: grid1d(n) });
  return [o];
};

export const poolBackpropKernel: GpuKernel<Primitive.PoolBackprop> = (ctx, inputs, params, outputs) => {
  const [dy, x] = inputs as [(typeof inputs)[0] & object, (typeof inputs)[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return [o];
  const nOut = sizeOf(dy.shape);
  if (nOut === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  const nsp = x.shape.length - 2;
  const isMax = params.kind === "max";
  const full = params.window.reduce((a, b) => a * b, 1);
  const geom = consts(x.shape, dy.shape.slice(1, nsp + 1), params);
  // Windows that tile the input (window == stride, no padding or dilation: MaxPooling2D's
  // default) contain each element at most once: one pass, one thread per window, writes its
  // window (dy at the first maximum and 0 elsewhere, or dy / divisor); input rows past the last
  // window are cleared first.
  const tiled = params.window.every((w, d) => w === params.strides[d] && params.dilation[d] === 1 && params.padding[d]![0] === 0);
  if (tiled) {
    // Right padding ("same") makes the last windows run past the input: those taps are skipped.
    const outSp = dy.shape.slice(1, nsp + 1);
    if (outSp.some((od, d) => od * params.strides[d]! < x.shape[d + 1]!)) ctx.fill(o, 0);
    const put = isMax ? "select(0.0, g, at == arg)" : `g / ${params.countIncludePad ? `${full}.0` : "r.y"}`;
    const src = `${geom}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${windowFn(isMax)}
${mainHeader()}
  if (idx >= ${nOut}u) { return; }
  let i = i32(idx);
  let c = i % C; var t = i / C; let ow = t % OW; t = t / OW; let oh = t % OH; t = t / OH; let od = t % OD; let nn = t / OD;
  let r = win(nn, od, oh, ow, c);
  let arg = bitcast<i32>(r.z);
  let g = dy[idx];
  for (var kd = 0; kd < KD; kd++) {
    for (var kh = 0; kh < KH; kh++) {
      for (var kw = 0; kw < KW; kw++) {
        let id = od * SD + kd; let ih = oh * SH + kh; let iw = ow * SW + kw;
        if (id < D && ih < H && iw < W) {
          let at = (((nn * D + id) * H + ih) * W + iw) * C + c;
          out[at] = ${put};
        }
      }
    }
  }
}`;
    ctx.run({ source: `${helpersFor(src)}\n${src}`, inputs: [x.data, dy.data], outputs: [o], grid: grid1d(nOut) });
    return [o];
  }
  // Pass 1, one thread per output window: the flat x index of its first maximum (max pooling)
  // or its divisor (average), so that pass 2 reads one value per window instead of rescanning it.
  const perWindow = ctx.alloc({ shape: dy.shape, dtype: isMax ? "int32" : "float32" });
  const value = isMax ? "bitcast<i32>(r.z)" : params.countIncludePad ? `${full}.0` : "r.y";
  const pass1 = `${geom}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> win_out: array<${isMax ? "i32" : "f32"}>;
${windowFn(isMax)}
${mainHeader()}
  if (idx >= ${nOut}u) { return; }
  let i = i32(idx);
  let c = i % C; var t = i / C; let ow = t % OW; t = t / OW; let oh = t % OH; t = t / OH; let od = t % OD; let nn = t / OD;
  let r = win(nn, od, oh, ow, c);
  win_out[idx] = ${value};
}`;
  ctx.run({ source: `${helpersFor(pass1)}\n${pass1}`, inputs: [x.data], outputs: [perWindow], grid: grid1d(nOut) });
  // Pass 2, one thread per input element: gather from every window that contains it.
  const contrib = isMax ? "if (w[at] == i) { acc += dy[at]; }" : "acc += dy[at] / w[at];";
  const pass2 = `${geom}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<${isMax ? "i32" : "f32"}>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${mainHeader()}
  if (idx >= ${n}u) { return; }
  let i = i32(idx);
  let c = i % C; var t = i / C; let iw = t % W; t = t / W; let ih = t % H; t = t / H; let id = t % D; let nn = t / D;
  var acc = 0.0;
  ${loopGatherSrc(contrib)}
  out[idx] = acc;
}`;
  ctx.run({ source: pass2, inputs: [dy.data, perWindow], outputs: [o], grid: grid1d(n) });
  ctx.release(perWindow);
  return [o];
};

/** Gather of pass 2 for any geometry: every tap that maps back onto an output window. */
function loopGatherSrc(contrib: string): string {
  return `for (var kd = 0; kd < KD; kd++) {
    let td = id + PD - kd * DD;
    if (td < 0 || td % SD != 0 || td / SD >= OD) { continue; }
    let od = td / SD;
    for (var kh = 0; kh < KH; kh++) {
      let th = ih + PH - kh * DH;
      if (th < 0 || th % SH != 0 || th / SH >= OH) { continue; }
      let oh = th / SH;
      for (var kw = 0; kw < KW; kw++) {
        let tw = iw + PW - kw * DW;
        if (tw < 0 || tw % SW != 0 || tw / SW >= OW) { continue; }
        let ow = tw / SW;
        let at = (((nn * OD + od) * OH + oh) * OW + ow) * C + c;
        ${contrib}
      }
    }
  }`;
}
