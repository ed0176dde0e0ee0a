import Foundation
import NNGCore
import NNGLang

/// Source text → parsed module → checked graph, with every diagnostic on the way.
public struct Frontend {
    public let file: SourceFile
    public let module: Module
    /// Syntax errors; when any exist, checking is not attempted.
    public let parseDiagnostics: [Diagnostic]

    public init(file: SourceFile) {
        self.file = file
        (module, parseDiagnostics) = parse(file)
    }

    /// Reads a file. A file that cannot be read is a diagnostic without a location.
    public static func load(path: String) throws(DiagnosticsError) -> Frontend {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file"
            throw DiagnosticsError(Diagnostic("\(reason): '\(path)'"))
        }
        return Frontend(file: SourceFile(path: path, text: String(decoding: data, as: UTF8.self)))
    }

    /// The checked graph `name` (or the only one), re-typed to `dtype` when given. Its sizes are
    /// `sizes` (`--size`), else those the sources of its train blocks bind (SourceSizes.swift).
    public func graph(named name: String? = nil, dtype: DType? = nil, sizes: [String: Int] = [:]) throws(DiagnosticsError) -> Graph {
        if !parseDiagnostics.isEmpty { throw DiagnosticsError(parseDiagnostics) }
        let (bound, sizeDiagnostics) = graphSizes(module, graphName: name, overrides: sizes)
        if !sizeDiagnostics.isEmpty { throw DiagnosticsError(sizeDiagnostics) }
        let (graph, diagnostics) = lowerGraph(module, graphName: name, options: LoweringOptions(dtype: dtype, sizes: bound))
        if let graph, !diagnostics.contains(where: { $0.severity == .error }) { return graph }
        throw DiagnosticsError(diagnostics.isEmpty ? [Diagnostic("graph could not be checked")] : diagnostics)
    }
}

extension Frontend {
    /// The scalar output to differentiate when none is named: the `minimize` of the file's
    /// train block for this graph, else the only scalar output.
    public func differentiatedOutput(of graph: Graph) throws(DiagnosticsError) -> String {
        for train in module.trains {
            let graphEntry = train.entries.first { $0.key.name == "graph" }
            if let graphEntry, case .name(let g) = graphEntry.value.kind, g != graph.name { continue }
            if let entry = train.entries.first(where: { $0.key.name == "minimize" }),
               case .name(let name) = entry.value.kind, graph.output(named: name) != nil {
                return name
            }
        }
        let scalars = graph.outputs.filter { graph[$0.node].type.shape.isScalar }.map(\.name)
        // Both errors concern the graph as a whole: they point at its name.
        let at = module.graphs.first { $0.name.name == graph.name }?.name.range ?? .none
        switch scalars.count {
        case 1: return scalars[0]
        case 0: throw DiagnosticsError(Diagnostic("graph '\(graph.name)' has no scalar output to differentiate", at: at))
        default:
            throw DiagnosticsError(Diagnostic("graph '\(graph.name)' has several scalar outputs (\(scalars.joined(separator: ", "))): choose one with --of", at: at))
        }
    }
}
