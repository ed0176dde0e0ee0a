import ArgumentParser
import Foundation
import NNGCore
import NNGRuntime

/// The `nngc` command: a compiler for neural-network graphs written in `.nng`.
@main
struct NNGC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nngc",
        abstract: "Compile, differentiate, check and run neural-network graphs written in .nng.",
        version: version,
        subcommands: [CheckCommand.self, CompileCommand.self, EvalCommand.self, ExportCommand.self, GradcheckCommand.self, ImportCommand.self, TrainCommand.self]
    )

    static let version = "0.1.0"

    /// `nngc --version`: the version, and the BLAS library and kernels matrix products run on.
    static var versionText: String { "nngc \(version)\n" + BLASLibrary.shared.description }

    /// Exit statuses of the contract: 0 success, 1 an error in the user's input
    /// or a failed check, 2 bad command-line usage.
    static func main() {
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            Terminal.out(versionText)
            return
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as UserFailure {
            Terminal.error(failure.report)
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            Terminal.error(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

/// An error in the user's input (diagnostics already rendered): exit status 1.
struct UserFailure: Error {
    var report: String
    /// When true the report has already been printed (e.g. as JSON on stdout).
    var printed = false

    init(_ report: String) { self.report = report }

    init(_ error: DiagnosticsError, file: SourceFile?) {
        report = error.rendered(in: file)
    }
}

/// Writing to the terminal's streams.
enum Terminal {
    static func out(_ text: String) {
        FileHandle.standardOutput.write((text + "\n").data(using: .utf8)!)
    }

    static func error(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
    }
}
