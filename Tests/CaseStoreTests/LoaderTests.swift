import Foundation
import Testing
@testable import CaseStore

/// A temporary folder holding the given files, removed at the end of the test.
final class TempDataset {
    let path: String
    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "caseql-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, Array(text.utf8)) }
    }
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let header = "id,kind,level,recess,year,title,proposer,proposer_type,cosigners,category,unit,co_units,key_supervised,leader,assigned_on,signed_on,deadline,replied_on,closed_on,status,contact,satisfaction,resolution,form\n"
let goodRow1 = "C-1,proposal,city,false,2020,\"关于“午餐”, 课后服务的提案\",张三,member,李四;王五,education,教育局,,true,分管副市长,2020-03-10,2020-03-12,,2020-05-01,2020-05-20,closed,meeting,satisfied,A,new\n"
let goodRow2 = "C-2,suggestion,city,true,2020,\"多行\n标题\",李四,deputy,,urban,城建局,交通局、公安局,false,,2020-04-01,,2020-07-01,,,assigned,,,,\n"

func loadError(_ files: [String: String], _ options: LoadOptions = LoadOptions()) throws -> LoadError {
    let ds = try TempDataset(files)
    do {
        _ = try DatasetLoader.load(ds.path, options: options)
    } catch let e as LoadError {
        return e
    }
    Issue.record("expected a load error")
    return LoadError([])
}

@Test func loadsGoodRows() throws {
    let ds = try TempDataset(["cases.csv": header + goodRow1 + goodRow2])
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 2)
    #expect(store.cases.text("title")[0] == "关于“午餐”, 课后服务的提案")
    #expect(store.cases.text("title")[1] == "多行\n标题")
    #expect(store.cases.list("cosigners")[0] == ["李四", "王五"])
    #expect(store.cases.list("co_units")[1] == ["交通局", "公安局"])
    #expect(store.cases.code("status").codes[0] == Status.closed.rawValue)
    #expect(store.cases.bool("recess").values == [false, true])
    // Deadline defaults to three months after assignment.
    #expect(Day(raw: store.cases.day("deadline").values[0]).description == "2020-06-10")
    #expect(store.row(ofID: "C-2") == 1)
    #expect(report.files.first?.encoding == .utf8)
}

@Test func chineseHeadersAndLabelsInAnyOrder() throws {
    let csv = "办理状态,主办单位,编号,类别,交办日期,重点督办\n已办结,教育局,X-1,政协委员提案,2020/3/1,是\n办理中,财政局,X-2,建议,2020年3月2日,否\n"
    let ds = try TempDataset(["cases.csv": csv])
    let (store, _) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 2)
    #expect(store.cases.code("kind").codes == [Kind.proposal.rawValue, Kind.suggestion.rawValue])
    #expect(store.cases.code("status").codes == [Status.closed.rawValue, Status.inProgress.rawValue])
    #expect(store.cases.bool("key_supervised").values == [true, false])
    #expect(Day(raw: store.cases.day("assigned_on").values[1]).description == "2020-03-02")
    // No year column: the year of assignment.
    #expect(store.cases.int("year").values == [2020, 2020])
}

@Test func crlfAndBOM() throws {
    let csv = "\u{FEFF}" + (header + goodRow1).replacingOccurrences(of: "\n", with: "\r\n")
    let ds = try TempDataset(["cases.csv": csv])
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 1)
    #expect(store.cases.text("id")[0] == "C-1")
    #expect(report.files[0].hadBOM)
}

@Test func gb18030IsDetected() throws {
    let utf8 = Array((header + goodRow1).utf8)
    let gb = utf8.withUnsafeBufferPointer { Transcode.utf8ToGB18030($0)! }
    #expect(gb != utf8)
    let ds = try TempDataset([:])
    try ds.write("cases.csv", gb)
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.text("unit")[0] == "教育局")
    #expect(report.files[0].encoding == .gb18030)
    // Forced encoding works too.
    let (store2, _) = try DatasetLoader.load(ds.path, options: LoadOptions(encoding: .gb18030))
    #expect(store2.cases.text("title")[0] == "关于“午餐”, 课后服务的提案")
}

