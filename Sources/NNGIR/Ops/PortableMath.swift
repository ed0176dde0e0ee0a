// Elementary functions that nngc computes itself instead of calling libm, written twice side by
// side — in Swift for the interpreter and constant folding, and as C for the generated code — as
// the same sequence of IEEE operations, so that every backend gives the same bits.
//
// Why not libm: a call to `tanh` per element cannot be vectorised (glibc has no vector tanh
// without fast-math), and in small networks it is most of the step (the variational QHO spent
// 45 % of its time in libm's tanh). These versions are branch-free arithmetic on doubles that
// an optimising C compiler turns into SIMD code, and TinyCC still compiles as scalar code.
// Float arguments are computed in double and rounded once, which makes them all but correctly
// rounded.
//
// Accuracy (PortableMathTests, against libm): tanh within 2 ulp in double.

/// tanh(x) for any double, ±0 and NaN preserved, ±1 beyond |x| = 22.
///
/// |x| < 2⁻²⁸: x itself (x³/3 is below half an ulp of x; this also keeps the sign of −0, which
/// the rational form would lose);
/// |x| < 0.625: x + x·z·P(z)/Q(z) with z = x² (Cephes' rational approximation, relative error
/// 2.5e-16); otherwise 1 − 2/(e^(2|x|) + 1) with the sign of x, |x| capped at 22 (where tanh
/// rounds to ±1) so that e^(2|x|) cannot overflow.
@inline(__always)
public func portableTanh(_ x: Double) -> Double {
    let a = x < 0 ? -x : x
    let z = x * x
    let p = (-0x1.edc5baafd6f4bp-1 * z - 0x1.8d26a0e26682dp+6) * z - 0x1.93ac030580563p+10
    let q = ((z + 0x1.c33f28a581b86p+6) * z + 0x1.176fa0e5535fap+11) * z + 0x1.2ec102442040cp+12
    let small = x + x * z * (p / q)
    let capped = a > 22 ? 22 : a
    let large = 1 - 2 / (portableExpModerate(2 * capped) + 1)
    return a < 0x1p-28 ? x : (a < 0.625 ? small : (x < 0 ? -large : large))
}

@inline(__always)
public func portableTanh(_ x: Float) -> Float { Float(portableTanh(Double(x))) }

/// e^x for |x| ≤ 700 (and NaN), Cephes' method: x = k·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split
/// in two parts so that k·ln 2 is exact), e^r = 1 + 2r·P(r²)/(Q(r²) − r·P(r²)), then 2^k put
/// into the exponent field. k is rounded by adding 1.5·2⁵², whose low bits then hold it.
@inline(__always)
func portableExpModerate(_ x: Double) -> Double {
    let shifter: Double = 0x1.8p52
    let t = x * 0x1.71547652b82fep+0 + shifter
    let k = t - shifter
    var r = x - k * 0x1.62e4p-1
    r = r - k * 0x1.7f7d1cf79abcap-20
    let rr = r * r
    let px = r * ((0x1.089cdd5e44be8p-13 * rr + 0x1.f06d10cca2c7ep-6) * rr + 1)
    let qx = ((0x1.92eb6bc365fap-19 * rr + 0x1.4ae39b508b6cp-9) * rr + 0x1.d17099887e074p-3) * rr
        + 2
    let e = 1 + 2 * (px / (qx - px))
    let scale = Double(bitPattern: (t.bitPattern &- shifter.bitPattern &+ 1023) << 52)
    return e * scale
}

/// The C of the functions above, in the same operations and order, for every generated prelude
/// (after `typedef … T`, `uint64_t` and `NNGC_INLINE`). `nngc_tanh` takes and returns `T`.
public func portableMathC(_ c: CScalarContext) -> String {
    """
    NNGC_INLINE double nngc_exp_moderate(double x) {
      const double shifter = 0x1.8p52;
      const double t = x * 0x1.71547652b82fep+0 + shifter;
      const double k = t - shifter;
      double r = x - k * 0x1.62e4p-1;
      r = r - k * 0x1.7f7d1cf79abcap-20;
      const double rr = r * r;
      const double px = r * ((0x1.089cdd5e44be8p-13 * rr + 0x1.f06d10cca2c7ep-6) * rr + 1);
      const double qx = ((0x1.92eb6bc365fap-19 * rr + 0x1.4ae39b508b6cp-9) * rr + 0x1.d17099887e074p-3) * rr
        + 2;
      const double e = 1 + 2 * (px / (qx - px));
      union { double d; uint64_t u; } bt, bs, sc;
      bt.d = t; bs.d = shifter;
      sc.u = (bt.u - bs.u + 1023) << 52;
      return e * sc.d;
    }
    NNGC_INLINE double nngc_tanh64(double x) {
      const double a = x < 0 ? -x : x;
      const double z = x * x;
      const double p = (-0x1.edc5baafd6f4bp-1 * z - 0x1.8d26a0e26682dp+6) * z - 0x1.93ac030580563p+10;
      const double q = ((z + 0x1.c33f28a581b86p+6) * z + 0x1.176fa0e5535fap+11) * z + 0x1.2ec102442040cp+12;
      const double small = x + x * z * (p / q);
      const double capped = a > 22 ? 22 : a;
      const double large = 1 - 2 / (nngc_exp_moderate(2 * capped) + 1);
      return a < 0x1p-28 ? x : (a < 0.625 ? small : (x < 0 ? -large : large));
    }
    NNGC_INLINE T nngc_tanh(T x) { return \(c.dtype == .f32 ? "(float)nngc_tanh64((double)x)" : "nngc_tanh64(x)"); }
    """
}
