import Foundation
import Testing

/// Graphs/rbm.nng: CD-1 on 3×3 bars and stripes. Full size on both backends (4000 steps of a
/// 14-sample batch take well under a second with C, a few seconds on the interpreter).
///
/// Bars: the reconstruction error falls below half its initial value, and "mostly valid"
/// samples: of 1000 chains started from uniformly random states and run for 20 Gibbs steps,
/// at least 70 % end on a valid bars-or-stripes image (an untrained RBM gives about 3 %, the
/// chance level 14/512), and the samples cover (nearly) all 14 patterns.
@Suite struct RBMTests {
    @Test(arguments: ["c", "interp"])
    func cdTrainingLowersReconstructionAndSamplesAreValid(_ backend: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-rbm-\(UUID().uuidString)").path
        let r = try CLI.run(["train", CLI.graph("rbm.nng"), "-o", out, "--backend", backend, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let history = try rbmHistory(out + "/history.csv", column: "recon")
        let first = try #require(history.first), last = try #require(history.last)
        #expect(history.count == 4000)
        #expect(last < first / 2, "reconstruction error \(first) → \(last)")

        let trained = try rbmSample(params: out + "/params.safetensors", backend: backend)
        #expect(trained.valid >= 0.7, "valid fraction \(trained.valid)")
        #expect(trained.seen >= 12.0 / 14.0, "patterns seen \(trained.seen)")

        let untrained = try rbmSample(params: nil, backend: backend)
        #expect(untrained.valid < 0.1, "untrained valid fraction \(untrained.valid)")
    }
}

private func rbmSample(params: String?, backend: String) throws -> (valid: Double, seen: Double) {
    var args = ["eval", CLI.graph("rbm.nng"), "--graph", "rbm_sample", "--size", "S=1000", "--backend", backend, "--format", "json"]
    if let params { args += ["--params", params] }
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let outputs = try #require(json?["outputs"] as? [String: Any])
    return (try #require(outputs["valid_fraction"] as? Double), try #require(outputs["patterns_seen"] as? Double))
}

/// One column of a history.csv, epoch by epoch.
private func rbmHistory(_ path: String, column: String) throws -> [Double] {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let k = try #require(header.firstIndex(of: column))
    return lines.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[k]) ?? .nan }
}
