/**
 * saving/object_registration + saving/serialization: the custom-object registry (function and
 * decorator forms, scopes), serializeKerasObject / deserializeKerasObject on built-ins, custom
 * classes and plain values, and the errors for unknown classes and lambdas.
 */
import { afterEach, describe, expect, it } from "vitest";
import "../src/index";
import { GlorotUniform, Initializer, Ones, Zeros } from "../src/initializers/index";
import { L2 } from "../src/regularizers/index";
import * as lax from "../src/primitives/lax";
import type { DType } from "../src/tensor/dtype";
import type { Tensor } from "../src/tensor/tensor";
import {
  getCustomObjects,
  getRegisteredName,
  getRegisteredObject,
  registerKerasSerializable,
  unregisterKerasSerializable,
  withCustomObjects,
} from "../src/saving/object_registration";
import {
  UnknownObjectError,
  builtinObjects,
  configToOptions,
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
  snakeToCamel,
} from "../src/saving/serialization";
import { ValueError } from "../src/errors";

/** A custom initializer: `scale` everywhere. */
class ScaledOnes extends Initializer {
  static override className = "ScaledOnes";
  readonly scale: number;
  constructor({ scale = 1 }: { scale?: number } = {}) {
    super();
    this.scale = scale;
  }
  call(shape: number[], dtype: DType = "float32"): Tensor {
    return lax.full(shape, this.scale, dtype);
  }
  override getConfig(): Record<string, unknown> {
    return { scale: this.scale };
  }
}

const registered: string[] = [];
afterEach(() => {
  for (const k of registered.splice(0)) unregisterKerasSerializable(k);
});

