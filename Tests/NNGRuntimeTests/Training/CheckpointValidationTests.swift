import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import Testing

// Corrupted checkpoints are refused before anything is replaced (issue 14): counters out of
// range (epoch -1, step 2⁶³−1) trapped later, and a missing or mis-shaped optimizer state
// restarted Adam from zeros without a word.

private let source = """
graph line {
  input x: f32[B, 1]
  input y: f32[B, 1]
  param w: f32[1, 1] = zeros
  param b: f32[1] = zeros
  loss = mse(x @ w + b, y)
  output loss
}
train {
  data      = grid(x = linspace(0, 1, 4), y = linspace(1, 2, 4))
  minimize  = loss
  optimizer = adam(lr = 0.1)
  epochs    = 2
}
"""

/// A run folder holding the checkpoint of two epochs of training `source`, and its setup.
private func savedRun() throws -> (RunFolder, TrainConfig, Graph) {
    let dir = NSTemporaryDirectory() + "nngc-checkpoint-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/model.nng"
    try Data(source.utf8).write(to: URL(fileURLWithPath: path))
    let (module, parseErrors) = parse(SourceFile(path: path, text: source))
    #expect(parseErrors.isEmpty)
    let (config, graph, diagnostics) = loadTrainSetup(module)
    guard let config, let graph else { throw DiagnosticsError(diagnostics) }
    let data = try DataLoader(nngFile: path).loadAll(config, graph: graph)
    let trainer = try Trainer(graph: graph, config: config, data: data, backend: .interp)
    let folder = RunFolder(path: dir + "/run", report: config.report, hasValidation: false)
    try folder.create()
    _ = try trainer.run(save: { state, _ throws(DiagnosticsError) in try folder.save(state, graph: graph) })
    return (folder, config, graph)
}

/// The message of loading the checkpoint after `edit` changed its file.
private func resumeError(_ edit: (inout Safetensors) -> Void) throws -> String? {
    let (folder, config, graph) = try savedRun()
    var file = try Safetensors.read(path: folder.checkpointPath)
    edit(&file)
    try file.write(to: folder.checkpointPath)
    do {
        _ = try folder.loadCheckpoint(graph: graph, optimizer: config.optimizer)
        return nil
    } catch {
        return error.diagnostics.first?.message.replacingOccurrences(of: folder.checkpointPath, with: "CKPT")
    }
}

@Suite struct CheckpointValidationTests {
    @Test func anIntactCheckpointLoads() throws {
        #expect(try resumeError { _ in } == nil)
    }

    @Test func countersOutOfRangeAreRefused() throws {
        #expect(try resumeError { $0.metadata["epoch"] = "-1" } == "cannot resume from 'CKPT': its 'epoch' is -1, not in 0…2147483647")
        #expect(try resumeError { $0.metadata["step"] = "9223372036854775807" }
                == "cannot resume from 'CKPT': its 'step' is 9223372036854775807, more than 9007199254740992")
        #expect(try resumeError { $0.metadata["best_epoch"] = "-5" } == "cannot resume from 'CKPT': its 'best_epoch' is -5, not in 0…2147483647")
    }

    @Test func missingOrMisshapedOptimizerStateIsRefused() throws {
        #expect(try resumeError { $0.tensors["optimizer/w.m"] = nil }
                == "cannot resume from 'CKPT': its optimizer state has no 'm' for param 'w' (adam keeps one per param)")
        #expect(try resumeError { $0.tensors["optimizer/b.v"] = Tensor(shape: [2], values: [0, 0], dtype: .f32) }
                == "cannot resume from 'CKPT': the optimizer's 'v' of param 'b' has shape [2] there, but the param is [1]")
        #expect(try resumeError { $0.tensors["optimizer/optimizer.step"] = nil }
                == "cannot resume from 'CKPT': its optimizer state has no step counter")
        #expect(try resumeError { $0.tensors["optimizer/optimizer.step"] = .scalar(-3, dtype: .f64) }
                == "cannot resume from 'CKPT': its optimizer step -3 is not a whole number in 0…9007199254740992")
    }

    @Test func misshapedBestParamsAreRefused() throws {
        #expect(try resumeError { $0.tensors["best/w"] = Tensor(shape: [2], values: [0, 0], dtype: .f32) }
                == "cannot resume from 'CKPT': best param 'w' has shape [2] there but the graph declares f32[1, 1]")
    }
}
