import NNGCore
import NNGIR
import NNGTrain

/// Where the persistent part of a training arena lives. It is the same for every binding of
/// the graph's symbols (parameter shapes are concrete), so one arena serves batches of any size.
///
/// ```
/// [0, 16)                 the update counter (a uint64_t in its first 8 bytes); in data-parallel
///                         training this rank's first sample in the global batch (a uint64_t
///                         at byte 8, SampleIndexing), its weight (a double at byte 16) and
///                         the weight-after-the-sum flag (a uint64_t at byte 24); padding
/// [16, 16+P)              parameters, in declaration order
/// [16+P, 16+P+S)          optimizer state: per trained parameter, its slots (velocity | m, v)
/// [persistent, …)         per binding: inputs, outputs (loss, reports, gradients), error
///                         slot, snapshots, planned intermediates
/// ```
/// Every slot starts at a multiple of `ArenaAlignment.elements` (P and S include the padding).
public struct TrainingArenaLayout: Sendable, Hashable {
    public struct Slot: Sendable, Hashable {
        public var name: String
        public var offset: Int
        public var count: Int
        public var shape: [Int]
    }
    /// Offset of the update counter (elements; the counter occupies 8 bytes).
    public var counterOffset = 0
    public var params: [Slot] = []
    /// Optimizer state tensors, named `<param>.<slot>`.
    public var state: [Slot] = []
    /// Elements that persist across steps (counter, params, state).
    public var persistentElements = 0
    /// Elements reserved before the parameters (the counter, padded to keep alignment).
    static let leading = ArenaAlignment.elements
    /// The byte where a data-parallel step finds its rank's first sample (after the counter).
    static let firstSampleByte = 8
    /// The byte where a data-parallel step finds its rank's weight, its share of the global
    /// batch (a double): the step scales its values by it before the sum.
    static let rankWeightByte = 16
    /// The byte of a flag (a uint64_t) set when every rank's weight is the same power of two
    /// (equal shards, P = 2, 4, 8, …): the step then sums the gradients unweighted and the
    /// update scales the sums, which gives the same bits without a pass over the gradients.
    static let weightAfterSumByte = 24

    init(graph: Graph, trained: [String], optimizer: OptimizerConfig) {
        var at = TrainingArenaLayout.leading
        for (name, id) in graph.params {
            let shape = graph.nodes[id].type.shape.concrete ?? []
            let n = shape.reduce(1, *)
            at = ArenaAlignment.up(at)
            params.append(Slot(name: name, offset: at, count: n, shape: shape))
            at += n
        }
        for p in params where trained.contains(p.name) {
            for s in optimizer.slotNames {
                at = ArenaAlignment.up(at)
                state.append(Slot(name: "\(p.name).\(s)", offset: at, count: p.count, shape: p.shape))
                at += p.count
            }
        }
        persistentElements = at
    }

    var paramRegion: Range<Int> {
        TrainingArenaLayout.leading..<(params.last.map { $0.offset + $0.count } ?? TrainingArenaLayout.leading)
    }
}

/// The generated training step of one binding: forward + backward (`nngc_forward` of the
/// gradient graph, dropout in training mode), then the in-place optimizer update.
struct TrainingProgram {
    var program: CProgram
    var arena: TrainingArenaLayout
    /// Per output name: where to read it after a step (its slot, or its snapshot when the slot is
    /// a parameter that the update overwrites).
    var readOffsets: [String: Int]
}

/// Emits `nngc_train_step` after the forward code of a gradient graph.
struct TrainingStepGenerator {
    let graph: Graph
    let loss: String
    /// Trained parameter → the output holding its gradient.
    let gradients: [(param: String, output: String)]
    let optimizer: OptimizerConfig
    /// Data-parallel training (DataParallel.swift): between the backward pass and the update,
    /// the loss, the scalar outputs and every gradient are summed over the ranks with one
    /// `nngc_allreduce_T` call over one contiguous region of the arena. The planner places
    /// these outputs one after the other (`summedOutputs`), so the sum happens where the
    /// backward pass wrote them; only when that fails are they gathered into a region first.
    var allreduce = false
    /// With `allreduce`: the batch dimension by which random operations number their draws.
    var batchSymbol: String?