describe("object registration", () => {
  it("registers under 'Package>Name' (defaults: package Custom, name = className)", () => {
    registerKerasSerializable(ScaledOnes);
    registered.push("Custom>ScaledOnes");
    expect(getRegisteredName(ScaledOnes)).toBe("Custom>ScaledOnes");
    expect(getRegisteredName(new ScaledOnes())).toBe("Custom>ScaledOnes");
    expect(getRegisteredObject("Custom>ScaledOnes")).toBe(ScaledOnes);
    expect(getCustomObjects()["Custom>ScaledOnes"]).toBe(ScaledOnes);
  });
  it("works as a decorator factory with a package and name", () => {
    class Shifted extends ScaledOnes {
      static override className = "Shifted";
    }
    const decorate = registerKerasSerializable({ package: "MyPkg", name: "Shift" });
    expect(decorate(Shifted)).toBe(Shifted);
    registered.push("MyPkg>Shift");
    expect(getRegisteredName(Shifted)).toBe("MyPkg>Shift");
  });
  it("unregistered objects report their class name", () => {
    expect(getRegisteredName(ScaledOnes)).toBe("ScaledOnes");
    expect(getRegisteredObject("Custom>ScaledOnes")).toBeUndefined();
  });
  it("refuses name clashes and classes without getConfig", () => {
    registerKerasSerializable(ScaledOnes, { package: "P" });
    registered.push("P>ScaledOnes");
    registerKerasSerializable(ScaledOnes, { package: "P" }); // same object again: fine
    class Other extends ScaledOnes {}
    expect(() => registerKerasSerializable(Other, { package: "P", name: "ScaledOnes" })).toThrow(
      /already registered/,
    );
    class NoConfig {
      x = 1;
    }
    expect(() => registerKerasSerializable(NoConfig as never)).toThrow(/getConfig/);
  });
  it("withCustomObjects scopes names, innermost first, and closes the scope", () => {
    const a = () => 1;
    const b = () => 2;
    withCustomObjects({ f: a }, () => {
      expect(getRegisteredObject("f")).toBe(a);
      withCustomObjects({ f: b }, () => expect(getRegisteredObject("f")).toBe(b));
      expect(getRegisteredObject("f")).toBe(a);
    });
    expect(getRegisteredObject("f")).toBeUndefined();
    expect(() =>
      withCustomObjects({ f: a }, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(getRegisteredObject("f")).toBeUndefined();
    expect(getRegisteredObject("f", { f: b })).toBe(b);
  });
});

describe("serializeKerasObject", () => {
  it("passes plain values through and serializes containers element-wise", () => {
    expect(serializeKerasObject(null)).toBeNull();
    expect(serializeKerasObject(undefined)).toBeNull();
    expect(serializeKerasObject(3)).toBe(3);
    expect(serializeKerasObject("relu")).toBe("relu");
    expect(serializeKerasObject({ a: [1, new Zeros()], b: true })).toEqual({
      a: [
        1,
        { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
      ],
      b: true,
    });
  });
  it("writes built-ins with their Keras module", () => {
    expect(serializeKerasObject(new L2(0.5))).toEqual({
      module: "keras.regularizers",
      class_name: "L2",
      config: { l2: 0.5 },
      registered_name: null,
    });
  });
  it("writes registered custom classes with module null and their registered name", () => {
    registerKerasSerializable(ScaledOnes, { package: "MyPkg" });
    registered.push("MyPkg>ScaledOnes");
    expect(serializeKerasObject(new ScaledOnes({ scale: 3 }))).toEqual({
      module: null,
      class_name: "ScaledOnes",
      config: { scale: 3 },
      registered_name: "MyPkg>ScaledOnes",
    });
  });
  it("writes unregistered custom classes like Keras' __main__ classes", () => {
    expect(serializeKerasObject(new ScaledOnes())).toEqual({
      module: null,
      class_name: "ScaledOnes",
      config: { scale: 1 },
      registered_name: "ScaledOnes",
    });
  });
  it("adds build_config / compile_config when the object has them", () => {
    class Built extends ScaledOnes {
      getBuildConfig() {
        return { input_shape: [null, 3] };
      }
      getCompileConfig() {
        return null;
      }
    }
    const s = serializeKerasObject(new Built()) as Record<string, unknown>;
    expect(s.build_config).toEqual({ input_shape: [null, 3] });
    expect("compile_config" in s).toBe(false);
  });
  it("serializes tensors as __tensor__ and refuses anonymous functions and config-less objects", () => {
    expect(serializeKerasObject(lax.constant([1, 2, 3, 4], [2, 2], "float32"))).toEqual({
      class_name: "__tensor__",
      config: {
        value: [
          [1, 2],
          [3, 4],
        ],
        dtype: "float32",
      },
    });
    expect(() => serializeKerasObject(() => 1)).toThrow(/anonymous function/);
    expect(() => serializeKerasObject(new Map())).toThrow(/getConfig/);
  });
});

describe("deserializeKerasObject", () => {
  it("round-trips a registered custom class", () => {
    registerKerasSerializable(ScaledOnes, { package: "MyPkg" });
    registered.push("MyPkg>ScaledOnes");
    const json = JSON.parse(JSON.stringify(serializeKerasObject(new ScaledOnes({ scale: 4 }))));
    const back = deserializeKerasObject(json) as ScaledOnes;
    expect(back).toBeInstanceOf(ScaledOnes);
    expect(back.scale).toBe(4);
    expect(Array.from(back.call([2]).dataSync())).toEqual([4, 4]);
  });
  it("finds unregistered custom classes through customObjects or a scope", () => {
    const cfg = {
      module: null,
      class_name: "ScaledOnes",
      config: { scale: 2 },
      registered_name: "ScaledOnes",
    };
    expect(deserializeKerasObject(cfg, { customObjects: { ScaledOnes } })).toBeInstanceOf(
      ScaledOnes,
    );
    expect(withCustomObjects({ ScaledOnes }, () => deserializeKerasObject(cfg))).toBeInstanceOf(
      ScaledOnes,
    );
    // A Python Keras file: module "__main__"-style null, registered under a package.
    const py = {
      module: "my_module",
      class_name: "ScaledOnes",
      config: { scale: 5 },
      registered_name: "MyPkg>ScaledOnes",
    };
    expect(
      (
        deserializeKerasObject(py, {
          customObjects: { "MyPkg>ScaledOnes": ScaledOnes },
        }) as ScaledOnes
      ).scale,
    ).toBe(5);
  });
  it("throws a typed error naming an unknown class", () => {
    const cfg = { module: null, class_name: "Foo", config: {}, registered_name: "Custom>Foo" };
    expect(() => deserializeKerasObject(cfg)).toThrow(UnknownObjectError);
    try {
      deserializeKerasObject(cfg);
    } catch (e) {
      expect((e as UnknownObjectError).className).toBe("Foo");
      expect((e as Error).message).toMatch(
        /^Could not locate class 'Foo'\. Make sure custom classes are registered/,
      );
      expect((e as Error).message).toMatch(/Received: class_name=Foo$/);
    }
    expect(() =>
      deserializeKerasObject({
        module: "keras.initializers",
        class_name: "Foo",
        config: {},
        registered_name: null,
      }),
    ).toThrow(/Could not locate class 'Foo'/);
  });
  it("resolves built-ins by module, and without a module when the name is unique", () => {
    const a = deserializeKerasObject({
      module: "keras.initializers",
      class_name: "Ones",
      config: {},
      registered_name: null,
    });
    expect(a).toBeInstanceOf(Ones);
    expect(
      deserializeKerasObject({ class_name: "GlorotUniform", config: { seed: 3 } }),
    ).toBeInstanceOf(GlorotUniform);
  });
  it("passes plain values through and maps plain dicts and lists", () => {
    expect(deserializeKerasObject(null)).toBeNull();
    expect(deserializeKerasObject("relu")).toBe("relu");
    expect(deserializeKerasObject([1, { a: 2 }])).toEqual([1, { a: 2 }]);
    const t = deserializeKerasObject({
      class_name: "__tensor__",
      config: { value: [[1, 2]], dtype: "float32" },
    }) as Tensor;
    expect(t.shape).toEqual([1, 2]);
  });
  it("refuses lambdas in safe mode", () => {
    expect(() =>
      deserializeKerasObject({ class_name: "__lambda__", config: { value: "..." } }),
    ).toThrow(/lambda/);
    expect(() =>
      deserializeKerasObject(
        { class_name: "__lambda__", config: { value: "..." } },
        { safeMode: false },
      ),
    ).toThrow(/cannot be loaded in JavaScript/);
  });
  it("applies build_config through buildFromConfig", () => {
    const calls: unknown[] = [];
    class Buildable extends ScaledOnes {
      built = false;
      buildFromConfig(c: unknown) {
        calls.push(c);
      }
    }
    const obj = deserializeKerasObject(
      {
        module: null,
        class_name: "Buildable",
        config: {},
        registered_name: "Buildable",
        build_config: { input_shape: [null, 2] },
      },
      { customObjects: { Buildable } },
    ) as Buildable;
    expect(calls).toEqual([{ input_shape: [null, 2] }]);
    expect(obj.built).toBe(true);
  });
});

describe("registerBuiltin and configToOptions", () => {
  it("lets other modules register their built-ins under a Keras module", () => {
    class FakeLayer {
      static className = "FakeLayer";
      constructor(readonly options: Record<string, unknown>) {}
      getConfig() {
        return { units: this.options.units, use_bias: this.options.useBias };
      }
    }
    registerBuiltin("keras.test_layers", "FakeLayer", FakeLayer, ["fake_layer"]);
    expect(builtinObjects("keras.test_layers")).toEqual({ FakeLayer, fake_layer: FakeLayer });
    const s = serializeKerasObject(new FakeLayer({ units: 3, useBias: false }));
    expect(s).toEqual({
      module: "keras.test_layers",
      class_name: "FakeLayer",
      config: { units: 3, use_bias: false },
      registered_name: null,
    });
    const back = deserializeKerasObject(s) as FakeLayer;
    expect(back.options).toEqual({ units: 3, useBias: false });
  });
  it("maps snake_case keys to camelCase", () => {
    expect(
      configToOptions({ kernel_initializer: "zeros", beta_1: 0.9, l1: 0.1, _private: 1 }),
    ).toEqual({
      kernelInitializer: "zeros",
      beta1: 0.9,
      l1: 0.1,
      _private: 1,
    });
    expect(configToOptions(null)).toEqual({});
    expect(snakeToCamel("max_value")).toBe("maxValue");
    expect(() => configToOptions([1])).toThrow(ValueError);
  });
});

describe("module fallbacks", () => {
  it("accepts an internal Keras module path when the class name is unique", () => {
    const obj = deserializeKerasObject({
      module: "keras.src.initializers.constant_initializers",
      class_name: "Ones",
      config: {},
      registered_name: "Ones",
    });
    expect(obj).toBeInstanceOf(Ones);
    expect(() =>
      deserializeKerasObject({
        module: "my_module",
        class_name: "Ones",
        config: {},
        registered_name: "Ones",
      }),
    ).toThrow(UnknownObjectError);
  });
});
