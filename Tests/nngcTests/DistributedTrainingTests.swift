import Foundation
import Testing

/// Data-parallel training under a real `mpirun` (docs/distributed.md): the parameters after
/// 20 steps equal those of the single-process run (1e-12 relative in f64, 1e-5 in f32), on both
/// backends, for P = 1, 2, 3 ranks — xor, an MLP with uneven shards (batch 64 over 3 ranks, and a
/// last batch of 8) and ising_cnn; every rank ends with rank 0's parameters bit for bit (nngc checks this itself
/// at the end of a run and fails otherwise); a checkpoint written at P = 2 resumes at P = 1 and
/// P = 3; a killed rank ends the job.
@Suite(.serialized) struct DistributedTrainingTests {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `mpirun -n P nngc ARGS` (as root, and with more ranks than cores allowed).
    static func launch(_ ranks: Int, _ arguments: [String]) throws -> CLIResult {
        let mpirun = try #require(Self.mpirun, "mpirun is not installed (scripts/install-deps.sh installs openmpi-bin)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-n", "\(ranks)", CLI.executable.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A 3-class MLP (8 → 16 → 3) on 200 samples in batches of 64: batches of 64, 64, 64, 8,
    /// shards of 22/21/21 and 3/3/2 at P = 3.
    static func mlpFile(hidden: String = "relu(x @ W1 + b1)", extraParams: String = "") throws -> String {
        let dir = Gallery.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rows: [String] = []
        for i in 0..<200 {
            let x = (0..<8).map { j in sin(Double(i * 8 + j) * 0.37) }
            let label = x[0] + x[1] > 0.3 ? 2 : (x[2] > 0 ? 1 : 0)
            rows.append((x.map { String($0) } + [String(label)]).joined(separator: ","))
        }
        try rows.joined(separator: "\n").write(toFile: dir + "/mlp.csv", atomically: true, encoding: .utf8)
        let graph = """
        graph mlp {
          input x: f64[B, 8]
          input label: f64[B]
          param W1: f64[8, 16] = he
          param b1: f64[16] = zeros
          param W2: f64[16, 3] = xavier
          param b2: f64[3] = zeros
          \(extraParams)
          z    = \(hidden) @ W2 + b2
          t    = one_hot(label, classes = 3)
          loss = cross_entropy(z, t)
          acc  = accuracy(z, t)
          output loss, acc
        }
        train {
          minimize  = loss
          data      = csv("mlp.csv", x = [0, 1, 2, 3, 4, 5, 6, 7], label = 8, header = false)
          optimizer = adam(lr = 0.01)
          batch     = 64
          epochs    = 5
          report    = acc
        }
        """
        try graph.write(toFile: dir + "/mlp.nng", atomically: true, encoding: .utf8)
        return dir + "/mlp.nng"
    }

    /// Trains FILE in one process and under `mpirun -n P`; the parameters must agree.
    func expectSameParameters(_ file: String, ranks: Int, _ arguments: [String], tolerance: Double) throws {
        let single = Gallery.tempDir(), parallel = Gallery.tempDir()
        let r1 = try Gallery.run(["train", file, "-o", single, "--format", "json"] + arguments)
        #expect(r1.status == 0, "\(r1.stderr)")
        let rP = try Self.launch(ranks, ["train", file, "-o", parallel, "--format", "json"] + arguments)
        #expect(rP.status == 0, "\(rP.stdout)\(rP.stderr)")
        if ranks > 1 { #expect(rP.stdout.contains("\"ranks\": \(ranks)"), "\(rP.stdout)") }
        // Rank 0 alone prints: one summary.
        #expect(rP.stdout.components(separatedBy: "\"summary\"").count == 2, "\(rP.stdout)")
        let a = try SafeTensors.read(single + "/params.safetensors")
        let b = try SafeTensors.read(parallel + "/params.safetensors")
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, x) in a {
            let y = try #require(b[name])
            let scale = max(1, x.map(abs).max() ?? 1)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance * scale, "\(file) P = \(ranks) \(arguments): \(name) differs by \(worst)")
        }
    }

    @Test(arguments: ["c", "interp"], [1, 2, 3])
    func xorMatchesOneProcess(_ backend: String, _ ranks: Int) throws {
        try expectSameParameters(CLI.graph("xor.nng"), ranks: ranks, ["--epochs", "20", "--dtype", "f64", "--backend", backend], tolerance: 1e-12)
    }

    @Test(arguments: [2, 3])
    func xorInF32(_ ranks: Int) throws {
        try expectSameParameters(CLI.graph("xor.nng"), ranks: ranks, ["--epochs", "20", "--backend", "c"], tolerance: 1e-5)
    }

