import ArgumentParser
import NNGCore
import NNGIR
import NNGTrain

/// `nngc check FILE`: parse and type-check; print nothing on success.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and type-check a .nng file; print nothing on success."
    )

    @Argument(help: "The .nng file.")
    var file: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var sizes: SizeOptions

    func run() throws {
        let frontend: Frontend
        do { frontend = try Frontend.load(path: file) } catch { throw UserFailure(error, file: nil) }
        let diagnostics = frontend.check(sizes: try sizes.symbolSizes())
        if format == .json {
            Terminal.out(DiagnosticJSON.report(diagnostics, file: frontend.file).serialized())
        }
        guard diagnostics.contains(where: { $0.severity == .error }) else { return }
        var failure = UserFailure(DiagnosticsError(diagnostics), file: frontend.file)
        if format == .json { failure.report = "" }
        throw failure
    }
}

/// Diagnostics as JSON: `{"ok": BOOL, "diagnostics": [{file, line, column, severity, message}]}`.
enum DiagnosticJSON {
    static func report(_ diagnostics: [Diagnostic], file: SourceFile) -> JSONValue {
        let items: [JSONValue] = diagnostics.map { d in
            let pos = d.position(in: file)
            return .object([
                ("file", .string(file.path)),
                ("line", pos.map { .number(Double($0.line)) } ?? .null),
                ("column", pos.map { .number(Double($0.column)) } ?? .null),
                ("severity", .string(d.severity.rawValue)),
                ("message", .string(d.message)),
            ])
        }
        return .object([("ok", .bool(!diagnostics.contains { $0.severity == .error })), ("diagnostics", .array(items))])
    }
}
