import FuzzDriver

/// Runs libFuzzer on `target` with the process's arguments. Each target's executable defines
/// its entry point with this: SwiftPM links an executable target with `main` bound to
/// `<module>_main`, so libFuzzer's own `main` is not used.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, target)
}
