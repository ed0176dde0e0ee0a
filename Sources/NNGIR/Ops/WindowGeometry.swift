/// The number of positions of a window sliding over one axis: conv2d, the pooling operations
/// and their gradients all size their outputs with it (type inference, the interpreter's
/// kernels, the C kernels and their scratch space).
///
/// `(input + 2·padding − window) / stride + 1`; the caller has checked that the padded input
/// holds at least one window and that stride ≥ 1.
public func windowCount(_ input: Int, window: Int, stride: Int, padding: Int = 0) -> Int {
    (input + 2 * padding - window) / stride + 1
}