    func generate(sizes: [String: Int]) throws(CBackendError) -> TrainingProgram {
        let arena = TrainingArenaLayout(graph: graph, trained: gradients.map(\.param), optimizer: optimizer)
        let trailing = arena.persistentElements - arena.paramRegion.upperBound
        var options = CCodeGenerator.LayoutOptions(paramsFirst: true, leading: TrainingArenaLayout.leading, trailing: trailing)
        if allreduce { options.outputsFirst = summedOutputs }
        let generator = try CCodeGenerator(graph: graph, sizes: sizes, layoutOptions: options)
        generator.batchSymbol = allreduce ? batchSymbol : nil
        var program = try generator.generate()
        let layout = program.layout
        for (p, q) in zip(layout.params, arena.params) where p.offset != q.offset {
            throw CBackendError("parameter '\(p.name)' is at \(p.offset), expected \(q.offset)")
        }
        guard let lossSlot = layout.outputs.first(where: { $0.name == loss }) else {
            throw CBackendError("no output '\(loss)'")
        }
        // Outputs stored in a parameter's slot (a gradient or report that *is* a parameter) are
        // copied before the update overwrites them.
        var readOffsets: [String: Int] = [:]
        var snapshots: [(from: Int, to: Int, count: Int)] = []
        var top = layout.totalElements
        for s in layout.outputs {
            if arena.paramRegion.contains(s.offset) {
                top = ArenaAlignment.up(top)
                snapshots.append((s.offset, top, s.count))
                readOffsets[s.name] = top
                top += s.count
            } else {
                readOffsets[s.name] = s.offset
            }
        }
        var reduced: (offset: Int, count: Int, copies: [(from: Int, to: Int, count: Int)])?
        var inPlace: SummedRun?
        var gradientOffsets: [String: Int] = [:]
        for (_, output) in gradients { gradientOffsets[output] = readOffsets[output] }
        if allreduce, let run = summedRun(layout, arena) {
            inPlace = run
        } else if allreduce {
            // The outputs do not follow each other (one of them shares its value's slot with
            // a parameter, an input or another output): gather them into one region, in the
            // same order (loss, scalar outputs, gradients), for one call.
            let gradientNames = Set(gradients.map(\.output))
            let start = ArenaAlignment.up(top)
            var at = start
            var copies: [(from: Int, to: Int, count: Int)] = []
            for name in summedOutputs {
                guard let slot = layout.outputs.first(where: { $0.name == name }) else {
                    throw CBackendError("no slot for the output '\(name)'")
                }
                copies.append((slot.offset, at, slot.count))
                if gradientNames.contains(name) { gradientOffsets[name] = at } else { readOffsets[name] = at }
                at += slot.count
            }
            reduced = (start, at - start, copies)
            top = at
        }
        program.layout.totalElements = top

        let T = program.dtype == .f32 ? "float" : "double"
        let rule = UpdateRule(optimizer)
        var w = CWriter()
        w.line("/* training step: \(CText.comment(optimizer.kind.rawValue)) update of \(gradients.count) parameter(s) */")
        w.open("static void nngc_update(\(T)* ar, double lr)")
        w.line("uint64_t* counter = (uint64_t*)(ar + \(arena.counterOffset));")
        w.line("const uint64_t t = *counter; /* updates done before this one */")
        w.line("const int first = t == 0;")
        w.line("const double td = (double)(int64_t)t + 1.0;")
        w.line("(void)first; (void)td;")
        if inPlace != nil {
            w.line("/* the gradients are the ranks' unweighted sums when the weight is applied here */")
            w.line("const T gs = \(TrainingStepGenerator.weightAfterSum) ? (T)\(TrainingStepGenerator.rankWeight) : (T)1;")
        }
        rule.cScalars(into: &w)
        for (param, output) in gradients {
            guard let p = arena.params.first(where: { $0.name == param }),
                  let gOff = gradientOffsets[output] else { throw CBackendError("no slot for the gradient of '\(param)'") }
            // Pointers to the parameter, its gradient and its state (TinyCC does not optimise:
            // indexing through local pointers is about twice as fast as ar[offset + i]).
            w.line("/* parameter \(arena.params.firstIndex(of: p)!) */")
            w.open("")
            w.line("T* w = ar + \(p.offset);")
            w.line("const T* g = ar + \(gOff);")
            for slot in rule.slots {
                w.line("T* \(slot) = ar + \(arena.state.first { $0.name == "\(param).\(slot)" }!.offset);")
            }
            rule.cLoop(count: p.count, dtype: program.dtype, parallel: p.count >= CCodeGenerator.parallelMinimum,
                       gradientScale: inPlace == nil ? nil : "gs", into: &w)
            w.close()
        }
        w.line("*counter = t + 1;")
        w.close()
        w.line()
        w.line("/* Forward and backward (dropout active), then the update. Returns 0; 1 + a node id on a")
        w.line("   run-time error; -1 when the loss is not finite (nothing is updated). */")
        w.open("int nngc_train_step(\(T)* ar, uint64_t seed, uint64_t step, double lr)")
        w.line("const int rc = nngc_forward(ar, seed, step, 1);")
        w.line("if (rc != 0) return rc;")
        if let run = inPlace {
            // Weighted in place by the rank's share of the batch: the scalars always, the
            // gradients unless the update applies the weight to their sums (the same bits when
            // the weight is a power of two, and no pass over the gradients).
            w.line("const \(T) rank_weight = (\(T))\(TrainingStepGenerator.rankWeight);")
            for s in run.scalars { w.line("ar[\(s)] = rank_weight * ar[\(s)];") }
            w.open("if (!\(TrainingStepGenerator.weightAfterSum))")
            w.line("for (int64_t i = \(run.gradients.lowerBound); i < \(run.gradients.upperBound); i++) ar[i] = rank_weight * ar[i];")
            w.close()
            w.line("/* the sums over the ranks */")
            w.line("nngc_allreduce_\(program.dtype == .f32 ? "f32" : "f64")(ar + \(run.region.lowerBound), \(run.region.count));")
            w.line("if (!nngc_finite(ar[\(lossSlot.offset)])) return -1;")
        } else if let reduced {
            // Gathered into one region and weighted by the rank's share of the batch in the
            // same pass (the multiply is free in a copy bound by memory); the same product,
            // (T)weight · value, as the interpreter's weighting, so both backends sum the same bits.
            w.line("const \(T) rank_weight = (\(T))*(const double*)((const char*)ar + \(TrainingArenaLayout.rankWeightByte));")
            for c in reduced.copies {
                w.line("for (int64_t i = 0; i < \(c.count); i++) ar[\(c.to) + i] = rank_weight * ar[\(c.from) + i];")
            }
            w.line("/* the sums over the ranks */")
            w.line("nngc_allreduce_\(program.dtype == .f32 ? "f32" : "f64")(ar + \(reduced.offset), \(reduced.count));")
            w.line("if (!nngc_finite(ar[\(reduced.offset)])) return -1;")
        } else {
            w.line("if (!nngc_finite(ar[\(lossSlot.offset)])) return -1;")
        }
        for s in snapshots {
            w.line("for (int64_t i = 0; i < \(s.count); i++) ar[\(s.to) + i] = ar[\(s.from) + i];")
        }
        w.line("nngc_update(ar, lr);")
        w.line("return 0;")
        w.close()
        program.source += "\n" + w.text
        return TrainingProgram(program: program, arena: arena, readOffsets: readOffsets)
    }

