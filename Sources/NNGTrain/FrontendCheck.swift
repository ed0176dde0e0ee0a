import NNGCore
import NNGIR

/// Checking a whole file needs the train blocks' reader, which lives above the IR.
extension Frontend {
    /// All diagnostics of the whole file (every graph, fn and train block), for `nngc check`,
    /// with `sizes` (`--size`) bound before checking.
    public func check(sizes: [String: Int] = [:]) -> [Diagnostic] {
        guard parseDiagnostics.isEmpty else { return parseDiagnostics }
        return (checkModule(module, overrides: sizes) + checkTrainBlocks(module, overrides: sizes)).sorted { $0.range.start < $1.range.start }
    }
}
