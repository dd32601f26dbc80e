#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV file written through a CSVWriter whose buffer is flushed to disk every few megabytes,
/// so a million-case dataset never sits in memory whole.
struct FileSink {
    var writer: CSVWriter
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    private var failed = false
    private static let flushAt = 1 << 22

    init(path: String) throws {
        guard let f = fopen(path, "wb") else {
            throw DatasetGeneratorError.cannotWrite(path, SafeFileWriter.errorMessage(errno))
        }
        file = f
        self.path = path
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
        if !writer.bytes.isEmpty {
            let n = writer.bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            if n != writer.bytes.count { failed = true }
            writer.bytes.removeAll(keepingCapacity: true)
        }
    }

    mutating func close() throws {
        flush()
        let rc = fclose(file)
        if failed || rc != 0 {
            throw DatasetGeneratorError.cannotWrite(path, SafeFileWriter.errorMessage(errno))
        }
    }
}

/// Writes a whole small file (manifest, units).
func writeWholeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let f = fopen(path, "wb") else {
        throw DatasetGeneratorError.cannotWrite(path, SafeFileWriter.errorMessage(errno))
    }
    let n = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    if fclose(f) != 0 || n != bytes.count {
        throw DatasetGeneratorError.cannotWrite(path, SafeFileWriter.errorMessage(errno))
    }
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
