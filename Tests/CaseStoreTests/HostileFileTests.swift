import Foundation
import Glibc
import Testing
@testable import CaseStore

// Issue 17: files that are not what a loader expects. Each is refused with a message that
// says what it is; none blocks, reads without end, or kills the process.

@Suite(.serialized) struct HostileFileTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../datasets/zhengzhou-2020").standardized.path

    private func folder(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "caseql-hostile-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func loadError(_ path: String, _ options: LoadOptions = LoadOptions()) -> String? {
        do { _ = try DatasetLoader.load(path, options: options); return nil } catch { return "\(error)" }
    }

    @Test func nonRegularFilesAreRefusedAtOnce() throws {
        let dir = try folder("kinds")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.shipped + "/cases.csv", toPath: dir + "/cases.csv")
        #expect(loadError("/dev/zero") == "/dev/zero: is a character device, not a regular file: caseql reads only regular files")
        #expect(loadError("/dev/urandom")?.hasSuffix("is a character device, not a regular file: caseql reads only regular files") == true)
        // a FIFO with no writer would block forever
        #expect(mkfifo(dir + "/events.csv", 0o600) == 0)
        #expect(loadError(dir) == dir + "/events.csv: is a FIFO (a named pipe), not a regular file: caseql reads only regular files")
        unlink(dir + "/events.csv")
        symlink("/dev/zero", dir + "/units.csv")
        #expect(loadError(dir) == dir + "/units.csv: is a character device, not a regular file: caseql reads only regular files")
        unlink(dir + "/units.csv")
        #expect(loadError(dir) == nil)
    }

    @Test func linksFoldersAndMissingFilesAreToldApart() throws {
        let dir = try folder("links")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.shipped + "/cases.csv", toPath: dir + "/cases.csv")
        symlink(dir + "/nowhere.csv", dir + "/events.csv")
        #expect(loadError(dir) == dir + "/events.csv: is a symbolic link to \(dir)/nowhere.csv, which does not exist")
        unlink(dir + "/events.csv")
        symlink("loop-b", dir + "/units.csv"); symlink("units.csv", dir + "/loop-b")
        #expect(loadError(dir) == dir + "/units.csv: is a symbolic link that loops")
        unlink(dir + "/units.csv"); unlink(dir + "/loop-b")
        try FileManager.default.createDirectory(atPath: dir + "/units.csv", withIntermediateDirectories: false)
        #expect(loadError(dir) == dir + "/units.csv: is a folder, not a CSV file")
        #expect(loadError(dir + "/missing") == dir + "/missing: no such file or folder")
        symlink(dir + "/gone", dir + "/dangling")
        #expect(loadError(dir + "/dangling") == dir + "/dangling: is a symbolic link to \(dir)/gone, which does not exist")
    }

    /// A file truncated while it is mapped: reading past its new end raised SIGBUS and killed
    /// the process. Now the load ends with an error saying the file changed.
    @Test(arguments: [false, true]) func truncatedWhileLoading(parallel: Bool) throws {
        let dir = try folder("truncate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rows = try String(contentsOfFile: Self.shipped + "/cases.csv", encoding: .utf8)
        var lines = rows.split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines.removeFirst()
        var text = header + "\n"
        // 64 copies (18 MB, past the two-core threshold) with ids made unique
        for copy in 0..<64 {
            for line in lines where !line.isEmpty { text += "X\(copy)-" + line + "\n" }
        }
        let path = dir + "/cases.csv"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        var options = LoadOptions()
        options.parallelThreshold = parallel ? 1 << 20 : Int.max
        nonisolated(unsafe) var truncated = false
        options.progress = { _ in
            if !truncated { truncated = true; truncate(path, 4096) }
        }
        let message = loadError(path, options)
        #expect(truncated)
        #expect(message?.hasPrefix(path + ": changed while it was being read") == true, "\(String(describing: message))")
    }
}
