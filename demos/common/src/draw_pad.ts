/**
 * A canvas to draw a digit on with mouse, pen or finger, and its conversion to an MNIST-like
 * input: the ink's bounding box scaled to fit 20x20 (area-averaged), placed in a 28x28 image
 * with its centre of mass in the middle, as the MNIST digits were prepared (LeCun et al.).
 */
import { PIXELS } from "./constants";

export interface DrawPadOptions {
  /** Pen width in canvas pixels (default: a tenth of the canvas width). */
  lineWidth?: number;
  /** Called after each stroke ends. */
  onStroke?: () => void;
}

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;
  private inked = false;

  /**
   * @example const pad = new DrawPad(document.querySelector("canvas")!, { onStroke: predict });
   */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly options: DrawPadOptions = {},
  ) {
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx)
      throw new Error("DrawPad: no 2D context on the canvas. Received: getContext('2d') = null");
    this.ctx = ctx;
    this.clear();
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.dot(this.last);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.line(this.last!, p);
      this.last = p;
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.options.onStroke?.();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  /** Whether anything has been drawn since the last `clear`. */
  get isEmpty(): boolean {
    return !this.inked;
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** Paints a 28x28 digit (values in [0, 1]) over the whole pad. */
  showDigit(pixels: ArrayLike<number>): void {
    const img = this.ctx.createImageData(28, 28);
    for (let i = 0; i < PIXELS; i++) {
      const v = Math.round(pixels[i]! * 255);
      img.data.set([v, v, v, 255], i * 4);
    }
    const small = document.createElement("canvas");
    small.width = small.height = 28;
    small.getContext("2d")!.putImageData(img, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.inked = true;
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) * this.canvas.width) / r.width,
      y: ((e.clientY - r.top) * this.canvas.height) / r.height,
    };
  }

  private get width(): number {
    return this.options.lineWidth ?? this.canvas.width / 10;
  }

  private dot(p: { x: number; y: number }): void {
    this.ctx.fillStyle = "#fff";
    this.ctx.beginPath();
    this.ctx.arc(p.x, p.y, this.width / 2, 0, 2 * Math.PI);
    this.ctx.fill();
    this.inked = true;
  }

  private line(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = "#fff";
    c.lineWidth = this.width;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    this.inked = true;
  }

  /** The drawing as a model input: `(784,)` values in [0, 1], MNIST-style (see the header). */
  toInput(): Float32Array {
    const { width: W, height: H } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, W, H).data;
    const gray = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) gray[i] = rgba[i * 4]! / 255;
    return mnistLike(gray, W, H);
  }
}

/**
 * Centres a grayscale image (ink bright on dark, values in [0, 1]) the way MNIST digits are:
 * bounding box to 20x20 keeping the aspect ratio, then centre of mass to the middle of 28x28.
 * @example mnistLike(gray, 280, 280).length; // 784
 */
export function mnistLike(gray: Float32Array, W: number, H: number): Float32Array {
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (gray[y * W + x]! > 0.1) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  const out = new Float32Array(PIXELS);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // Area average of the source pixels under each target pixel.
  const small = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++)
    for (let tx = 0; tx < tw; tx++) {
      const sx0 = x0 + Math.floor((tx * bw) / tw);
      const sx1 = Math.max(sx0 + 1, x0 + Math.floor(((tx + 1) * bw) / tw));
      const sy0 = y0 + Math.floor((ty * bh) / th);
      const sy1 = Math.max(sy0 + 1, y0 + Math.floor(((ty + 1) * bh) / th));
      let s = 0;
      for (let y = sy0; y < sy1; y++) for (let x = sx0; x < sx1; x++) s += gray[y * W + x]!;
      small[ty * tw + tx] = s / ((sx1 - sx0) * (sy1 - sy0));
    }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  const ox = Math.round(14 - (mass ? cx / mass : tw / 2));
  const oy = Math.round(14 - (mass ? cy / mass : th / 2));
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const X = x + ox;
      const Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.min(1, small[y * tw + x]!);
    }
  return out;
}
