import Foundation
import NNGCore
import NNGIR

// The typed form of a `train` block (contract 7). `readTrainConfig` builds it from the AST
// and reports every wrong key or value with a caret; the runtime (NNGRuntime/Data) loads
// the sources it names.

/// `header = auto | true | false` of a `csv` source.
public enum CSVHeader: String, Sendable, Hashable {
    /// The first row is a header when one of its cells is not a number.
    case auto
    case present = "true"
    case absent = "false"
}

/// One axis of a `mesh` source: the input it binds and its points.
public struct MeshAxis: Sendable, Hashable {
    public var name: String
    public var points: Linspace
    public init(_ name: String, _ points: Linspace) {
        self.name = name
        self.points = points
    }
}

/// The Monte Carlo update of an `ising` source (docs/training-data.md says what each does).
public enum IsingAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Every sweep: bonds between aligned neighbours, every cluster flipped with probability ½.
    case swendsenWang = "swendsen_wang"
    /// Every sweep: a fixed number of single Wolff clusters.
    case wolff
    /// Every sweep: one checkerboard pass of single-spin Metropolis updates.
    case metropolis
}

/// `ising(L, temperatures, samples, seed, thermalization, interval, algorithm)`: 2-D Ising
/// configurations.
public struct IsingSpec: Sendable, Hashable {
    public var L: Int
    public var temperatures: [Double]
    /// Samples per temperature (N = temperatures.count · samples).
    public var samples: Int
    public var seed: UInt64
    /// Sweeps before the first sample.
    public var thermalization: Int
    /// Sweeps between samples (≥ 1).
    public var interval: Int
    public var algorithm: IsingAlgorithm

    public static let defaultThermalization = 200
    public static let defaultInterval = 10

    public init(L: Int = isingDefaultL, temperatures: [Double] = Linspace(1.0, 3.5, 26).values, samples: Int = 100, seed: UInt64 = 0,
                thermalization: Int = IsingSpec.defaultThermalization, interval: Int = IsingSpec.defaultInterval,
                algorithm: IsingAlgorithm = .swendsenWang) {
        self.L = L
        self.temperatures = temperatures
        self.samples = samples
        self.seed = seed
        self.thermalization = thermalization
        self.interval = interval
        self.algorithm = algorithm
    }

    /// The names an `ising` source provides.
    public static let provided = ["spins", "T", "ordered"]
}

/// One data source of a `data`, `validation` or `test` value.
public enum DataSourceKind: Sendable, Hashable {
    /// `csv(PATH, NAME = [columns], …, header = auto)`; columns are 0-based.
    case csv(path: String, columns: [String: [Int]], header: CSVHeader)
    /// `npy(NAME = PATH, …)`
    case npy([String: String])
    /// `idx(NAME = PATH, …)`
    case idx([String: String])
    /// `grid(NAME = linspace(A, B, N), …)`
    case grid([String: Linspace])
    /// `mesh(NAME = linspace(A, B, N), …)`: every combination of the axes' points (the
    /// Cartesian product), the first axis varying slowest.
    case mesh([MeshAxis])
    /// `ising(L, temperatures, samples, seed, …)`: provides `spins`, `T`, `ordered`.
    case ising(IsingSpec)
}

/// A data source with where it was written (run-time errors point there).
public struct DataSource: Sendable, Hashable {
    public var kind: DataSourceKind
    /// The whole call.
    public var range: SourceRange
    /// The value of each `NAME = …` argument (for errors about that binding).
    public var bindingRanges: [String: SourceRange]
    /// `allow_nonfinite = true` of a csv, npy or idx source: NaN and ±∞ in its files are read
    /// as they are instead of refused.
    public var allowsNonFinite = false

    public init(_ kind: DataSourceKind, range: SourceRange = .none, bindingRanges: [String: SourceRange] = [:]) {
        self.kind = kind
        self.range = range
        self.bindingRanges = bindingRanges
    }

    /// The names this source binds, sorted (an `ising` source: spins, T, ordered).
    public var names: [String] {
        switch kind {
        case .csv(_, let columns, _): return columns.keys.sorted()
        case .npy(let m), .idx(let m): return m.keys.sorted()
        case .grid(let m): return m.keys.sorted()
        case .mesh(let axes): return axes.map(\.name).sorted()
        case .ising: return IsingSpec.provided
        }
    }

    /// The source's name as written (`csv`, `npy`, …).
    public var sourceName: String {
        switch kind {
        case .csv: return "csv"
        case .npy: return "npy"
        case .idx: return "idx"
        case .grid: return "grid"
        case .mesh: return "mesh"
        case .ising: return "ising"
        }
    }
}

