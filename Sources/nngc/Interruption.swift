import Foundation

/// Ctrl-C during training: the first one asks the run to stop after the current epoch (and
/// save a checkpoint); a second one ends the process at once.
enum Interruption {
    nonisolated(unsafe) private static var count: Int32 = 0

    static func install() {
        signal(SIGINT) { _ in
            Interruption.count += 1
            if Interruption.count > 1 { _exit(130) }
        }
    }

    static func requested() -> Bool { count > 0 }
}