@Test func badStatusIsPositioned() throws {
    let row = goodRow1.replacingOccurrences(of: ",closed,", with: ",已完成,")
    let e = try loadError(["cases.csv": header + row])
    #expect(e.issues.count == 1)
    let issue = e.issues[0]
    #expect(issue.line == 2)
    #expect(issue.field == "status")
    #expect(issue.message.hasPrefix("\"已完成\" is not a status (expected one of 已交办 (assigned)"))
    // Column of the status cell, counted in characters.
    let prefix = row.components(separatedBy: ",已完成,")[0]
    #expect(issue.column == prefix.count + 2)
    #expect(issue.description.hasPrefix("cases.csv:2:\(prefix.count + 2): status: \"已完成\""))
}

@Test func duplicateID() throws {
    let e = try loadError(["cases.csv": header + goodRow1 + goodRow1])
    #expect(e.issues.map(\.description) == ["cases.csv:3:1: id: duplicate id \"C-1\" (first at 2:1)"])
}

@Test func unterminatedQuote() throws {
    let e = try loadError(["cases.csv": header + goodRow1 + "C-9,proposal,city,false,2020,\"没有结束的标题,x\n"])
    #expect(e.issues.count == 1)
    #expect(e.issues[0].line == 3 && e.issues[0].column == 30)
    #expect(e.issues[0].message.contains("unterminated quoted field"))
}

@Test func tooFewAndTooManyFields() throws {
    let e = try loadError(["cases.csv": header + "C-1,proposal\n" + goodRow1.dropLast() + ",extra\n"])
    #expect(e.issues.map(\.description) == [
        "cases.csv:2: too few fields: expected 24, found 2",
        "cases.csv:3:166: too many fields: expected 24, found 25 (a value past the header's last column: \"extra\")",
    ])
}

@Test func badDate() throws {
    let e = try loadError(["cases.csv": header + goodRow1.replacingOccurrences(of: "2020-03-10", with: "2020-02-30")])
    #expect(e.issues.count == 1)
    #expect(e.issues[0].field == "assigned_on")
    #expect(e.issues[0].message == "\"2020-02-30\" is not a date (2020-02 has 29 days)")
}

@Test func unknownEnumValue() throws {
    let e = try loadError(["cases.csv": header + goodRow1.replacingOccurrences(of: ",meeting,", with: ",carrier pigeon,")])
    #expect(e.issues.first?.field == "contact")
    #expect(e.issues.first?.message.hasPrefix("\"carrier pigeon\" is not a contact") == true)
}

@Test func eventForUnknownCase() throws {
    let e = try loadError(["cases.csv": header + goodRow1,
                           "events.csv": "case_id,date,unit,action,note\nC-1,2020-03-10,办公厅,assign,\nC-404,2020-03-11,教育局,sign,\n"])
    #expect(e.issues.map(\.description) == ["events.csv:3:1: case_id: no case has id \"C-404\""])
}

@Test func missingRequiredColumn() throws {
    // A case list needs a title or an id; the rest may be absent (and has no data then).
    let e = try loadError(["cases.csv": "kind,unit,assigned_on\nproposal,教育局,2020-01-01\n"])
    #expect(e.issues.map(\.description) == ["cases.csv:1: missing a column for title (案由) or id (编号) (the header, line 1: kind, unit, assigned_on)"])
    #expect(!e.description.contains("--lenient"))
    let ds = try TempDataset(["cases.csv": "id,kind,unit,assigned_on\nC-1,proposal,教育局,2020-01-01\n"])
    let (store, _) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 1)
    #expect(!store.cases.hasData("status") && store.cases.hasData("unit"))
    #expect(store.cases.code("status").codes == [EnumInfo.none])
}

@Test func emptyBinaryMissingAndNoCases() throws {
    #expect(try loadError(["cases.csv": ""]).description.contains("the file is empty"))
    let ds = try TempDataset([:])
    try ds.write("cases.csv", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF])
    do { _ = try DatasetLoader.load(ds.path); Issue.record("workbook loaded") } catch let e as LoadError {
        #expect(e.description.contains("this is an Excel workbook (.xlsx), not CSV"))
    }
    try ds.write("cases.csv", [0x41, 0x42, 0x00, 0x43])
    do { _ = try DatasetLoader.load(ds.path); Issue.record("binary loaded") } catch let e as LoadError {
        #expect(e.description.contains("not a text file (a NUL byte at offset 2)"))
    }
    do { _ = try DatasetLoader.load(ds.path + "/nope"); Issue.record("missing loaded") } catch let e as LoadError {
        #expect(e.description.hasSuffix("nope: no such file or folder"))
    }
    let empty = try TempDataset(["notes.txt": "x"])
    do { _ = try DatasetLoader.load(empty.path); Issue.record("folder loaded") } catch let e as LoadError {
        #expect(e.description.contains("has no cases.csv or cases.xlsx, nor a workbook with a sheet named cases or 案件 (it holds: notes.txt)"))
    }
}

