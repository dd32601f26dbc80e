import Foundation

/// One problem found while loading: where it is and what was expected.
public struct LoadIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var field: String?
    public var message: String

    public var description: String {
        let pos = line > 0 ? (column > 0 ? ":\(line):\(column)" : ":\(line)") : ""
        return "\(file)\(pos): " + (field.map { "\($0): " } ?? "") + message
    }
}

/// Loading failed: the issues (every bad row, up to a limit) and how many there were in all.
public struct LoadError: Error, CustomStringConvertible {
    public var issues: [LoadIssue]
    public var total: Int
    public init(_ issues: [LoadIssue], total: Int? = nil) { self.issues = issues; self.total = total ?? issues.count }
    public init(_ message: String, file: String) {
        self.init([LoadIssue(file: file, line: 0, column: 0, field: nil, message: message)])
    }
    public static let shown = 20

    public var description: String {
        var lines = issues.prefix(LoadError.shown).map(\.description)
        if total > LoadError.shown { lines.append("… and \(total - LoadError.shown) more errors (\(total) in all)") }
        if total > 1 { lines.append("\(total) errors: nothing was loaded (use --lenient to load the good rows)") }
        return lines.joined(separator: "\n")
    }
}

public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case gb18030 = "gb18030"
}

public struct LoadOptions {
    /// Load the good rows and write the rejected ones to a rejects file.
    public var lenient = false
    /// Force an encoding; nil detects (UTF-8 if valid, else GB18030).
    public var encoding: TextEncoding?
    /// Folder for rejects files; nil = beside each input file.
    public var rejectsDirectory: String?
    /// Called with the fraction done (0…1) while loading large files.
    public var progress: ((Double) -> Void)?
    /// Files with at least this many bytes of rows are parsed in two halves on two threads
    /// (about 1.5× faster at a million cases, about 15% more peak memory). Off unless asked for.
    public var parallelThreshold = Int.max
    /// The threshold `--parallel-load` sets.
    public static let parallelLoadThreshold = 16 << 20
    public init(lenient: Bool = false, encoding: TextEncoding? = nil) {
        self.lenient = lenient; self.encoding = encoding
    }
}

/// What a load did: encodings used, rows loaded and rejected, warnings.
public struct LoadReport: Sendable {
    public struct FileReport: Sendable {
        public var file: String
        public var encoding: TextEncoding
        public var hadBOM: Bool
        public var rows: Int
        public var rejected: Int
        public var rejectsFile: String?
    }
    public var files: [FileReport] = []
    public var warnings: [String] = []
    public var rejectedIssues: [LoadIssue] = []
    public var rejectedTotal: Int { files.reduce(0) { $0 + $1.rejected } }
}

public enum DatasetLoader {
    /// Loads a dataset: a folder (cases.csv required; units.csv, events.csv, manifest.json
    /// optional) or a single cases file.
    public static func load(_ path: String, options: LoadOptions = LoadOptions()) throws -> (CaseStore, LoadReport) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LoadError("no such file or folder", file: path)
        }
        let store = CaseStore()
        var report = LoadReport()
        var casesPath = path, unitsPath: String?, eventsPath: String?
        if isDir.boolValue {
            let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
            casesPath = dir + "/cases.csv"
            guard FileManager.default.fileExists(atPath: casesPath) else {
                let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir).sorted()) ?? []
                throw LoadError("this folder has no cases.csv (it holds: \(listing.isEmpty ? "nothing" : listing.prefix(10).joined(separator: ", ")))", file: dir)
            }
            if FileManager.default.fileExists(atPath: dir + "/units.csv") { unitsPath = dir + "/units.csv" }
            if FileManager.default.fileExists(atPath: dir + "/events.csv") { eventsPath = dir + "/events.csv" }
            for name in ["manifest.json"] where FileManager.default.fileExists(atPath: dir + "/" + name) {
                store.manifest = try ManifestReader.read(dir + "/" + name)
            }
            store.manifest.name = store.manifest.name.isEmpty ? (dir as NSString).lastPathComponent : store.manifest.name
        } else {
            store.manifest.name = (path as NSString).lastPathComponent
        }
        store.origin = path

        var errors: [LoadIssue] = []
        var errorTotal = 0
        func run(_ file: String, _ table: Table, _ extra: RowCheck?) throws {
            var tableLoader = try TableLoader(path: file, table: table, options: options, extra: extra)
            try tableLoader.load()
            errors += tableLoader.issues
            errorTotal += tableLoader.issueTotal
            report.warnings += tableLoader.warnings
            report.files.append(tableLoader.fileReport)
            if options.lenient { report.rejectedIssues += tableLoader.issues }
        }
        try run(casesPath, store.cases, CaseRowCheck(store: store))
        if let u = unitsPath { try run(u, store.units, nil) }
        if let e = eventsPath { try run(e, store.events, EventRowCheck(store: store)) }
        if errorTotal > 0 && !options.lenient { throw LoadError(errors, total: errorTotal) }
        store.link()
        return (store, report)
    }
}

