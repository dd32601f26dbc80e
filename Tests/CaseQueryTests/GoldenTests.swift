import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

// Golden query files: Tests/CaseQueryTests/Golden/*.golden, one case a file, written by hand.
// The expected outputs were worked out independently of the engine (counted by eye on `tiny`,
// computed with sqlite3 over the generated cases.csv for `gen300`); there is deliberately no
// way to regenerate them from what the engine prints. Each gen300 file keeps, in a `-- sqlite:`
// comment, the query that computed its answer over the generated cases.csv, events.csv and
// units.csv (all columns text, empty cells ''): when the generator changes, rerun those and
// compare, rather than copying the engine's new output.
//
// Format (UTF-8, LF line ends):
//
//     -- dataset: tiny              required: tiny (Tiny.store() in EngineTests.swift) or gen300
//                                   (DatasetGenerator(cases: 300, seed: 7, profile: .shipped), written once a run)
//     -- set NAME=VALUE             optional, repeatable: a parameter ($NAME)
//     -- asof YYYY-MM-DD            optional: the as-of date instead of the dataset's
//     -- labels                     optional: enum values as Chinese labels
//     -- before: STATEMENT          optional, repeatable: run first, its output ignored (for expect)
//     -- any other "-- " line before the query is a comment
//     QUERY                         one statement, over one or more lines, given to Parser.parse
//                                   as written (the lines joined with "\n", no trailing newline)
//     -- expect:                    then the expected output, to the end of the file:
//         rows       CSV (RFC 4180 via CaseStore's CSVWriter, LF): a header of column names, then
//                    a line a row with Cell.exportText (rates as fractions, 6 decimals trimmed)
//         explain    the plan lines, one a line
//         expect     the message ("ok: N rows")
//     -- expect error:              instead: the error's QueryError.rendered(source: QUERY),
//                                   with the default name "query"
//
// Trailing newlines of the expected block are ignored; nothing else is.

struct GoldenCase: CustomTestStringConvertible, Sendable {
    var file: String
    var dataset = ""
    var params: [String: String] = [:]
    var asOf: String?
    var labels = false
    var before: [String] = []
    var query = ""
    var expectsError = false
    var expected = ""

    var testDescription: String { file }

    static func parse(file: String, text: String) throws -> GoldenCase {
        var g = GoldenCase(file: file)
        var lines = text.components(separatedBy: "\n")
        var queryLines: [String] = []
        var expectAt: Int?
        for (i, line) in lines.enumerated() {
            if line == "-- expect:" || line == "-- expect error:" {
                g.expectsError = line == "-- expect error:"
                expectAt = i
                break
            }
            if queryLines.isEmpty, line.hasPrefix("-- ") || line.isEmpty {
                let d = String(line.dropFirst(3))
                if d.hasPrefix("dataset: ") { g.dataset = String(d.dropFirst(9)) }
                else if d.hasPrefix("set ") {
                    let kv = d.dropFirst(4)
                    guard let eq = kv.firstIndex(of: "=") else { throw GoldenFormatError(file: file, message: "bad set line: \(line)") }
                    g.params[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
                } else if d.hasPrefix("asof ") { g.asOf = String(d.dropFirst(5)) }
                else if d == "labels" { g.labels = true }
                else if d.hasPrefix("before: ") { g.before.append(String(d.dropFirst(8))) }
                continue
            }
            queryLines.append(line)
        }
        guard let e = expectAt else { throw GoldenFormatError(file: file, message: "no `-- expect:` line") }
        guard !g.dataset.isEmpty else { throw GoldenFormatError(file: file, message: "no `-- dataset:` line") }
        g.query = queryLines.joined(separator: "\n")
        lines = Array(lines[(e + 1)...])
        while lines.last == "" { lines.removeLast() }
        g.expected = lines.joined(separator: "\n")
        return g
    }
}

struct GoldenFormatError: Error, CustomStringConvertible {
    var file: String
    var message: String
    var description: String { "\(file): \(message)" }
}

enum Golden {
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Golden")
    }

    static func cases() throws -> [GoldenCase] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".golden") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return try GoldenCase.parse(file: name, text: text)
        }
    }

    /// The loaded datasets, made once a run and shared by the (serialized) cases.
    static let tiny: Result<CaseStore, Error> = Result { try Tiny.store() }
    static let gen300: Result<CaseStore, Error> = Result {
        let dir = NSTemporaryDirectory() + "caseql-gen300-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DatasetGenerator(cases: 300, seed: 7, profile: .shipped).write(to: dir)
        return try DatasetLoader.load(dir).0
    }

    static func store(_ name: String) throws -> CaseStore {
        switch name {
        case "tiny": return try tiny.get()
        case "gen300": return try gen300.get()
        default: throw GoldenFormatError(file: name, message: "unknown dataset")
        }
    }

    static func csv(_ r: ResultSet) -> String {
        var w = CSVWriter()
        w.row(r.columns.map(\.name))
        for row in r.rows { w.row(row.map(\.exportText)) }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Runs a golden case; the output in the file's format.
    static func output(_ g: GoldenCase) throws -> String {
        let engine = Engine(store: try store(g.dataset))
        engine.params = g.params
        engine.labels = g.labels
        if let a = g.asOf {
            guard let d = Day(a) else { throw GoldenFormatError(file: g.file, message: "bad asof \(a)") }
            engine.asOf = d
        }
        for s in g.before { _ = try engine.run(try Parser.parse(s)) }
        do {
            switch try engine.run(try Parser.parse(g.query)) {
            case .rows(let r): return csv(r)
            case .plan(let lines): return lines.joined(separator: "\n")
            case .expectation(let m): return m
            }
        } catch let e as QueryError {
            return "error\n" + e.rendered(source: g.query)
        }
    }
}

/// Serialized: the cases share one loaded store a dataset, and a store builds its indexes lazily
/// into caches that are not synchronized (TableIndexes), so engines must not use it concurrently.
@Suite(.serialized) struct GoldenTests {
    @Test func thereAreEnoughGoldenFiles() throws {
        let all = try Golden.cases()
        #expect(all.count >= 40)
        #expect(Set(all.map(\.dataset)) == ["tiny", "gen300"])
    }

    @Test(arguments: try Golden.cases())
    func golden(_ g: GoldenCase) throws {
        var got = try Golden.output(g)
        let gotError = got.hasPrefix("error\n")
        if gotError { got.removeFirst(6) }
        while got.hasSuffix("\n") { got.removeLast() }
        #expect(gotError == g.expectsError, "\(g.file): \(gotError ? "an error" : "no error"), expected \(g.expectsError ? "an error" : "output")\n\(got)")
        #expect(got == g.expected, "\(g.file): query \(g.query)\n--- got:\n\(got)\n--- expected:\n\(g.expected)")
    }
}
