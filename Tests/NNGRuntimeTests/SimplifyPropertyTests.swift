import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// `simplify` keeps the value of every output: on the random graphs of `RandomGraphTests`
/// (every kind of operation, both element types, dropout in training mode), the interpreter gives
/// the same outputs for the graph and its simplification — bit for bit except where a fusion
/// pattern or a constant fold rounds differently, within the backends' tolerance there.
@Suite struct SimplifyPropertyTests {
    /// The random graph of `seed`, or (`gradients`) the unsimplified graph of the gradients of
    /// the sum of its last output with respect to its inputs: gradient rules make the negations,
    /// broadcasts and reshaped sums that the tidying rewrites remove. Nil when that output does
    /// not have a gradient (accuracy, one_hot, …).
    static func graph(seed: UInt64, gradients: Bool) throws -> RandomGraphBuilder? {
        var b = try RandomGraphBuilder.make(seed: seed)
        guard gradients else { return b }
        let last = b.g.outputs[b.g.outputs.count - 1].node
        let rank = b.g.nodes[last].type.shape.rank
        let loss = try b.g.add(.reduce(.sum, axes: Array(0..<rank), keepdims: false), [last])
        let wrt = b.g.inputs.map(\.node)
        guard let ds = try? differentiate(&b.g, output: loss, wrt: wrt) else { return nil }
        b.g.outputs = ds.enumerated().map { ("d\($0.offset)", $0.element) }
        return b
    }

    static func check(seed: UInt64, gradients: Bool = false) -> [String] {
        let b: RandomGraphBuilder
        do {
            guard let made = try graph(seed: seed, gradients: gradients) else { return [] }
            b = made
        } catch { return ["seed \(seed): the generator built an ill-typed graph: \(error)"] }
        let options = RunOptions(seed: seed, step: 3, training: true)
        let simplified = simplify(b.g)
        let before: [(name: String, value: Tensor)], after: [(name: String, value: Tensor)]
        do {
            before = try Interpreter(graph: b.g).outputs(inputs: b.feeds, params: [:], options: options)
            after = try Interpreter(graph: simplified).outputs(inputs: b.feeds, params: [:], options: options)
        } catch {
            return ["seed \(seed): \(error)"]
        }
        guard before.count == after.count else { return ["seed \(seed): \(before.count) outputs became \(after.count)"] }
        var problems: [String] = []
        for (r, s) in zip(before, after) {
            guard r.name == s.name, r.value.shape == s.value.shape else { problems.append("seed \(seed) \(r.name): name or shape"); continue }
            let x = r.value.doubles, y = s.value.doubles
            if let i = firstDisagreement(x, y, dtype: b.g.dtype) {
                problems.append("seed \(seed) (\(b.g.dtype)) \(r.name)[\(i)]: \(x[i]) before simplify, \(y[i]) after")
            }
        }
        return problems
    }

    /// Their gradient graphs, before and after simplification.
    @Test func simplifyKeepsTheGradientsOfRandomGraphs() throws {
        var checked = 0
        for seed in UInt64(0)..<800 {
            for p in Self.check(seed: seed, gradients: true) { Issue.record(Comment(rawValue: p)) }
            if try Self.graph(seed: seed, gradients: true) != nil { checked += 1 }
        }
        #expect(checked > 400)
    }

    @Test func simplifyKeepsTheOutputsOfRandomGraphs() {
        var simplifiedSomething = 0
        for seed in UInt64(0)..<800 {
            for p in Self.check(seed: seed) { Issue.record(Comment(rawValue: p)) }
            if let b = try? RandomGraphBuilder.make(seed: seed), simplify(b.g).nodes.count < b.g.nodes.count { simplifiedSomething += 1 }
        }
        // The property is exercised: most graphs lose nodes (constants folded, CSE, dead code).
        #expect(simplifiedSomething > 200)
    }
}
