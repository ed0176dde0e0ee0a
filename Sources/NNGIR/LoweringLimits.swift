/// Bounds that keep the lowering of any file, however hostile, within time and memory linear in
/// its length: programs past them are refused with a diagnostic instead of exhausting memory,
/// overflowing the stack or taking quadratic time.
public struct LoweringLimits: Sendable {
    /// Nodes a lowering may create. fn inlining copies bodies: calls that cannot share a copy
    /// (they draw random numbers) can grow a graph exponentially in the file's length.
    public var maxNodes = 1 << 20
    /// Nesting of expressions through fn calls. The parser bounds the nesting inside one body;
    /// a chain of fns each calling the next multiplies it. Lowering runs on a large stack
    /// (LargeStack.swift) that holds this depth with room to spare.
    public var maxDepth = 50_000
    /// Candidate names the "did you mean" hints of one lowering may compare in all. Each hint
    /// scans every name in scope; thousands of unknown names in a large scope would otherwise
    /// take quadratic time. Past the budget, errors come without a hint.
    public var suggestionBudget = 50_000
    /// Elements of a constant a call such as `linspace(0, 1, N)` may make (16 Mi, 128 MB of
    /// doubles): a short file must not be able to ask for gigabytes of constants.
    public var maxConstantElements = 1 << 24

    public init() {}
}

extension Lowerer {
    /// "; did you mean 'x'?" for the closest of `candidates`, or "" (also once the budget is spent).
    mutating func didYouMean(_ name: String, _ candidates: [String]) -> String {
        guard suggestionWork + candidates.count <= options.limits.suggestionBudget else { return "" }
        suggestionWork += candidates.count
        return NNGIR.didYouMean(name, candidates)
    }
}
