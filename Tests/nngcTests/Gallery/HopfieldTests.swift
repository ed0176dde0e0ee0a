import Foundation
import Testing

/// Graphs/hopfield.nng: three stored 10×10 patterns recalled exactly from probes with 20 % of
/// the pixels flipped, and the energy −½sᵀWs never rising along the updates. Evaluated in full
/// on both backends (the graph is small).
@Suite struct HopfieldTests {
    @Test(arguments: ["c", "interp"])
    func committedProbesAreRecalledExactly(_ backend: String) throws {
        let out = try hopfieldEval(feed: CLI.graph("data/hopfield_inputs.json"), backend: backend)
        let before = try #require(out["distance_in"] as? [[Double]])
        let after = try #require(out["distance"] as? [[Double]])
        for i in 0..<3 {
            #expect(before[i][i] == 20, "probe \(i) has 20 of 100 pixels flipped")
            #expect(after[i][i] == 0, "probe \(i) recalled exactly")
        }
        let energies = try #require(out["energies"] as? [[Double]])
        #expect(energies.count == 6)
        hopfieldExpectMonotone(energies)
        for i in 0..<3 { #expect(energies[5][i] < energies[0][i] - 1, "recall lowers the energy") }
    }

    /// Many more starting states: 60 fresh 20 %-noise probes (all must be recalled) and 60 with
    /// 40 % noise or uniformly random (recall may fail there, but the energy must never rise).
    @Test(arguments: ["c", "interp"])
    func energyNeverRisesFromAnyStart(_ backend: String) throws {
        let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.graph("data/hopfield_inputs.json")))) as! [String: Any]
        let patterns = inputs["patterns"] as! [[Double]]
        var rng = HopfieldTestRNG(seed: 7)
        var probes: [[Double]] = [], targets: [Int] = []
        for k in 0..<120 {
            let m = k % 3
            var s = patterns[m]
            let flips = k < 60 ? 20 : (k < 90 ? 40 : 0)
            if flips == 0 {
                s = (0..<100).map { _ in rng.next() % 2 == 0 ? 1 : -1 }
            } else {
                var order = Array(0..<100)
                for i in stride(from: 99, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                for i in order.prefix(flips) { s[i] = -s[i] }
            }
            probes.append(s)
            targets.append(m)
        }
        let feed = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-hopfield-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["patterns": patterns, "probes": probes]).write(to: feed)
        let out = try hopfieldEval(feed: feed.path, backend: backend)
        let after = try #require(out["distance"] as? [[Double]])
        for k in 0..<60 { #expect(after[k][targets[k]] == 0, "20 % probe \(k) recalled exactly") }
        let energies = try #require(out["energies"] as? [[Double]])
        hopfieldExpectMonotone(energies)
        // The harder starts really move for more than one update, so the check has teeth.
        let moving = (60..<120).filter { k in energies[2][k] < energies[1][k] }.count
        #expect(moving > 0)
    }
}

private func hopfieldEval(feed: String, backend: String) throws -> [String: Any] {
    let r = try CLI.run(["eval", CLI.graph("hopfield.nng"), "--feed", feed, "--backend", backend, "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    return try #require(json?["outputs"] as? [String: Any])
}

/// energies[k][i] ≤ energies[k − 1][i] for every update k and probe i (up to rounding).
private func hopfieldExpectMonotone(_ energies: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
    for k in 1..<energies.count {
        for i in energies[k].indices where energies[k][i] > energies[k - 1][i] + 1e-9 {
            Issue.record("energy of probe \(i) rose at update \(k): \(energies[k - 1][i]) → \(energies[k][i])",
                         sourceLocation: sourceLocation)
        }
    }
}

/// SplitMix64, for reproducible probes.
private struct HopfieldTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
