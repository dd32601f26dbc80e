// The fuzz target for the CSV loader (Fuzz.swift dispatches to it): each input is a cases.csv,
// loaded strictly and leniently, in one part and in two (the two-core path, forced with a
// threshold of 0 bytes). Nothing may crash or hang, and the two loads must agree: the same rows
// and cells, the same report, rejects file and messages, or the same error (issue 17).

import CaseStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder of this process's own, for the input and each load's rejects file.
let fuzzFolder: String = {
    let d = NSTemporaryDirectory() + "caseql-fuzz-loader-\(getpid())"
    try? FileManager.default.removeItem(atPath: d)
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}()

/// Everything a load gave, as lines to compare.
func loadOutcome(_ path: String, lenient: Bool, parts: Int) -> [String] {
    let rejects = fuzzFolder + "/rejects-\(parts)"
    try? FileManager.default.removeItem(atPath: rejects)
    try? FileManager.default.createDirectory(atPath: rejects, withIntermediateDirectories: false)
    var options = LoadOptions(lenient: lenient)
    options.parallelThreshold = parts == 1 ? Int.max : 0
    options.rejectsDirectory = rejects
    do {
        let (store, report) = try DatasetLoader.load(path, options: options)
        var out = report.files.map { f in
            "\(f.rows) rows, \(f.rejected) rejected (\(f.rejectedLines) lines), \(f.skipped) skipped, \(f.encoding), "
                + "rejects \(f.rejectsFile.flatMap { FileManager.default.contents(atPath: $0) }.map { Array($0).description } ?? "none")"
        }
        out += report.warnings.map { $0.en.replacingOccurrences(of: rejects, with: "REJECTS") }
        out += report.rejectedIssues.map(\.description)
        for table in [store.cases, store.units, store.events] {
            for row in 0..<table.count { out.append(table.storedSpecs.map { table.column($0.name)!.display(row) }.joined(separator: "|")) }
        }
        return out
    } catch {
        return ["error: \(error)".replacingOccurrences(of: rejects, with: "REJECTS")]
    }
}

func fuzzLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = fuzzFolder + "/cases.csv"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    for lenient in [false, true] {
        let one = loadOutcome(path, lenient: lenient, parts: 1)
        let two = loadOutcome(path, lenient: lenient, parts: 2)
        if one != two {
            let first = zip(one, two).first { $0 != $1 }
            fatalError("one part and two parts disagree (lenient \(lenient)): \(first.map { "\($0.0) ≠ \($0.1)" } ?? "\(one.count) lines ≠ \(two.count)")")
        }
    }
    return 0
}