/// A `data` value: one source or a list of sources, together binding graph inputs.
public struct DataSpec: Sendable, Hashable {
    public var sources: [DataSource]
    public var range: SourceRange
    public init(sources: [DataSource], range: SourceRange = .none) {
        self.sources = sources
        self.range = range
    }
}

/// `validation = SOURCE | F` and `test = SOURCE | F`.
public enum SplitSpec: Sendable, Hashable {
    case data(DataSpec)
    /// Hold out this fraction of the (shuffled) data, 0 < F < 1.
    case fraction(Double)
}

public enum OptimizerKind: String, Sendable, Hashable, CaseIterable {
    case sgd, adam, adamw
}

/// An optimizer with every hyperparameter (those that do not apply keep their defaults).
public struct OptimizerConfig: Sendable, Hashable {
    public var kind: OptimizerKind
    public var lr: Double
    public var momentum: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double

    public init(kind: OptimizerKind, lr: Double? = nil, momentum: Double = 0, nesterov: Bool = false,
                beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0) {
        self.kind = kind
        self.lr = lr ?? OptimizerConfig.defaultLR(kind)
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    public static func defaultLR(_ kind: OptimizerKind) -> Double { kind == .sgd ? 0.01 : 0.001 }

    /// The keyword arguments each optimizer takes, in positional order.
    public static func parameters(_ kind: OptimizerKind) -> [String] {
        switch kind {
        case .sgd: return ["lr", "momentum", "nesterov", "weight_decay"]
        case .adam, .adamw: return ["lr", "beta1", "beta2", "eps", "weight_decay"]
        }
    }
}

/// The learning-rate schedule, applied per epoch (epoch counted from 0).
public enum Schedule: Sendable, Hashable {
    case constant
    /// lr · gamma^(epoch / every)
    case step(every: Int, gamma: Double)
    /// min_lr + (lr − min_lr) · (1 + cos(π · epoch / totalEpochs)) / 2
    case cosine(minLR: Double)

    /// The learning rate of `epoch` (0-based) for the base rate `base`.
    public func lr(base: Double, epoch: Int, totalEpochs: Int) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let every, let gamma):
            return base * pow(gamma, Double(max(0, epoch) / max(1, every)))
        case .cosine(let minLR):
            let t = totalEpochs <= 0 ? 0 : min(1, max(0, Double(epoch) / Double(totalEpochs)))
            return minLR + (base - minLR) * (1 + cos(Double.pi * t)) / 2
        }
    }
}

/// How long to train.
public enum TrainLength: Sendable, Hashable {
    case epochs(Int)
    case steps(Int)
}

/// A checked `train` block.
public struct TrainConfig: Sendable {
    /// The block's name (`train NAME { … }`), nil when unnamed.
    public var name: String?
    /// The graph to train (the `graph` key, or the file's only graph).
    public var graph: String
    /// The scalar output to minimise.
    public var minimize: String
    public var data: DataSpec
    public var validation: SplitSpec?
    public var test: SplitSpec?
    public var optimizer: OptimizerConfig
    public var schedule: Schedule
    /// Samples per step; nil = the whole training set.
    public var batch: Int?
    public var length: TrainLength
    public var shuffle: Bool
    public var seed: UInt64
    /// Patience in epochs on the validation loss.
    public var earlyStop: Int?
    /// Outputs logged each epoch besides the loss.
    public var report: [String]
    /// Where each key's value was written (run-time diagnostics point there).
    public var ranges: [String: SourceRange]
    /// The whole `train` block.
    public var range: SourceRange

    public init(name: String? = nil, graph: String, minimize: String, data: DataSpec,
                validation: SplitSpec? = nil, test: SplitSpec? = nil,
                optimizer: OptimizerConfig = OptimizerConfig(kind: .sgd), schedule: Schedule = .constant,
                batch: Int? = nil, length: TrainLength = .epochs(1), shuffle: Bool = true, seed: UInt64 = 0,
                earlyStop: Int? = nil, report: [String] = [], ranges: [String: SourceRange] = [:],
                range: SourceRange = .none) {
        self.name = name
        self.graph = graph
        self.minimize = minimize
        self.data = data
        self.validation = validation
        self.test = test
        self.optimizer = optimizer
        self.schedule = schedule
        self.batch = batch
        self.length = length
        self.shuffle = shuffle
        self.seed = seed
        self.earlyStop = earlyStop
        self.report = report
        self.ranges = ranges
        self.range = range
    }

    /// The learning rate of `epoch` (0-based) under the schedule.
    public func lr(epoch: Int, totalEpochs: Int) -> Double {
        schedule.lr(base: optimizer.lr, epoch: epoch, totalEpochs: totalEpochs)
    }

    /// Every key a train block accepts.
    public static let keys = ["graph", "minimize", "data", "validation", "test", "optimizer", "schedule",
                              "batch", "epochs", "steps", "shuffle", "seed", "early_stop", "report"]
}
