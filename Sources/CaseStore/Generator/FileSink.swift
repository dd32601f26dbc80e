#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV file written through a CSVWriter whose buffer is flushed every few megabytes (so a
/// million-case dataset never sits in memory whole) into a `SafeFileWriter`: a temporary file
/// beside the target, put in place by `commit` — a full disk leaves no partial file and an
/// existing one as it was.
struct FileSink {
    var writer: CSVWriter
    private let file: SafeFileWriter
    /// The first failed write; later rows are not written.
    private var failure: FileWriteError?
    private static let flushAt = 1 << 22

    /// - Throws: `DatasetGeneratorError.cannotWrite` (a missing folder, permission denied …).
    init(path: String) throws {
        do { file = try SafeFileWriter(path: path) } catch { throw DatasetGeneratorError.cannotWrite(path, error.why) }
        writer = CSVWriter(reserve: FileSink.flushAt + (1 << 16))
    }

    @inline(__always)
    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { writer.field(bytes: $0) }
    }

    @inline(__always)
    mutating func putEmpty() {
        writer.field(bytes: UnsafeBufferPointer(start: nil, count: 0))
    }

    mutating func header(_ specs: [FieldSpec]) {
        for s in specs where !s.derived && !s.filled { writer.field(s.name) }
        endRow()
    }

    @inline(__always)
    mutating func endRow() {
        writer.endRow()
        if writer.bytes.count >= FileSink.flushAt { flush() }
    }

    mutating func flush() {
        if !writer.bytes.isEmpty && failure == nil {
            do { try file.write(writer.bytes) } catch { failure = error }
        }
        writer.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes what is left; the file is put in place only by `commit`.
    /// - Throws: `DatasetGeneratorError.cannotWrite` for the first failed write (`disk full`).
    mutating func finish() throws {
        flush()
        if let failure { file.abandon(); throw DatasetGeneratorError.cannotWrite(failure.path, failure.why) }
    }

    /// Puts the file in place (the rename).
    func commit() throws {
        do { try file.commit() } catch { throw DatasetGeneratorError.cannotWrite(error.path, error.why) }
    }
}

/// A whole small file (manifest, units), written into a temporary file and put in place by
/// `commit` on the returned writer.
/// - Throws: `DatasetGeneratorError.cannotWrite`.
func writeWholeFile(_ path: String, _ bytes: [UInt8]) throws -> SafeFileWriter {
    do {
        let w = try SafeFileWriter(path: path)
        try w.write(bytes)
        return w
    } catch { throw DatasetGeneratorError.cannotWrite(path, error.why) }
}

/// Makes `path` and the folders above it that are missing (as `mkdir -p`).
/// - Throws: `DatasetGeneratorError.cannotWrite` naming the first one that cannot be made.
func makeFolders(_ path: String) throws {
    var made = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        made += (made.isEmpty || made.hasSuffix("/") ? "" : "/") + part
        var st = stat()
        if stat(made, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw DatasetGeneratorError.cannotWrite(made, Message(en: "it is not a folder", zh: "它不是文件夹"))
            }
            continue
        }
        if mkdir(made, 0o777) != 0 && errno != EEXIST { throw DatasetGeneratorError.cannotWrite(made, SafeFileWriter.errorMessage(errno)) }
    }
}