    /// 5 epochs of 4 batches = 20 steps, uneven shards at P = 3.
    @Test(arguments: [("c", 2, "f64"), ("c", 3, "f64"), ("interp", 3, "f64"), ("c", 3, "f32")])
    func mlpWithUnevenShardsMatchesOneProcess(_ backend: String, _ ranks: Int, _ dtype: String) throws {
        try expectSameParameters(try Self.mlpFile(), ranks: ranks, ["--backend", backend, "--dtype", dtype],
                                 tolerance: dtype == "f64" ? 1e-12 : 1e-5)
    }

    /// Dropout draws by global sample index: a rank's mask over its shard's activations is the
    /// single process's mask over those rows, and a mask over a weight (no batch dimension) is
    /// the same on every rank, so the parameters equal one process's at any P.
    @Test(arguments: [("c", 2, "f64"), ("c", 3, "f64"), ("interp", 3, "f64"), ("c", 3, "f32")])
    func dropoutMatchesOneProcess(_ backend: String, _ ranks: Int, _ dtype: String) throws {
        let file = try Self.mlpFile(hidden: "dropout(relu(x @ dropout(W1, p = 0.1) + b1), p = 0.3)")
        try expectSameParameters(file, ranks: ranks, ["--backend", backend, "--dtype", dtype],
                                 tolerance: dtype == "f64" ? 1e-12 : 1e-5)
    }

    /// Two biases side by side have one gradient (one node, one slot), so the outputs the step
    /// sums cannot lie one after the other where the backward pass wrote them: the step gathers
    /// them into a region first (CTrainingStep.swift). The same parameters as one process.
    @Test(arguments: [("c", 2, "f64"), ("c", 3, "f64"), ("c", 3, "f32")])
    func sharedGradientSlotsMatchOneProcess(_ backend: String, _ ranks: Int, _ dtype: String) throws {
        let file = try Self.mlpFile(hidden: "relu(x @ W1 + b1 + c1)", extraParams: "param c1: f64[16] = zeros")
        try expectSameParameters(file, ranks: ranks, ["--backend", backend, "--dtype", dtype],
                                 tolerance: dtype == "f64" ? 1e-12 : 1e-5)
    }

