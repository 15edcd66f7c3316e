/**
 * The machine's optimised BLAS (OpenBLAS, MKL, BLIS or Apple Accelerate), bound through Deno's
 * FFI for single-precision matrix products (sgemm, sgemv).
 *
 * Why: wasm has 128-bit SIMD only, so XNNPACK's GEMM tops out near 30 GFLOP/s on one core,
 * while a native BLAS uses the CPU's full vector width (AVX2/AVX-512/NEON) — about 4× that on
 * the build machine. Convolutions and dense layers are nearly all GEMM, so the wasm backend
 * hands them to this library when one is installed and keeps everything else in wasm.
 *
 * `LENSES_BLAS=off` disables it; `LENSES_BLAS=/path/to/lib.so` picks a library. The reference
 * (netlib) BLAS is refused: it is slower than XNNPACK. OpenBLAS gets the kernels the CPU's
 * feature flags call for when its own detection cannot tell (`OPENBLAS_CORETYPE` overrides).
 *
 * @module
 */

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** Matrix arguments: row-major views, possibly into the wasm heap. */
export type Matrix = Float32Array;

/** A bound BLAS library. */
export interface Blas {
  /** What it is, e.g. "OpenBLAS 0.3.21 (SkylakeX)". */
  readonly description: string;
  /** Threads its products run on. */
  threads(): number;
  /** Sets the threads its products run on (no-op where the library offers no control). */
  setThreads(count: number): void;
  /**
   * C ← op(A)·op(B) + beta·C, all row-major: op(A) is m×k (A is k×m when `transA`), op(B) is
   * k×n (B is n×k when `transB`), C is m×n.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Matrix,
    b: Matrix,
    c: Matrix,
    beta?: number,
  ): void;
  /** y ← op(A)·x, row-major: A is m×n, op(A) is Aᵀ when `transA`. */
  sgemv(
    transA: boolean,
    m: number,
    n: number,
    a: Matrix,
    x: Matrix,
    y: Matrix,
  ): void;
}

/** The outcome of looking for a BLAS: the library, or why there is none. */
export type BlasSearch = { blas: Blas; reason?: undefined } | {
  blas?: undefined;
  reason: string;
};

const PRODUCTS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
} as const;

/** How to recognise each vendor and control its threads; `optional` symbols may be absent. */
const VENDOR_SYMBOLS = {
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  openblas_set_num_threads: {
    parameters: ["i32"],
    result: "void",
    optional: true,
  },
  MKL_Get_Max_Threads: { parameters: [], result: "i32", optional: true },
  MKL_Set_Num_Threads: { parameters: ["i32"], result: "void", optional: true },
  bli_info_get_version_str: {
    parameters: [],
    result: "pointer",
    optional: true,
  },
  bli_thread_get_num_threads: { parameters: [], result: "i64", optional: true },
  bli_thread_set_num_threads: {
    parameters: ["i64"],
    result: "void",
    optional: true,
  },
} as const;

const SYMBOLS = { ...PRODUCTS, ...VENDOR_SYMBOLS } as const;

type Library = Deno.DynamicLibrary<typeof SYMBOLS>;

/** Library names to try, fastest-first, for this OS. */
function candidates(): string[] {
  switch (Deno.build.os) {
    case "darwin":
      return [
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "/usr/local/opt/openblas/lib/libopenblas.dylib",
      ];
    case "windows":
      return ["libopenblas.dll", "mkl_rt.2.dll", "mkl_rt.dll"];
    default:
      return [
        "libopenblas.so.0",
        "libopenblas.so",
        "libmkl_rt.so.2",
        "libmkl_rt.so",
        "libblis.so.4",
        "libblis.so",
        "libblas.so.3", // Debian's alternatives link: OpenBLAS or BLIS when installed
      ];
  }
}

function cString(pointer: Deno.PointerValue): string {
  return pointer ? new Deno.UnsafePointerView(pointer).getCString() : "";
}

