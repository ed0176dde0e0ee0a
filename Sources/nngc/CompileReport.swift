import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// Wall-clock time of each named phase.
final class PhaseClock {
    private(set) var phases: [(String, Double)] = []

    func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { phases.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)) }
        return try body()
    }
}

/// The short summary `nngc compile` prints.
struct CompileReport {
    var file: String
    var graph: Graph
    var phases: [(String, Double)] = []
    /// Symbol sizes the C was generated for.
    var sizes: [String: Int] = [:]
    var gradient: Graph?
    var optimized: Graph?
    var program: CProgram?
    /// The optimizer of the compiled training step, when there is a train block.
    var trainingStep: String?
    /// Which compiled code runs it (TinyCC, the optimised tier, see `TierOptions.describe`).
    var codeTiers: String?

    init(file: String, graph: Graph) {
        self.file = file
        self.graph = graph
    }

    var text: String {
        var lines = ["graph \(graph.name) (\(file)): \(graph.dtype)"]
        lines.append("  forward graph: \(graph.nodes.count) nodes; inputs \(graph.inputs.count), params \(graph.params.count), outputs \(graph.outputs.count)")
        if let gradient {
            // Simplified as a whole, the gradient graph can have fewer nodes than the forward one:
            // its size is reported, not a difference that can be negative.
            lines.append("  gradient graph: \(gradient.nodes.count) nodes, forward and backward, simplified (gradient of \(gradient.outputs.count - graph.outputs.count) params)")
        }
        if let optimized { lines.append("  optimised graph: \(optimized.nodes.count) nodes") }
        lines.append("  parameters: \(Self.grouped(graph.parameterCount))")
        if let program {
            let bound = sizes.keys.sorted().map { "\($0) = \(sizes[$0]!)" }.joined(separator: ", ")
            lines.append("  C: \(program.kernelCount) kernel\(program.kernelCount == 1 ? "" : "s") (\(program.fusedKernelCount) fused from \(program.fusedNodeCount) nodes)" + (bound.isEmpty ? "" : " for \(bound)"))
            let layout = program.layout
            if let trainingStep { lines.append("  training step: nngc_train_step with \(trainingStep)") }
            if let codeTiers { lines.append("  code: \(codeTiers)") }
            lines.append("  arena: \(Self.grouped(layout.totalElements)) elements (\(Self.grouped(layout.totalElements * graph.dtype.byteSize)) bytes); one buffer per node would take \(Self.grouped(layout.unplannedElements))")
        }
        for (name, ms) in phases { lines.append("  \(name): \(String(format: "%.2f", ms)) ms") }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        .object([
            ("graph", .string(graph.name)),
            ("file", .string(file)),
            ("dtype", .string(graph.dtype.rawValue)),
            ("forward_nodes", .number(Double(graph.nodes.count))),
            ("gradient_nodes", gradient.map { .number(Double($0.nodes.count)) } ?? .null),
            ("optimised_nodes", optimized.map { .number(Double($0.nodes.count)) } ?? .null),
            ("parameters", .number(Double(graph.parameterCount))),
            ("kernels", program.map { .number(Double($0.kernelCount)) } ?? .null),
            ("code_tiers", codeTiers.map { .string($0) } ?? .null),
            ("fused_kernels", program.map { .number(Double($0.fusedKernelCount)) } ?? .null),
            ("arena_elements", program.map { .number(Double($0.layout.totalElements)) } ?? .null),
            ("unplanned_elements", program.map { .number(Double($0.layout.unplannedElements)) } ?? .null),
            ("phases_ms", .object(phases.map { ($0.0, .number(($0.1 * 1000).rounded() / 1000)) })),
        ])
    }

    /// 79510 → "79,510".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