    /// The test above could pass with dropout inactive: the masks must change the result.
    @Test func dropoutChangesTheParameters() throws {
        let plain = Gallery.tempDir(), masked = Gallery.tempDir()
        let a = try Gallery.run(["train", try Self.mlpFile(), "-o", plain, "--format", "json", "--dtype", "f64"])
        let b = try Gallery.run(["train", try Self.mlpFile(hidden: "dropout(relu(x @ dropout(W1, p = 0.1) + b1), p = 0.3)"),
                                 "-o", masked, "--format", "json", "--dtype", "f64"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let x = try SafeTensors.read(plain + "/params.safetensors"), y = try SafeTensors.read(masked + "/params.safetensors")
        #expect(x["W1"] != y["W1"])
    }

    /// Graphs/ising_cnn.nng (conv2d, maxpool, Monte Carlo data generated by every rank, a
    /// validation fraction and a test set), reduced to 45 × 12 = 540 configurations (486 after
    /// the validation tenth) and 20 steps: batches of 64 and a last one of 38 (13/13/12 at P = 3).
    @Test(arguments: [(2, "f32"), (3, "f32"), (3, "f64")])
    func isingCNNMatchesOneProcess(_ ranks: Int, _ dtype: String) throws {
        let file = try Gallery.variant("ising_cnn.nng") {
            $0.replacingOccurrences(of: "samples = 200, seed = 1", with: "samples = 12, seed = 1")
                .replacingOccurrences(of: "samples = 100, seed = 2", with: "samples = 5, seed = 2")
                .replacingOccurrences(of: "epochs     = 15", with: "steps      = 20")
        }
        try expectSameParameters(file, ranks: ranks, ["--backend", "c", "--dtype", dtype], tolerance: dtype == "f64" ? 1e-12 : 1e-5)
    }

    /// Half the epochs at P = 2, the rest at P = 1 or 3 from its checkpoint: the parameters of
    /// an uninterrupted single-process run.
    @Test(arguments: [1, 3])
    func checkpointOfTwoRanksResumesOnAnotherCount(_ ranks: Int) throws {
        let file = try Self.mlpFile()
        let whole = Gallery.tempDir(), split = Gallery.tempDir()
        let r = try Gallery.run(["train", file, "-o", whole, "--epochs", "6"])
        #expect(r.status == 0, "\(r.stderr)")
        let first = try Self.launch(2, ["train", file, "-o", split, "--epochs", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Self.launch(ranks, ["train", file, "--resume", split, "--epochs", "6"])
        #expect(second.status == 0, "\(second.stderr)")
        let a = try SafeTensors.read(whole + "/params.safetensors"), b = try SafeTensors.read(split + "/params.safetensors")
        for (name, x) in a {
            let y = try #require(b[name])
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12 * max(1, x.map(abs).max() ?? 1), "\(name) differs by \(worst) after resuming at P = \(ranks)")
        }
    }

    /// What data-parallel training cannot do yet is refused before it starts, by every rank,
    /// and the job ends with a non-zero status.
    @Test func randomOperationsAcrossTheBatchAndTinyBatchesAreRefused() throws {
        let dropout = try Gallery.variant("xor.nng") {
            $0.replacingOccurrences(of: "h    = tanh(dense(x, W1, b1))", with: "h    = transpose(dropout(transpose(tanh(dense(x, W1, b1))), p = 0.1))")
                .replacingOccurrences(of: "\"data/xor.csv\"", with: "\"\(CLI.graph("data/xor.csv"))\"")
        }
        let r = try Self.launch(2, ["train", dropout, "-o", Gallery.tempDir(), "--epochs", "2"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot number the draws of 'dropout' on f32[8, B] by sample: its batch dimension 'B' must come first"), "\(r.stderr)")
        let tiny = try Self.launch(5, ["train", CLI.graph("xor.nng"), "-o", Gallery.tempDir(), "--epochs", "2"])
        #expect(tiny.status != 0)
        #expect(tiny.stderr.contains("a batch of 4 samples cannot be split over 5 MPI ranks"), "\(tiny.stderr)")
    }

    /// One rank killed in the middle of a run: mpirun ends the others within seconds with a
    /// non-zero status, and the last checkpoint (written atomically by rank 0) stays readable.
    @Test func aKilledRankEndsTheJob() throws {
        let mpirun = try #require(Self.mpirun)
        let folder = Gallery.tempDir()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-n", "2", CLI.executable.path,
                             "train", CLI.graph("xor.nng"), "-o", folder, "--epochs", "100000000", "--format", "json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Checkpoints are written every two seconds: wait for the first.
        let checkpoint = folder + "/checkpoint.safetensors"
        var waited = 0.0
        while !FileManager.default.fileExists(atPath: checkpoint), waited < 60 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 0.1
        }
        #expect(FileManager.default.fileExists(atPath: checkpoint), "no checkpoint after 60 s")
        let ranks = try Self.children(of: process.processIdentifier)
        #expect(ranks.count == 2, "ranks: \(ranks)")
        let victim = try #require(ranks.last)
        kill(victim, SIGKILL)
        let killed = Date()
        while process.isRunning, Date().timeIntervalSince(killed) < 20 { Thread.sleep(forTimeInterval: 0.05) }
        let seconds = Date().timeIntervalSince(killed)
        #expect(!process.isRunning, "the job still runs 20 s after rank \(victim) was killed")
        if !process.isRunning { #expect(process.terminationStatus != 0) }
        #expect(seconds < 10, "the job took \(seconds) s to end")
        let params = try SafeTensors.read(checkpoint)
        #expect(params["param/W1"]?.count == 16, "\(params.keys.sorted())")
    }

    /// The process ids whose parent is `pid` (from /proc).
    static func children(of pid: Int32) throws -> [Int32] {
        var out: [Int32] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[1]) == pid { out.append(child) }
        }
        return out.sorted()
    }

    /// Without a launcher nothing changes: no MPI, the output of one process (no "ranks").
    @Test func withoutALauncherTrainingIsUnchanged() throws {
        let r = try Gallery.run(["train", CLI.graph("xor.nng"), "-o", Gallery.tempDir(), "--epochs", "3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("\"ranks\""))
    }
}

/// The tensors of a .safetensors file as doubles (F32 and F64), by name.
enum SafeTensors {
    static func read(_ path: String) throws -> [String: [Double]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        var out: [String: [Double]] = [:]
        for (name, value) in header where name != "__metadata__" {
            let info = try #require(value as? [String: Any])
            let offsets = try #require(info["data_offsets"] as? [Int])
            let bytes = data.subdata(in: (8 + n + offsets[0])..<(8 + n + offsets[1]))
            switch info["dtype"] as? String {
            case "F64": out[name] = bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            case "F32": out[name] = bytes.withUnsafeBytes { $0.bindMemory(to: Float.self).map(Double.init) }
            default: Issue.record("unexpected dtype in \(path)")
            }
        }
        return out
    }
}
