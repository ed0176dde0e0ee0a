import NNGCore
import NNGIR

/// A graph evaluated over a data set, optionally group by group (`nngc eval --data … --by T`).
///
/// Samples are grouped by the value of one column (one value per sample: [N] or [N, 1]);
/// groups are sorted by that value. The graph runs once per group (once on everything
/// without grouping), not in training mode. Per group, a scalar output is reported as it is
/// (a loss or an accuracy of the group) and an output with one value per sample ([n] or
/// [n, 1]) as its mean over the group; other outputs are not summarised.
public struct GroupedEvaluation: Sendable {
    public struct Group: Sendable {
        /// The value of the grouping column (nil without grouping).
        public var key: Double?
        public var count: Int
        /// The group's samples: their indices in the data, in data order.
        public var indices: [Int] = []
        /// Output name → scalar value or mean over the group's samples, in output order.
        public var values: [(name: String, value: Double)]
        /// Output name → per-sample values, for outputs with one value per sample.
        public var samples: [String: [Double]]

        public func value(_ name: String) -> Double? { values.first { $0.name == name }?.value }
    }

    public var by: String?
    public var groups: [Group]

    /// Names of the outputs summarised (the same in every group).
    public var outputNames: [String] { groups.first?.values.map(\.name) ?? [] }

    /// Evaluates `graph` on `data`. `by` must name a column of `data` with one value per sample.
    public static func run(graph: Graph, data: Dataset, by: String?, params: [String: Tensor],
                           backend: BackendKind, options: RunOptions) throws(DiagnosticsError) -> GroupedEvaluation {
        let inputNames = Set(graph.inputs.map(\.name))
        func inputs(_ set: Dataset) -> [String: Tensor] {
            set.columns.filter { inputNames.contains($0.key) }.mapValues { $0.converted(to: graph.dtype) }
        }
        var parts: [(key: Double?, indices: [Int])] = []
        if let by {
            guard let column = data[by] else {
                let names = data.columns.keys.sorted().joined(separator: ", ")
                throw DiagnosticsError(Diagnostic("--by \(by): the data has no column '\(by)' (it has \(names))"))
            }
            guard column.count == data.count else {
                throw DiagnosticsError(Diagnostic("--by \(by): the column must hold one value per sample, but it is \(Shape(column.shape))"))
            }
            var byKey: [Double: [Int]] = [:]
            for (i, v) in column.doubles.enumerated() { byKey[v, default: []].append(i) }
            parts = byKey.keys.sorted().map { ($0, byKey[$0]!) }
        } else {
            parts = [(nil, Array(0..<data.count))]
        }
        var groups: [Group] = []
        for part in parts {
            let set = by == nil ? data : data.gather(part.indices)
            let outputs = try backend.outputs(of: graph, inputs: inputs(set), params: params, options: options)
            var values: [(name: String, value: Double)] = []
            var samples: [String: [Double]] = [:]
            for (name, t) in outputs where !values.contains(where: { $0.name == name }) {
                if t.rank == 0 {
                    values.append((name, t.doubles[0]))
                } else if t.shape[0] == set.count, t.count == set.count {
                    let xs = t.doubles
                    values.append((name, xs.reduce(0, +) / Double(max(1, xs.count))))
                    samples[name] = xs
                }
            }
            groups.append(Group(key: part.key, count: part.indices.count, indices: part.indices, values: values, samples: samples))
        }
        return GroupedEvaluation(by: by, groups: groups)
    }

    /// Where the group means of `output` cross `level`, by linear interpolation between
    /// neighbouring groups (a group exactly at the level counts once). Needs grouping.
    public func crossings(of output: String, level: Double) -> [Double] {
        let points: [(x: Double, y: Double)] = groups.compactMap { g in
            guard let k = g.key, let v = g.value(output), v.isFinite else { return nil }
            return (k, v)
        }
        return levelCrossings(points, level: level)
    }
}

/// The x where a piecewise-linear curve through `points` (sorted by x) crosses `level`:
/// linear interpolation inside each segment whose ends lie on opposite sides; a point exactly
/// at the level is one crossing (when the curve passes through it or touches it).
public func levelCrossings(_ points: [(x: Double, y: Double)], level: Double) -> [Double] {
    var result: [Double] = []
    for (i, p) in points.enumerated() {
        let d = p.y - level
        if d == 0 {
            result.append(p.x)
            continue
        }
        guard i + 1 < points.count else { continue }
        let q = points[i + 1]
        let e = q.y - level
        if e != 0, (d < 0) != (e < 0) {
            result.append(p.x + (q.x - p.x) * d / (d - e))
        }
    }
    return result
}
