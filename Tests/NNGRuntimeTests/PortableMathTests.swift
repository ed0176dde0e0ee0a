#if canImport(Glibc)
import Glibc
#endif
import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// nngc's own tanh (NNGIR's Ops/PortableMath.swift): accurate against libm, exact at the special
/// values, and the same bits on the interpreter, TinyCC's code and the optimised (vectorised) tier.
@Suite struct PortableMathTests {
    /// Distance in units in the last place between two finite doubles of the same sign.
    static func ulps(_ a: Double, _ b: Double) -> UInt64 {
        let x = Int64(bitPattern: a.bitPattern), y = Int64(bitPattern: b.bitPattern)
        return x > y ? UInt64(x - y) : UInt64(y - x)
    }

    /// Arguments where each branch and its edges are exercised: tiny, around the switch at
    /// 0.625, the bulk, around the cap at 22, and beyond; both signs.
    static func arguments(count: Int) -> [Double] {
        var xs: [Double] = []
        for i in 0..<count {
            let u = CounterRandom.uniform(seed: 9, step: 0, stream: 0, index: UInt64(i))
            let x: Double = switch i % 4 {
            case 0: u * 0.7                               // the rational branch and the switch
            case 1: 0.6 + u * 0.1                         // both sides of 0.625
            case 2: u * 25                                // the exponential branch and the cap
            default: Double.ulpOfOne * pow(2, u * 40)     // tiny
            }
            xs.append(i % 8 < 4 ? x : -x)
        }
        return xs
    }

    @Test func doubleTanhIsWithinTwoUlpsOfLibm() {
        var worst: UInt64 = 0, worstAt = 0.0
        for x in Self.arguments(count: 400_000) {
            let d = Self.ulps(portableTanh(x), tanh(x))
            if d > worst { (worst, worstAt) = (d, x) }
        }
        #expect(worst <= 2, "\(worst) ulp at x = \(worstAt)")
    }

    @Test func floatTanhIsWithinOneUlpOfTheRoundedTrueValue() {
        var worst: UInt64 = 0
        for x in Self.arguments(count: 100_000) {
            let f = Float(x)
            let exact = Float(tanh(Double(f)))
            worst = max(worst, Self.ulps(Double(portableTanh(f)), Double(exact)))
        }
        // Float ulps counted on the doubles of two floats: one float ulp is 2^29 double ulps.
        #expect(worst <= 1 << 29)
    }

    @Test func specialValuesAreExact() {
        #expect(portableTanh(0.0).bitPattern == (0.0).bitPattern)
        #expect(portableTanh(-0.0).bitPattern == (-0.0).bitPattern)
        #expect(portableTanh(Double.infinity) == 1 && portableTanh(-Double.infinity) == -1)
        #expect(portableTanh(22.0) == 1 && portableTanh(-1e300) == -1 && portableTanh(19.1) == 1)
        #expect(portableTanh(Double.nan).isNaN && portableTanh(Float.nan).isNaN)
        #expect(portableTanh(1e-300) == 1e-300 && portableTanh(-5e-324) == -5e-324)
        #expect(portableTanh(Float(-0.0)).sign == .minus && portableTanh(Float.infinity) == 1)
    }

    /// The same bits from the interpreter, TinyCC's code and the optimised tier, at the special
    /// values and across both branches, f32 and f64.
    @Test(arguments: DType.allCases)
    func everyBackendComputesTheSameBits(dtype: DType) throws {
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 0.625, -0.625, 0.62499999, 22, 22.5, 1e-300, 700, -1e9]
        let xs = specials + Self.arguments(count: 4096 - specials.count)
        var g = CGraph(dtype)
        let n = xs.count
        let x = g.input("x", Shape([n]), values: xs)
        g.output(g.op(.unary(.tanh), [x], Shape([n])))
        try expectBackendsAgree(g, exact: true)
        try OptimizedTierTests.expectTiersAgree(g.graph, inputs: g.feeds, params: g.params, options: RunOptions(),
                                                "tanh \(dtype)")
    }
}
