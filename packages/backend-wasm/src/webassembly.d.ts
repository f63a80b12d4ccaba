/**
 * The slice of the WebAssembly JS API this backend uses. Core's tsconfig has no DOM or Node
 * types (so nothing reaches for platform APIs by accident); each backend declares only what it
 * needs, and WebAssembly is in every engine the backend targets (browsers, workers, Node).
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  type BufferSource = ArrayBufferView<ArrayBuffer> | ArrayBuffer;
  function validate(bytes: BufferSource): boolean;
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(
    module: Module,
    imports?: Record<string, Record<string, unknown>>,
  ): Promise<Instance>;
}
