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

    /// All diagnostics of the whole file (every graph and fn), for `nngc check`.
    public func check() -> [Diagnostic] {
        parseDiagnostics.isEmpty ? checkModule(module) : parseDiagnostics
    }

    /// The checked graph `name` (or the only one), re-typed to `dtype` when given.
    public func graph(named name: String? = nil, dtype: DType? = nil) throws(DiagnosticsError) -> Graph {
        if !parseDiagnostics.isEmpty { throw DiagnosticsError(parseDiagnostics) }
        let (graph, diagnostics) = lowerGraph(module, graphName: name, dtype: dtype)
        if let graph, !diagnostics.contains(where: { $0.severity == .error }) { return graph }
        throw DiagnosticsError(diagnostics.isEmpty ? [Diagnostic("graph could not be checked")] : diagnostics)
    }
}
