import Foundation

/// The Python of the tests' cross-checks: `.build/test-venv`, made by scripts/test-venv.sh
/// (`make test` runs it). A missing environment is a test failure, never a skip: CI must run
/// every cross-check.
public enum TestPython {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var executable: String { packageRoot.appendingPathComponent(".build/test-venv/bin/python").path }

    /// Runs `script` with `arguments`; returns its standard output, or throws with its standard error.
    public static func run(_ script: String, arguments: [String] = []) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) is missing: run `bash scripts/test-venv.sh` (make test does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: outData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python failed (\(process.terminationStatus)):\n\(String(decoding: errData, as: UTF8.self))\(stdout)")
        }
        return stdout
    }
}
