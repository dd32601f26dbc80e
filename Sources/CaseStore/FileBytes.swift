import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file's bytes: mapped read-only when it can be (so a large file is never copied, and the
/// pages already parsed can be given back), else held in memory.
final class FileBytes {
    private var base: UnsafeMutableRawPointer?
    private let count: Int
    private let mapped: Bool
    private var released = 0
    /// The open file (kept, to see whether it changed during the load), or -1.
    private var fd: Int32 = -1
    private var opened = stat()
    private var guardSlot: Int?
    private let path: String
    /// The buffer whose bytes these are, for bytes made in memory and read in place.
    private var adopted: ByteBuffer?

    /// - Throws: `LoadError` saying why the file cannot be read (InputFile.problem): missing, a
    ///   folder, a dangling or looping link, unreadable, or not a regular file (a FIFO, a device).
    init(path: String) throws {
        self.path = path
        if let problem = InputFile.problem(path) { throw LoadError(problem, file: path) }
        // O_NONBLOCK: should a FIFO be swapped in after the check, open does not wait for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw LoadError(InputFile.cannotRead(errno), file: path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw LoadError(InputFile.cannotRead(e), file: path)
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw LoadError(InputFile.notRegular(st.st_mode), file: path)
        }
        self.fd = fd
        opened = st
        let size = Int(st.st_size)
        if size > 0, let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
            madvise(p, size, Int32(MADV_SEQUENTIAL))
            base = p; count = size; mapped = true
            guardSlot = MappedFileGuard.add(p, count: size)
            return
        }
        // Not mappable (an empty file, a file system without mmap): read it whole.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw LoadError(InputFile.cannotRead(errno), file: path) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    /// - Throws: `LoadError` when the file was truncated, grown or rewritten since it was opened
    ///   (its bytes cannot be trusted: the load stops rather than load half of two versions).
    func checkUnchanged() throws {
        guard fd >= 0 else { return }
        var now = stat()
        let truncated = MappedFileGuard.wasTruncated(guardSlot)
        guard fstat(fd, &now) == 0 else { return }
        let changed = now.st_size != opened.st_size || now.st_mtim.tv_sec != opened.st_mtim.tv_sec
            || now.st_mtim.tv_nsec != opened.st_mtim.tv_nsec
        if truncated || changed {
            throw LoadError(Message(en: "changed while it was being read (\(opened.st_size) bytes when opened, \(now.st_size) now): nothing was loaded; load it again once it is written", zh: "读取期间文件被改动了（打开时 \(opened.st_size) 字节，现在 \(now.st_size) 字节）：什么都没有加载；等它写完后再加载"), file: path)
        }
    }

    /// Bytes made in memory (a worksheet's CSV text), read where they are: kept, not copied
    /// (the buffer must not change while these are in use).
    init(adopting bytes: ByteBuffer, path: String = "") {
        self.path = path
        adopted = bytes
        (base, count, mapped) = (bytes.isEmpty ? nil : UnsafeMutableRawPointer(bytes.base), bytes.count, false)
    }

    init(owning bytes: [UInt8], path: String = "") {
        self.path = path
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    private static func copy(_ bytes: [UInt8]) -> (UnsafeMutableRawPointer?, Int, Bool) {
        guard !bytes.isEmpty else { return (nil, 0, false) }
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return (p, bytes.count, false)
    }

    /// Whether the bytes are the file's pages, mapped (else a copy in memory).
    var isMapped: Bool { mapped }

    var buffer: UnsafeBufferPointer<UInt8> {
        guard let b = base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: b.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Lets the kernel drop the mapped pages before `offset` (they are read again from the file
    /// if touched later).
    func release(upTo offset: Int) {
        guard mapped, let b = base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (offset / page) * page
        guard end > released else { return }
        madvise(b + released, end - released, Int32(MADV_DONTNEED))
        released = end
    }

    deinit {
        if fd >= 0 { close(fd) }
        MappedFileGuard.remove(guardSlot)
        guard let b = base else { return }
        if mapped { munmap(b, count) } else if adopted == nil { b.deallocate() }
    }
}