@Test func everyBadRowReportedFirstTwentyShown() throws {
    var csv = header
    for i in 0..<30 { csv += goodRow1.replacingOccurrences(of: "C-1,", with: "D-\(i),").replacingOccurrences(of: ",closed,", with: ",bogus,") }
    let e = try loadError(["cases.csv": csv])
    #expect(e.total == 30)
    let lines = e.description.split(separator: "\n")
    #expect(lines.count == 22)
    #expect(lines[20] == "… and 10 more errors (30 in all)")
}

@Test func lenientWritesRejects() throws {
    let bad = goodRow1.replacingOccurrences(of: "C-1,", with: "C-3,").replacingOccurrences(of: "2020-03-10", with: "2020-13-01")
    let ds = try TempDataset(["cases.csv": header + goodRow1 + bad + goodRow2])
    var options = LoadOptions(lenient: true)
    options.rejectsDirectory = ds.path
    let (store, report) = try DatasetLoader.load(ds.path, options: options)
    #expect(store.cases.count == 2)
    #expect(store.cases.text("id")[1] == "C-2")
    #expect(report.rejectedTotal == 1)
    let rejects = try rejectsText(ds.path + "/cases.rejects.csv")
    #expect(rejects == header + bad)
}

/// A rejects file, written with the file defaults (a UTF-8 BOM, CRLF line ends: checked), as
/// text with LF line ends.
func rejectsText(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], sourceLocation: sourceLocation)
    let body = Array(bytes.dropFirst(3))
    let lineFeeds = body.indices.filter { body[$0] == 0x0A }
    #expect(lineFeeds.allSatisfy { $0 > 0 && body[$0 - 1] == 0x0D }, "every line ends in CRLF", sourceLocation: sourceLocation)
    return String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
}

/// The records of a CSV text, each one's fields joined by commas again.
func records(_ text: String) throws -> [String] {
    var out: [String] = []
    try Array(text.utf8).withUnsafeBufferPointer { buf in
        var r = CSVReader(buf)
        while try r.nextRow() { out.append((0..<r.fields.count).map { r.string($0) }.joined(separator: ",")) }
    }
    return out
}

/// Every cell of every table, as text, for comparing two loads.
func dump(_ store: CaseStore) -> [String] {
    var out: [String] = []
    for table in [store.cases, store.units, store.events] {
        for row in 0..<table.count {
            out.append(table.storedSpecs.map { table.column($0.name)!.display(row) }.joined(separator: "|"))
        }
    }
    return out
}

@Test func twoHalvesLoadLikeOne() throws {
    let ds = try TempDataset([:])
    try DatasetGenerator(cases: 3000, seed: 5).write(to: ds.path)
    let (one, _) = try DatasetLoader.load(ds.path)
    var options = LoadOptions()
    options.parallelThreshold = 0
    let (two, _) = try DatasetLoader.load(ds.path, options: options)
    #expect(two.cases.count == 3000)
    #expect(dump(one) == dump(two))
    #expect(two.row(ofID: one.cases.text("id")[2999]) == 2999)
}

@Test func twoHalvesReportErrorsWhereTheyAre() throws {
    // A duplicate id across the halves, a bad status and a bad date in the second half.
    var csv = header
    for i in 0..<400 { csv += goodRow1.replacingOccurrences(of: "C-1,", with: "R-\(i),") }
    var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[350] = lines[350].replacingOccurrences(of: "R-349,", with: "R-3,")
    lines[380] = lines[380].replacingOccurrences(of: ",closed,", with: ",已完成,")
    lines[390] = lines[390].replacingOccurrences(of: "2020-03-10", with: "2020-02-30")
    csv = lines.joined(separator: "\n")
    var sequential: LoadError?
    var parallel: LoadError?
    for threshold in [Int.max, 0] {
        var options = LoadOptions()
        options.parallelThreshold = threshold
        let ds = try TempDataset(["cases.csv": csv])
        do { _ = try DatasetLoader.load(ds.path, options: options) } catch let e as LoadError {
            if threshold == 0 { parallel = e } else { sequential = e }
        }
    }
    #expect(sequential?.issues.map(\.description).count == 3)
    #expect(parallel?.issues.map(\.description).sorted() == sequential?.issues.map(\.description).sorted())
    #expect(sequential?.issues.contains { $0.description == "cases.csv:351:1: id: duplicate id \"R-3\" (first at 5:1)" } == true)
}

