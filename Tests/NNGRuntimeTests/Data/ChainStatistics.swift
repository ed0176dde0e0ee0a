import Foundation

/// Estimates with honest errors from the correlated samples of a Markov chain.
///
/// The samples are cut into `batches` consecutive blocks; when a block is much longer than the
/// autocorrelation time the block means are independent, and the jackknife over blocks gives
/// the standard error of any smooth function of means (a mean itself, or a variance such as
/// the specific heat) without assuming the samples are independent.
enum ChainStatistics {
    static let batches = 32

    /// `f` of the means of `series` (each in chain order, all the same length), with its
    /// leave-one-block-out jackknife standard error.
    static func jackknife(_ series: [[Double]], _ f: ([Double]) -> Double) -> (value: Double, error: Double) {
        let n = series[0].count, B = batches
        precondition(n >= B && series.allSatisfy { $0.count == n })
        let blockSums = series.map { s in
            (0..<B).map { b in s[(b * n / B)..<((b + 1) * n / B)].reduce(0, +) }
        }
        let totals = blockSums.map { $0.reduce(0, +) }
        let value = f(totals.map { $0 / Double(n) })
        let leaveOneOut = (0..<B).map { b -> Double in
            let kept = Double(n - ((b + 1) * n / B - b * n / B))
            return f(zip(totals, blockSums).map { ($0 - $1[b]) / kept })
        }
        let mean = leaveOneOut.reduce(0, +) / Double(B)
        let variance = leaveOneOut.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } * Double(B - 1) / Double(B)
        return (value, variance.squareRoot())
    }

    /// Mean and standard error of one series.
    static func mean(_ series: [Double]) -> (value: Double, error: Double) { jackknife([series]) { $0[0] } }
}
