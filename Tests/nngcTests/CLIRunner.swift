import Foundation

/// Runs the built `nngc` executable (it sits beside the test bundle) and captures its output.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The test runner may live inside a `.xctest` bundle folder.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("nngc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/nngc")
    }

    static func graph(_ name: String) -> String {
        packageRoot.appendingPathComponent("Graphs").appendingPathComponent(name).path
    }

    /// A temporary file holding `text`, for malformed-input cases.
    /// A graph whose values are known by heart, for the `eval --data` tests: y = a·x − 1 per
    /// sample (a = 1), s = Σ y over the samples fed.
    static let lineGraph = """
    graph line {
      input x: f64[B, 1]
      param a: f64[] = 1
      y = a * x - 1
      s = sum(y)
      output y, s
    }
    """

    static func temporaryFile(_ text: String, name: String = "model.nng") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try! Data(text.utf8).write(to: url)
        return url.path
    }

    /// `environment`: variables set for the child, on top of this process's.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}
