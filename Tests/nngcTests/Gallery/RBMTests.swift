import Foundation
import Testing

/// Graphs/rbm.nng: an RBM on 3×3 bars and stripes whose likelihood the graph computes exactly
/// (log Z over all 512 visible states).
///
/// Bars: trained by the exact gradient (`train exact`, full size on the C backend), the exact
/// KL(data‖model) is below 0.1 nats; Gibbs chains from random states put each of the 14
/// patterns, and all of them together, at its exact model probability within 4σ (binomial);
/// the interpreter computes the same history and the same samples. CD-1 (`train cd1`) lowers
/// the reconstruction error below half, as the lecture's method should.
@Suite struct RBMTests {
    @Test func exactGradientReachesTheKLBarAndChainsSampleTheModel() throws {
        let out = temporaryRun("exact")
        let r = try CLI.run(["train", CLI.graph("rbm.nng"), "--train", "exact", "-o", out, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let kl = try rbmHistory(out + "/history.csv", column: "kl")
        #expect(kl.count == 2000)
        #expect(try #require(kl.last) < 0.1, "KL(data‖model) \(kl.last ?? .nan)")
        #expect(kl.first! > 3, "the untrained RBM is near uniform over 512 states: KL ≈ log(512/14) ≈ 3.6")

        // 4000 chains × 520 Gibbs steps (the gallery runs 20000).
        let chains = 4000.0
        let s = try rbmSample(params: out + "/params.safetensors", chains: Int(chains), backend: "c")
        for (k, (f, p)) in zip(s.freq, s.pExact).enumerated() {
            let sigma = (p * (1 - p) / chains).squareRoot()
            #expect(abs(f - p) < 4 * sigma, "pattern \(k): frequency \(f), exact probability \(p)")
        }
        let sigma = (s.pValid * (1 - s.pValid) / chains).squareRoot()
        #expect(abs(s.valid - s.pValid) < 4 * sigma, "valid fraction \(s.valid), exact \(s.pValid)")
    }

    /// The same random numbers on both backends: the interpreter's first 100 steps give the C
    /// backend's history, and its chains the same samples.
    @Test func interpreterAgreesWithC() throws {
        var kls: [[Double]] = []
        for backend in ["c", "interp"] {
            let out = temporaryRun("exact-\(backend)")
            let r = try CLI.run(["train", CLI.graph("rbm.nng"), "--train", "exact", "--epochs", "100", "-o", out,
                                 "--backend", backend, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            kls.append(try rbmHistory(out + "/history.csv", column: "kl"))
        }
        #expect(kls[0].count == 100 && kls[1].count == 100)
        for (c, i) in zip(kls[0], kls[1]) { #expect(abs(c - i) <= 1e-9 * abs(c), "kl \(c) (c) vs \(i) (interp)") }
        let c = try rbmSample(params: nil, chains: 100, backend: "c")
        let interp = try rbmSample(params: nil, chains: 100, backend: "interp")
        #expect(c.freq == interp.freq && c.valid == interp.valid)
        #expect(c.valid < 0.1, "an untrained RBM is near uniform: valid fraction \(c.valid) (chance 14/512)")
    }

    @Test func cd1LowersTheReconstructionError() throws {
        let out = temporaryRun("cd1")
        let r = try CLI.run(["train", CLI.graph("rbm.nng"), "--train", "cd1", "-o", out, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let recon = try rbmHistory(out + "/history.csv", column: "recon")
        #expect(recon.count == 4000)
        #expect(recon.last! < recon.first! / 2, "reconstruction error \(recon.first!) → \(recon.last!)")
    }
}

private func temporaryRun(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("nngc-rbm-\(name)-\(UUID().uuidString)").path
}

private struct RBMSample {
    var valid: Double, pValid: Double, freq: [Double], pExact: [Double]
}

private func rbmSample(params: String?, chains: Int, backend: String) throws -> RBMSample {
    var args = ["eval", CLI.graph("rbm.nng"), "--graph", "rbm_sample", "--size", "S=\(chains)", "--backend", backend,
                "--format", "json"]
    if let params { args += ["--params", params] }
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let o = try #require(json?["outputs"] as? [String: Any])
    return RBMSample(valid: try #require(o["valid_fraction"] as? Double), pValid: try #require(o["p_valid"] as? Double),
                     freq: try #require(o["freq"] as? [Double]), pExact: try #require(o["p_exact"] as? [Double]))
}

/// One column of a history.csv, epoch by epoch.
private func rbmHistory(_ path: String, column: String) throws -> [Double] {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let k = try #require(header.firstIndex(of: column))
    return lines.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[k]) ?? .nan }
}
