import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct ConvolutionTests {
    /// Direct cross-correlation loops with zero padding.
    static func direct(_ x: [Double], _ w: [Double], n: Int, c: Int, h: Int, wd: Int, k: Int, r: Int, s: Int,
                       stride: Int, pad: Int) -> ([Int], [Double]) {
        let oh = (h + 2 * pad - r) / stride + 1, ow = (wd + 2 * pad - s) / stride + 1
        var out = [Double](repeating: 0, count: n * k * oh * ow)
        for b in 0..<n { for o in 0..<k { for y in 0..<oh { for xo in 0..<ow {
            var acc = 0.0
            for ci in 0..<c { for i in 0..<r { for j in 0..<s {
                let iy = y * stride + i - pad, ix = xo * stride + j - pad
                if iy >= 0, iy < h, ix >= 0, ix < wd {
                    acc += x[((b * c + ci) * h + iy) * wd + ix] * w[((o * c + ci) * r + i) * s + j]
                }
            } } }
            out[((b * k + o) * oh + y) * ow + xo] = acc
        } } } }
        return ([n, k, oh, ow], out)
    }

    @Test(arguments: DType.allCases)
    func smallByHand(dtype: DType) throws {
        // 1×1×3×3 input, 1×1×2×2 kernel of ones: sums of 2×2 windows.
        let y = try apply(.conv2d(stride: 1, padding: 0), [Arg.iota([1, 1, 3, 3]), Arg([1, 1, 2, 2], [1, 1, 1, 1])],
                          shape: [1, 1, 2, 2], dtype: dtype)
        expectClose(y, [1, 1, 2, 2], [8, 12, 20, 24], dtype: dtype)
        // not flipped: a kernel picking the top-left element
        let z = try apply(.conv2d(stride: 1, padding: 0), [Arg.iota([1, 1, 3, 3]), Arg([1, 1, 2, 2], [1, 0, 0, 0])],
                          shape: [1, 1, 2, 2], dtype: dtype)
        expectClose(z, [1, 1, 2, 2], [0, 1, 3, 4], dtype: dtype)
    }

    @Test(arguments: DType.allCases, [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
    func againstDirectLoops(dtype: DType, config: (Int, Int)) throws {
        let (stride, pad) = config
        let (n, c, h, wd, k, r, s) = (2, 3, 7, 6, 4, 3, 2)
        let x = pseudoRandom(n * c * h * wd, seed: 5), w = pseudoRandom(k * c * r * s, seed: 6)
        let (shape, expected) = Self.direct(x, w, n: n, c: c, h: h, wd: wd, k: k, r: r, s: s, stride: stride, pad: pad)
        let y = try apply(.conv2d(stride: stride, padding: pad), [Arg([n, c, h, wd], x), Arg([k, c, r, s], w)],
                          shape: shape, dtype: dtype)
        expectClose(y, shape, expected, dtype: dtype, tol: dtype == .f32 ? 1e-5 : 1e-13)
    }

    @Test(arguments: DType.allCases)
    func channelMismatchIsADiagnostic(dtype: DType) throws {
        let msg = errorMessage {
            _ = try apply(.conv2d(stride: 1, padding: 0), [Arg.iota([1, 2, 3, 3]), Arg.iota([1, 3, 2, 2])],
                          shape: [1, 1, 2, 2], dtype: dtype)
        }
        #expect(msg == "conv2d needs x [N, C, H, W] and w [K, C, R, S], got [1, 2, 3, 3] and [1, 3, 2, 2]")
    }

    @Test(arguments: DType.allCases)
    func maxAndAveragePooling(dtype: DType) throws {
        // 4×4 plane 0..15, size 2 stride 2
        let x = Arg.iota([1, 1, 4, 4])
        expectClose(try apply(.pool(.max, size: 2, stride: 2), [x], shape: [1, 1, 2, 2], dtype: dtype),
                    [1, 1, 2, 2], [5, 7, 13, 15], dtype: dtype)
        expectClose(try apply(.pool(.average, size: 2, stride: 2), [x], shape: [1, 1, 2, 2], dtype: dtype),
                    [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5], dtype: dtype)
        // overlapping windows, size 3 stride 1, on a rank-2 input
        let y = Arg([3, 4], [1, -2, 3, 0, 5, 9, -1, 2, 0, 4, 8, -3])
        expectClose(try apply(.pool(.max, size: 3, stride: 1), [y], shape: [1, 2], dtype: dtype), [1, 2], [9, 9], dtype: dtype)
        expectClose(try apply(.pool(.average, size: 3, stride: 1), [y], shape: [1, 2], dtype: dtype), [1, 2],
                    [27.0 / 9, 20.0 / 9], dtype: dtype)
        // odd sizes drop the remainder: 5 → (5 − 2)/2 + 1 = 2, several leading planes
        let z = Arg.iota([2, 5, 5])
        expectClose(try apply(.pool(.max, size: 2, stride: 2), [z], shape: [2, 2, 2], dtype: dtype), [2, 2, 2],
                    [6, 8, 16, 18, 31, 33, 41, 43], dtype: dtype)
    }
}