/// Checks across fields of a row, after each cell parsed.
protocol RowCheck: AnyObject {
    /// Returns issues as (column name, message); called with the row just appended.
    func check(row: Int, line: Int) -> [(String, String)]
    /// The row was dropped.
    func rejected(row: Int)
}

final class CaseRowCheck: RowCheck {
    let store: CaseStore
    /// The line each id was first seen on, by id code (-1: seen only on a rejected row).
    var lineOfIDCode = RawBuffer<Int32>(capacity: 1024)
    deinit { lineOfIDCode.free() }
    init(store: CaseStore) { self.store = store }
    func check(row: Int, line: Int) -> [(String, String)] {
        let ids = store.cases.text("id")
        let code = ids.codes[row]
        while lineOfIDCode.count <= Int(code) { lineOfIDCode.append(-1) }
        let first = lineOfIDCode[Int(code)]
        if first >= 0 {
            return [("id", "duplicate id \"\(ids.pool[code])\" (first at line \(first))")]
        }
        lineOfIDCode[Int(code)] = Int32(line)
        // An empty year is the year of assignment.
        let year = store.cases.int("year")
        if year.values[row] == 0, case let a = store.cases.day("assigned_on").values[row], a != Day.none {
            year.values[row] = Int32(Day(raw: a).components.year)
        }
        // The deadline defaults to three months after assignment.
        let deadline = store.cases.day("deadline")
        if deadline.values[row] == Day.none {
            let a = store.cases.day("assigned_on").values[row]
            if a != Day.none { deadline.values[row] = Day(raw: a).adding(months: 3).raw }
        }
        return []
    }
    func rejected(row: Int) {}
}

final class EventRowCheck: RowCheck {
    let store: CaseStore
    /// By id code: whether a case has that id (ids share one pool, so a code says it all).
    var known: [Bool]?
    init(store: CaseStore) { self.store = store }
    func check(row: Int, line: Int) -> [(String, String)] {
        if known == nil {
            var k = [Bool](repeating: false, count: store.pools.ids.count)
            for code in store.cases.text("id").codes { k[Int(code)] = true }
            known = k
        }
        let code = Int(store.events.text("case_id").codes[row])
        if code >= known!.count || !known![code] {
            return [("case_id", "no case has id \"\(store.pools.ids[UInt32(code)])\"")]
        }
        return []
    }
    func rejected(row: Int) {}
}

enum ManifestReader {
    static func read(_ path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError("cannot read", file: path) }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoadError("not a JSON object", file: path)
        }
        var m = Manifest()
        m.name = obj["name"] as? String ?? ""
        m.description = obj["description"] as? String ?? ""
        func day(_ key: String) throws -> Day? {
            guard let s = obj[key] as? String else { return nil }
            guard let d = Day(s) else { throw LoadError("\(key): \"\(s)\" is not a date (expected yyyy-mm-dd)", file: path) }
            return d
        }
        m.asOf = try day("as_of")
        m.cutoff = try day("cutoff")
        if let t = obj["targets"] as? [String: Any] {
            if let v = t["completion_rate"] as? Double { m.completionTarget = v }
            if let v = t["face_to_face_rate"] as? Double { m.faceToFaceTarget = v }
            if let v = t["satisfaction_rate"] as? Double { m.satisfactionTarget = v }
        }
        if let r = obj["remits"] as? [String: [String]] {
            for (unit, cats) in r { m.remits[unit] = cats.compactMap { Category(spelling: $0) } }
        }
        return m
    }
}
