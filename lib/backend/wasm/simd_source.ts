/**
 * The WebAssembly text of lenses' SIMD kernels (see simd.ts), with the repeated parts of a loop
 * generated from small templates.
 *
 * @module
 */

/** One output pixel of a window: dy where `at` names this pixel, +0 elsewhere. */
function storeWinner(pixel: number, offset: string): string {
  return `
            (v128.store (i32.add (local.get $pdx) (i32.add (local.get $i) ${offset}))
              (f32x4.add
                (v128.and (local.get $g) (i32x4.eq (local.get $at) (i32x4.splat (i32.const ${pixel}))))
                (f32x4.splat (f32.const 0))))`;
}

/** Folds pixel `pixel` (value `$v`) into the running maximum `$best` and its index `$at`. */
function foldPixel(pixel: number, offset: string): string {
  return `
            (local.set $v (v128.load (i32.add (local.get $px) (i32.add (local.get $i) ${offset}))))
            (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
            (local.set $at (v128.bitselect (i32x4.splat (i32.const ${pixel})) (local.get $at) (local.get $gt)))`;
}

/** Byte offsets of a 2×2 window's pixels from its first, in the cpu backend's scan order. */
const WINDOW = [
  "(i32.const 0)",
  "(local.get $cBytes)",
  "(local.get $rowBytes)",
  "(i32.add (local.get $rowBytes) (local.get $cBytes))",
];

const MAX_POOL_GRAD = `
  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $h i32)
    (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (local $cBytes i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $m i32) (local $yr i32) (local $yc i32) (local $i i32)
    (local $start i32) (local $px i32) (local $pdx i32) (local $pdy i32)
    (local $v v128) (local $best v128) (local $at v128) (local $gt v128) (local $g v128)
    (local.set $cBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $w) (local.get $cBytes)))
    (local.set $imageBytes (i32.mul (local.get $h) (local.get $rowBytes)))
    (local.set $pdy (local.get $dy))
    (block $images (loop $image
      (br_if $images (i32.ge_u (local.get $m) (local.get $n)))
      (local.set $yr (i32.const 0))
      (block $rows (loop $row
        (br_if $rows (i32.ge_u (local.get $yr) (local.get $oh)))
        (local.set $start
          (i32.add (i32.mul (local.get $m) (local.get $imageBytes))
                   (i32.mul (i32.shl (local.get $yr) (i32.const 1)) (local.get $rowBytes))))
        (local.set $px (i32.add (local.get $x) (local.get $start)))
        (local.set $pdx (i32.add (local.get $dx) (local.get $start)))
        (local.set $yc (i32.const 0))
        (block $windows (loop $window
          (br_if $windows (i32.ge_u (local.get $yc) (local.get $ow)))
          (local.set $i (i32.const 0))
          (block $lanes (loop $lane
            (br_if $lanes (i32.ge_u (local.get $i) (local.get $cBytes)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            ${WINDOW.map((offset, p) => foldPixel(p, offset)).join("")}
            (local.set $g (v128.load (local.get $pdy)))
            ${WINDOW.map((offset, p) => storeWinner(p, offset)).join("")}
            (local.set $pdy (i32.add (local.get $pdy) (i32.const 16)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $lane)))
          (local.set $px (i32.add (local.get $px) (i32.shl (local.get $cBytes) (i32.const 1))))
          (local.set $pdx (i32.add (local.get $pdx) (i32.shl (local.get $cBytes) (i32.const 1))))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $window)))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $row)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $image))))`;

/**
 * In place over `rows` rows of `channels` floats (a multiple of 4): y = min(max(y + bias,
 * lower), upper) with pseudo-min/max, i.e. exactly JavaScript's `v < lower ? lower : v > upper
 * ? upper : v` (NaN stays NaN).
 */
const BIAS_CLAMP = `
  (func (export "biasClamp")
    (param $y i32) (param $bias i32) (param $rows i32) (param $channels i32)
    (param $lower f32) (param $upper f32)
    (local $end i32) (local $rowBytes i32) (local $i i32) (local $p i32)
    (local $lo v128) (local $hi v128)
    (local.set $lo (f32x4.splat (local.get $lower)))
    (local.set $hi (f32x4.splat (local.get $upper)))
    (local.set $rowBytes (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $end (i32.add (local.get $y) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (local.set $p (local.get $y))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $i (i32.const 0))
      (block $lanes (loop $lane
        (br_if $lanes (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.pmin
            (f32x4.pmax
              (f32x4.add
                (v128.load (i32.add (local.get $p) (local.get $i)))
                (v128.load (i32.add (local.get $bias) (local.get $i))))
              (local.get $lo))
            (local.get $hi)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lane)))
      (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
      (br $row))))`;

/** The whole module: the kernels, sharing the tfjs heap's memory. */
export const SIMD_SOURCE = `
(module
  (import "env" "memory" (memory 1))
  ${MAX_POOL_GRAD}
  ${BIAS_CLAMP}
)`;