@Test func twoHalvesLenientDropsTheSameRows() throws {
    var csv = header
    for i in 0..<300 {
        let row = goodRow1.replacingOccurrences(of: "C-1,", with: "L-\(i),")
        csv += i == 250 ? row.replacingOccurrences(of: ",closed,", with: ",bogus,") : row   // bad, second half
    }
    csv += goodRow1.replacingOccurrences(of: "C-1,", with: "L-7,")   // duplicate, last row
    let ds = try TempDataset(["cases.csv": csv])
    var options = LoadOptions(lenient: true)
    options.parallelThreshold = 0
    options.rejectsDirectory = ds.path
    let (store, report) = try DatasetLoader.load(ds.path, options: options)
    #expect(store.cases.count == 299)
    #expect(report.rejectedTotal == 2)
    #expect(store.row(ofID: "L-299") == 298)
    #expect(store.cases.text("id")[250] == "L-251")
    #expect(store.row(ofID: "L-250") == nil)
}

@Test func peopleAreKeptAsBytesUntilFirstAskedFor() throws {
    var csv = header
    for i in 0..<300 {
        var row = goodRow1.replacingOccurrences(of: "C-1,", with: "D-\(i),")
            .replacingOccurrences(of: ",张三,", with: ",人\(i),")
            .replacingOccurrences(of: ",李四;王五,", with: i % 3 == 0 ? ",," : ",甲\(i)；乙\(i)、丙,")
        if i == 100 { row = row.replacingOccurrences(of: ",closed,", with: ",bogus,") }   // rejected
        csv += row
    }
    csv += goodRow1.replacingOccurrences(of: "C-1,", with: "D-7,")   // duplicate id, rejected
    for threshold in [Int.max, 0] {
        let ds = try TempDataset(["cases.csv": csv])
        var options = LoadOptions(lenient: true)
        options.parallelThreshold = threshold
        options.rejectsDirectory = ds.path
        let (store, report) = try DatasetLoader.load(ds.path, options: options)
        #expect(report.rejectedTotal == 2)
        #expect(store.cases.count == 299)
        #expect(store.cases.pendingCells("proposer") != nil)
        #expect(store.cases.pendingCells("cosigners") != nil)
        let proposers = store.cases.text("proposer"), cosigners = store.cases.list("cosigners")
        // Interned together: one pool, changed by one thread.
        #expect(store.cases.pendingCells("proposer") == nil && store.cases.pendingCells("cosigners") == nil)
        for row in 0..<299 {
            let i = row < 100 ? row : row + 1
            #expect(proposers[row] == "人\(i)")
            #expect(cosigners[row] == (i % 3 == 0 ? [] : ["甲\(i)", "乙\(i)", "丙"]))
        }
        #expect(store.pools.people.lookup("人101") != nil)
        #expect(store.pools.people.lookup("人100") == nil)
    }
}

@Test func radixSortSortsLikeSort() {
    var rng = SplitMix64(seed: 11)
    for n in [0, 1, 2, 255, 256, 5000] {
        var keys = (0..<n).map { i -> UInt64 in
            let r = rng.next()
            return i % 3 == 0 ? r & 0xFFFF_0000_0000_FFFF : r   // some bytes alike in many keys
        }
        let expected = keys.sorted()
        RadixSort.sort(&keys)
        #expect(keys == expected)
    }
}

