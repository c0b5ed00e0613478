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

  ;; MaxPoolGrad for whole 2×2 windows with stride 2 (no overlap, no padding), c a multiple of 4.
  ;; dx is [n, h, w, c], zeroed here; dy is [n, oh, ow, c]. Each window's dy goes to its first
  ;; strict maximum in row-major order (starting from −∞, so NaN never wins), as tfjs's cpu
  ;; backend does: the last of the four "greater than the running maximum" tests that held.
  (func (export "maxPoolGrad2x2")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $d i32)
    (local $row i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $gp i32)
    (local $m v128) (local $g v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $v v128)
    ;; row = w·c·4 bytes
    (local.set $row (i32.shl (i32.mul (local.get $w) (local.get $c)) (i32.const 2)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $h)) (i32.mul (local.get $w) (local.get $c))) (i32.const 2)))
    (local.set $gp (local.get $dy))
    (local.set $b (i32.const 0))
    (block $batches_done (loop $batches
      (br_if $batches_done (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_u (local.get $ox) (local.get $ow)))
          ;; byte offset of the window's top-left pixel: ((b·h + 2·oy)·w + 2·ox)·c·4
          (local.set $p0 (i32.shl
            (i32.mul
              (i32.add
                (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (i32.shl (local.get $oy) (i32.const 1))) (local.get $w))
                (i32.shl (local.get $ox) (i32.const 1)))
              (local.get $c))
            (i32.const 2)))
          (local.set $d (i32.const 0))
          (block $chans_done (loop $chans
            (br_if $chans_done (i32.ge_u (local.get $d) (local.get $c)))
            (local.set $p1 (i32.add (local.get $p0) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $p2 (i32.add (local.get $p0) (local.get $row)))
            (local.set $p3 (i32.add (local.get $p1) (local.get $row)))
            (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $p0))))
            (local.set $t0 (f32x4.gt (local.get $v) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $t0)))
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $p1))))
            (local.set $t1 (f32x4.gt (local.get $v) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $t1)))
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $p2))))
            (local.set $t2 (f32x4.gt (local.get $v) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $t2)))
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $p3))))
            (local.set $t3 (f32x4.gt (local.get $v) (local.get $m)))
            ;; the winner is the last test that held: t3, else t2, else t1, else t0
            (local.set $t2 (v128.andnot (local.get $t2) (local.get $t3)))
            (local.set $t1 (v128.andnot (local.get $t1) (v128.or (local.get $t2) (local.get $t3))))
            (local.set $t0 (v128.andnot (local.get $t0) (v128.or (local.get $t1) (v128.or (local.get $t2) (local.get $t3)))))
            (local.set $g (v128.load (local.get $gp)))
            (v128.store (i32.add (local.get $dx) (local.get $p0)) (v128.and (local.get $g) (local.get $t0)))
            (v128.store (i32.add (local.get $dx) (local.get $p1)) (v128.and (local.get $g) (local.get $t1)))
            (v128.store (i32.add (local.get $dx) (local.get $p2)) (v128.and (local.get $g) (local.get $t2)))
            (v128.store (i32.add (local.get $dx) (local.get $p3)) (v128.and (local.get $g) (local.get $t3)))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $chans)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $cols)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $batches)))
  )
)
