;; Kernels the tfjs wasm backend lacks, in wasm SIMD, run on its heap (the memory is imported).
;; Offsets are byte offsets into that memory; counts are elements.
(module
  (import "env" "memory" (memory 1))

  ;; Adam, one variable: m1 = b1·m0 + k1·g; v1 = b2·v0 + k2·g²; w1 = w0 − step·m1 / (√(c·v1) + eps)
  (func (export "adam")
    (param $w0 i32) (param $m0 i32) (param $v0 i32) (param $g i32)
    (param $w1 i32) (param $m1 i32) (param $v1 i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $k1 f32) (param $k2 f32)
    (param $step f32) (param $c f32) (param $eps f32)
    (local $i i32) (local $o i32) (local $end i32)
    (local $B1 v128) (local $B2 v128) (local $K1 v128) (local $K2 v128)
    (local $STEP v128) (local $C v128) (local $EPS v128)
    (local $G v128) (local $M v128) (local $V v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $K1 (f32x4.splat (local.get $k1)))
    (local.set $K2 (f32x4.splat (local.get $k2)))
    (local.set $STEP (f32x4.splat (local.get $step)))
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $G (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $M (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m0) (local.get $o))) (local.get $B1))
          (f32x4.mul (local.get $G) (local.get $K1))))
        (local.set $V (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v0) (local.get $o))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $K2))))
        (v128.store (i32.add (local.get $m1) (local.get $o)) (local.get $M))
        (v128.store (i32.add (local.get $v1) (local.get $o)) (local.get $V))
        (v128.store (i32.add (local.get $w1) (local.get $o))
          (f32x4.sub
            (v128.load (i32.add (local.get $w0) (local.get $o)))
            (f32x4.div
              (f32x4.mul (local.get $STEP) (local.get $M))
              (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $V) (local.get $C))) (local.get $EPS)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $four)))
    (block $tail_done
      (loop $one
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms (f32.add
          (f32.mul (f32.load (i32.add (local.get $m0) (local.get $o))) (local.get $b1))
          (f32.mul (local.get $gs) (local.get $k1))))
        (local.set $vs (f32.add
          (f32.mul (f32.load (i32.add (local.get $v0) (local.get $o))) (local.get $b2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $k2))))
        (f32.store (i32.add (local.get $m1) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $v1) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $w1) (local.get $o))
          (f32.sub
            (f32.load (i32.add (local.get $w0) (local.get $o)))
            (f32.div
              (f32.mul (local.get $step) (local.get $ms))
              (f32.add (f32.sqrt (f32.mul (local.get $vs) (local.get $c))) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
  )
)