@Test func duplicateIDsAreFoundAfterTheLoadAndRejectedInFileOrder() throws {
    var csv = header
    for i in 0..<200 { csv += goodRow1.replacingOccurrences(of: "C-1,", with: "E-\(i),") }
    var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[150] = lines[150].replacingOccurrences(of: "E-149,", with: "E-10,")            // duplicate
    lines[160] = lines[160].replacingOccurrences(of: ",closed,", with: ",bogus,")        // bad cell, later
    lines[170] = lines[170].replacingOccurrences(of: "E-169,", with: "E-10,")            // duplicate again
    csv = lines.joined(separator: "\n")
    for threshold in [Int.max, 0] {
        let ds = try TempDataset(["cases.csv": csv])
        var options = LoadOptions(lenient: true)
        options.parallelThreshold = threshold
        options.rejectsDirectory = ds.path
        let (store, report) = try DatasetLoader.load(ds.path, options: options)
        #expect(store.cases.count == 197)
        #expect(report.rejectedIssues.map { $0.description.prefix(60) } == [
            "cases.csv:151:1: id: duplicate id \"E-10\" (first at 12:1)",
            "cases.csv:161:137: status: \"bogus\" is not a status (expected",
            "cases.csv:171:1: id: duplicate id \"E-10\" (first at 12:1)",
        ])
        let rejects = try rejectsText(ds.path + "/cases.rejects.csv")
        #expect(rejects == header + lines[150] + "\n" + lines[160] + "\n" + lines[170] + "\n")
        #expect(store.row(ofID: "E-10") == 10)
        #expect(store.row(ofID: "E-199") == 196)
    }
}

@Test func badCellsAnywhereInABlockDropOnlyTheirRows() throws {
    var csv = header
    var expectedBad: [Int] = []
    for i in 0..<1000 {
        var row = goodRow1.replacingOccurrences(of: "C-1,", with: "B-\(i),")
        if i % 37 == 5 { row = row.replacingOccurrences(of: "2020-03-10", with: "2020-02-31"); expectedBad.append(i) }
        else if i % 53 == 11 { row = row.replacingOccurrences(of: ",closed,", with: ",shut,"); expectedBad.append(i) }
        else if i % 101 == 63 { row = row.replacingOccurrences(of: ",proposal,", with: ",petition,"); expectedBad.append(i) }
        csv += row
    }
    for threshold in [Int.max, 0] {
        let ds = try TempDataset(["cases.csv": csv])
        var options = LoadOptions(lenient: true)
        options.parallelThreshold = threshold
        options.rejectsDirectory = ds.path
        let (store, report) = try DatasetLoader.load(ds.path, options: options)
        let keptIDs = (0..<store.cases.count).map { store.cases.text("id")[$0] }
        #expect(keptIDs == (0..<1000).filter { !expectedBad.contains($0) }.map { "B-\($0)" })
        #expect(report.rejectedIssues.map(\.line) == expectedBad.map { $0 + 2 })
        #expect(report.rejectedIssues.map { $0.field ?? "" } == expectedBad.map { $0 % 37 == 5 ? "assigned_on" : $0 % 53 == 11 ? "status" : "kind" })
        let rejects = try rejectsText(ds.path + "/cases.rejects.csv")
        #expect(rejects.split(separator: "\n").count == 1 + expectedBad.count)
        #expect(store.cases.day("deadline").values.allSatisfy { $0 != Day.none })
    }
}

@Test func aStrayQuoteThatMisleadsTheCutsLoadsLikeOnePart() throws {
    // Titles over two lines throughout, and one stray quote inside an unquoted field early on:
    // counted as opening a quote, it makes every cut land inside a title. The parts that began
    // there are read again in one piece.
    var csv = header
    for i in 0..<600 {
        var row = goodRow2.replacingOccurrences(of: "C-2,", with: "Q-\(i),")
        if i == 3 { row = row.replacingOccurrences(of: ",李四,", with: ",李\"四,") }
        csv += row
    }
    let ds = try TempDataset(["cases.csv": csv])
    let (one, _) = try DatasetLoader.load(ds.path, options: { var o = LoadOptions(); o.parallelThreshold = Int.max; return o }())
    var options = LoadOptions()
    options.parallelThreshold = 0
    let cuts = try Data(contentsOf: URL(fileURLWithPath: ds.path + "/cases.csv")).withUnsafeBytes { raw in
        RangeParser.findSplits(raw.bindMemory(to: UInt8.self), from: header.utf8.count, parts: TableLoader.parts)
    }
    // Some cut is not at a row's start (so the fallback is what this tests).
    let bytes = Array(csv.utf8)
    #expect(cuts.contains { !(bytes[$0] == UInt8(ascii: "Q") && bytes[$0 + 1] == UInt8(ascii: "-")) })
    let (parts, _) = try DatasetLoader.load(ds.path, options: options)
    #expect(one.cases.count == 600)
    #expect(dump(parts) == dump(one))
    #expect(parts.cases.text("proposer")[3] == "李\"四")
    #expect(parts.row(ofID: "Q-599") == 599)
}
