#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file that could not be read or written.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new one, never a
/// part: the bytes go to a temporary file in the same folder, which is flushed to disk
/// (fsync) and renamed over the target; the folder is then flushed too.
///
/// `beforeRename` runs after the temporary file is complete and before the rename (tests
/// use it to simulate a crash): when it throws, the temporary file is removed, the target
/// is left as it was, and the error is passed on.
public func writeFileAtomically(_ bytes: [UInt8], to path: String, beforeRename: (() throws -> Void)? = nil) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileError("cannot create a file in \(dir): \(String(cString: strerror(errno)))") }
    var ok = false
    defer {
        if !ok { unlink(tmp) }
    }
    do {
        defer { close(fd) }
        // 0 on success, else the errno of the failed write.
        let failure: Int32 = bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return 0
        }
        guard failure == 0 else { throw FileError("cannot write \(path): \(String(cString: strerror(failure)))") }
        guard fsync(fd) == 0 else { throw FileError("cannot flush \(path): \(String(cString: strerror(errno)))") }
    }
    try beforeRename?()
    guard rename(tmp, path) == 0 else { throw FileError("cannot replace \(path): \(String(cString: strerror(errno)))") }
    ok = true
    let dfd = open(dir, O_RDONLY | O_CLOEXEC)
    if dfd >= 0 {
        _ = fsync(dfd)
        close(dfd)
    }
}

/// Text written atomically as UTF-8.
public func writeFileAtomically(_ text: String, to path: String, beforeRename: (() throws -> Void)? = nil) throws {
    try writeFileAtomically(Array(text.utf8), to: path, beforeRename: beforeRename)
}

/// The bytes of a file.
public func readFileBytes(_ path: String) throws(FileError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FileError("\(path): no such file") }
    guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else { throw FileError("\(path): cannot read the file") }
    return [UInt8](data)
}