/** Describes `lib` and its thread control, or undefined for a BLAS lenses will not use. */
function identify(lib: Library, path: string): Blas | undefined {
  const s = lib.symbols;
  const sgemm: Blas["sgemm"] = (transA, transB, m, n, k, a, b, c, beta = 0) => {
    s.cblas_sgemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      a,
      transA ? m : k,
      b,
      transB ? k : n,
      beta,
      c,
      n,
    );
  };
  const sgemv: Blas["sgemv"] = (transA, m, n, a, x, y) => {
    s.cblas_sgemv(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      m,
      n,
      1,
      a,
      n,
      x,
      1,
      0,
      y,
      1,
    );
  };
  const products = { sgemm, sgemv };
  if (s.openblas_get_config) {
    const config = cString(s.openblas_get_config()).split(" ");
    const version = config.slice(0, 2).join(" ");
    const core = config.find((w) => /^[A-Z][A-Za-z0-9]+$/.test(w) && w !== config[0]);
    return {
      description: core ? `${version} (${core})` : version,
      threads: () => s.openblas_get_num_threads?.() ?? 1,
      setThreads: (count) => s.openblas_set_num_threads?.(count),
      ...products,
    };
  }
  if (s.MKL_Get_Max_Threads) {
    return {
      description: "Intel MKL",
      threads: () => s.MKL_Get_Max_Threads!(),
      setThreads: (count) => s.MKL_Set_Num_Threads?.(count),
      ...products,
    };
  }
  if (s.bli_info_get_version_str) {
    return {
      description: `BLIS ${cString(s.bli_info_get_version_str())}`,
      threads: () => Math.max(1, Number(s.bli_thread_get_num_threads?.() ?? 1)),
      setThreads: (count) => s.bli_thread_set_num_threads?.(BigInt(count)),
      ...products,
    };
  }
  if (path.includes("Accelerate")) {
    return {
      description: "Apple Accelerate",
      threads: () => navigator.hardwareConcurrency ?? 1,
      setThreads: () => {},
      ...products,
    };
  }
  return undefined;
}

/**
 * The OpenBLAS core type this x86-64 Linux CPU's feature flags call for, or undefined. OpenBLAS
 * picks its kernels from the CPU's family and model, which virtual machines often report
 * generically ("Intel(R) Xeon(R) Processor"); it then falls back to its SSE3 kernels
 * (Prescott), measured 2.7× slower in sgemm than the AVX-512 ones on the same CPU.
 */
function coreTypeFromFlags(): string | undefined {
  // Read once: findBlas may open several candidate libraries.
  flagsCore ??= { core: readCoreType() };
  return flagsCore.core;
}

let flagsCore: { core: string | undefined } | undefined;

function readCoreType(): string | undefined {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return undefined;
  let flags: Set<string>;
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    flags = new Set(info.match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? []);
  } catch {
    return undefined;
  }
  const all = (names: string[]) => names.every((f) => flags.has(f));
  if (all(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"])) return "SkylakeX";
  if (all(["avx2", "fma"])) return "Haswell";
  return undefined;
}

function open(path: string): Library | string {
  // OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded; unless the user set it, name the
  // core for the load only, so that child processes see the environment they were given.
  const core = Deno.env.get("OPENBLAS_CORETYPE") === undefined ? coreTypeFromFlags() : undefined;
  if (core) Deno.env.set("OPENBLAS_CORETYPE", core);
  try {
    return Deno.dlopen(path, SYMBOLS);
  } catch (err) {
    return (err as Error).message;
  } finally {
    if (core) Deno.env.delete("OPENBLAS_CORETYPE");
  }
}

/**
 * Finds and binds the machine's optimised BLAS, honouring `LENSES_BLAS` ("off" or a library
 * path). Never throws: without FFI permission or a usable library, `reason` says why.
 *
 * @example
 * ```ts
 * const { blas, reason } = findBlas();
 * console.log(blas ? blas.description : `no native BLAS: ${reason}`);
 * ```
 */
export function findBlas(): BlasSearch {
  const setting = Deno.env.get("LENSES_BLAS")?.trim();
  if (setting?.toLowerCase() === "off") {
    return { reason: "LENSES_BLAS=off" };
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { reason: "no FFI permission (run with -A or --allow-ffi)" };
  }
  const paths = setting ? [setting] : candidates();
  const refused: string[] = [];
  for (const path of paths) {
    const lib = open(path);
    if (typeof lib === "string") {
      if (setting) return { reason: `LENSES_BLAS=${setting}: ${lib}` };
      continue;
    }
    const blas = identify(lib, path);
    if (blas) return { blas };
    lib.close();
    refused.push(path);
  }
  const why = refused.length
    ? `${refused.join(", ")} is the reference BLAS (slower than wasm's XNNPACK)`
    : "none installed";
  return {
    reason: `no optimised BLAS (${why}); install OpenBLAS ` +
      `(Debian/Ubuntu: apt-get install libopenblas0) for ~4× faster CPU training`,
  };
}
