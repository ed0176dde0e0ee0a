import Foundation
import Testing

/// Graphs/README.md is generated: `make gallery` measures the numbers into Graphs/gallery.json and
/// renders Graphs/README.template.md with them. This test runs `scripts/gallery.py check`, so a
/// number typed into README.md by hand (or a template edit without a render) fails CI.
@Suite struct GalleryReadmeTests {
    @Test func readmeIsTheRenderedTemplate() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/gallery.py", "check"]
        process.currentDirectoryURL = CLI.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "scripts/gallery.py check failed:\n\(text)")
    }
}
