import NNGCore

/// One line of `history.csv`: what an epoch did.
public struct EpochRecord: Sendable, Hashable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Steps done so far in the run.
    public var step: UInt64
    /// Mean training loss over the epoch's samples (measured before each update, in training mode).
    public var trainLoss: Double
    public var validationLoss: Double?
    /// Reported outputs averaged over the epoch's training samples, by name, in report order.
    public var reported: [String: Double]
    /// The same outputs on the validation set.
    public var validationReported: [String: Double]
    public var lr: Double
    /// Wall-clock seconds since the run started (a resumed run continues the count).
    public var seconds: Double

    public init(epoch: Int, step: UInt64, trainLoss: Double, validationLoss: Double?, reported: [String: Double],
                validationReported: [String: Double], lr: Double, seconds: Double) {
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.reported = reported
        self.validationReported = validationReported
        self.lr = lr
        self.seconds = seconds
    }
}

/// What a finished run reports.
public struct TrainingSummary: Sendable {
    public var epochs: Int
    public var steps: UInt64
    public var finalLoss: Double
    public var bestLoss: Double
    /// The epoch whose parameters were kept (the best validation epoch with early stopping).
    public var keptEpoch: Int
    public var stoppedEarly: Bool
    /// Stopped by the user (Ctrl-C) after a saved epoch: `--resume` continues it.
    public var interrupted: Bool
    /// Loss and reported outputs of the final parameters on the test set, when there is one.
    public var test: [String: Double]?
    /// Reported outputs of the last epoch (training set).
    public var reported: [String: Double]
    public var seconds: Double
    /// Steps done by this process (not counting those of a run it resumed).
    public var stepsThisRun: UInt64
    public var secondsThisRun: Double
    public var stepsPerSecond: Double { secondsThisRun > 0 ? Double(stepsThisRun) / secondsThisRun : 0 }
}

/// Everything needed to continue a run exactly where it stopped.
public struct TrainingCheckpoint: Sendable {
    public var params: [String: Tensor]
    public var optimizer: OptimizerState
    /// Epochs completed.
    public var epoch: Int
    public var step: UInt64
    public var seed: UInt64
    /// Early stopping: best validation loss so far, its epoch and parameters, and epochs since.
    public var bestLoss: Double
    public var bestEpoch: Int
    public var bestParams: [String: Tensor]
    public var epochsWithoutImprovement: Int
    public var history: [EpochRecord]

    public init(params: [String: Tensor], optimizer: OptimizerState, epoch: Int, step: UInt64, seed: UInt64,
                bestLoss: Double, bestEpoch: Int, bestParams: [String: Tensor], epochsWithoutImprovement: Int,
                history: [EpochRecord]) {
        self.params = params
        self.optimizer = optimizer
        self.epoch = epoch
        self.step = step
        self.seed = seed
        self.bestLoss = bestLoss
        self.bestEpoch = bestEpoch
        self.bestParams = bestParams
        self.epochsWithoutImprovement = epochsWithoutImprovement
        self.history = history
    }
}

/// Receives the progress of a run (the command line draws it).
public protocol TrainingObserver: AnyObject {
    func trainingStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int)
    func stepFinished(epoch: Int, step: UInt64, loss: Double)
    func epochFinished(_ record: EpochRecord)
}