    /// The C expressions of the rank's weight and of the weight-after-the-sum flag.
    static let rankWeight = "*(const double*)((const char*)ar + \(TrainingArenaLayout.rankWeightByte))"
    static let weightAfterSum = "*(const uint64_t*)((const char*)ar + \(TrainingArenaLayout.weightAfterSumByte))"

    /// The outputs a data-parallel step sums over the ranks, in the order of its region.
    var summedOutputs: [String] { DataParallel.summedOutputs(of: graph, loss: loss, gradients: gradients.map(\.output)) }

    /// Where the summed outputs lie when the arena planner placed them one after the other
    /// (only alignment padding between them) past the persistent region.
    struct SummedRun {
        var region: Range<Int>
        var gradients: Range<Int>
        var scalars: [Int]
    }

    func summedRun(_ layout: ArenaLayout, _ arena: TrainingArenaLayout) -> SummedRun? {
        var end = arena.persistentElements
        var scalars: [Int] = [], gradientStart: Int?, start: Int?
        let gradientNames = Set(gradients.map(\.output))
        for name in summedOutputs {
            guard let s = layout.outputs.first(where: { $0.name == name }),
                  s.offset == ArenaAlignment.up(end) || (start == nil && s.offset >= end) else { return nil }
            if start == nil { start = s.offset }
            if gradientNames.contains(name) { gradientStart = gradientStart ?? s.offset } else { scalars.append(s.offset) }
            end = s.offset + s.count
        }
        guard let start, let gradientStart else { return nil }
        return SummedRun(region: start..<end, gradients: gradientStart..<end, scalars: scalars)
    }
}
