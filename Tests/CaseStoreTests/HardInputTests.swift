import Foundation
import Testing
@testable import CaseStore

// Issue 17's hard inputs on the loader, each on generated files: wide headers and their notes,
// a quote that runs away under --lenient, the rejects file, duplicate units.

/// `n` good rows of distinct ids (one line each), the header first.
private func rows(_ n: Int, prefix: String = "H") -> [String] {
    [String(header.dropLast())] + (0..<n).map { i in
        String(goodRow1.replacingOccurrences(of: "C-1,", with: "\(prefix)-\(i),").replacingOccurrences(of: "教育局", with: i % 3 == 0 ? "财政局" : "教育局").dropLast())
    }
}

private func lenient(_ ds: TempDataset) -> LoadOptions {
    var o = LoadOptions(lenient: true)
    o.rejectsDirectory = ds.path
    return o
}

@Suite struct WideHeaders {
    @Test func thousandsOfUnknownColumnsGiveOneCappedNote() throws {
        let n = 3000
        let head = String(header.dropLast()) + (0..<n).map { ",附加\($0)" }.joined()
        let row = String(goodRow1.dropLast()) + (0..<n).map { ",v\($0 % 5)" }.joined()
        let ds = try TempDataset(["cases.csv": head + "\n" + row + "\n"])
        let (store, report) = try DatasetLoader.load(ds.path)
        #expect(store.cases.count == 1)
        let notes = report.warnings.map(\.en).filter { $0.contains("named no field") }
        #expect(notes.count == 1)
        #expect(notes[0].hasSuffix("\"附加19\", … and \(n - Notes.shownItems) more"))
        #expect(notes[0].components(separatedBy: "\"附加").count - 1 == Notes.shownItems)
        // Every column is kept, queryable under its header.
        #expect(store.cases.text("附加2999")[0] == "v4")
    }

    @Test func aRepeatedFieldAndARepeatedHeaderAreCappedAndNumberedInOnePass() throws {
        // 40 more columns named title, 2,000 columns named 备注: one note a kind, capped.
        let head = String(header.dropLast()) + String(repeating: ",title", count: 40) + String(repeating: ",备注", count: 2000)
        let row = String(goodRow1.dropLast()) + String(repeating: ",t", count: 40) + (0..<2000).map { ",b\($0)" }.joined()
        let ds = try TempDataset(["cases.csv": head + "\n" + row + "\n"])
        let (store, report) = try DatasetLoader.load(ds.path)
        let again = report.warnings.map(\.en).filter { $0.contains("names title again") }
        #expect(again.count == Notes.shownPerKind)
        #expect(report.warnings.map(\.en).contains("cases.csv: … and 35 more columns naming a field again, kept as text fields"))
        #expect(report.warnings.count < 12)
        #expect(store.cases.text("备注")[0] == "b0")
        #expect(store.cases.text("备注2")[0] == "b1")
        #expect(store.cases.text("备注2000")[0] == "b1999")
    }

    @Test func sixteenThousandColumnsAreReadAndOneMoreIsRefused() throws {
        for (n, loads) in [(CSVReader.maxFields - 24, true), (CSVReader.maxFields - 23, false)] {
            let head = String(header.dropLast()) + (0..<n).map { ",x\($0)" }.joined()
            let ds = try TempDataset(["cases.csv": head + "\n" + String(goodRow1.dropLast()) + String(repeating: ",", count: n) + "\n"])
            if loads {
                let (store, _) = try DatasetLoader.load(ds.path)
                #expect(store.cases.specs.filter(\.extra).count == n)
            } else {
                let e = try loadError(["cases.csv": head + "\n"])
                #expect(e.description == "cases.csv:1:1: a row of more than 16,384 fields (caseql reads at most 16384 columns, as many as a spreadsheet has)")
            }
        }
    }

    @Test func aTypoedHeaderIsStillFoundAmongManyColumns() throws {
        let head = String(header.dropLast()).replacingOccurrences(of: "satisfaction", with: "satisfction") + (0..<500).map { ",列\($0)" }.joined()
        let e = try loadError(["cases.csv": head + "\n"])
        #expect(e.issues.map(\.message) == ["column \"satisfction\" is not a field of cases: did you mean satisfaction (满意度)? Rename the column"])
    }
}

@Suite struct RunawayQuotes {
    /// Loads `lines` (a header and rows of one line each) leniently; checks that every line is
    /// either a loaded row or in the rejects file, and that exactly `bad` (0-based row indexes)
    /// were rejected, as whole lines, in file order.
    func check(_ lines: [String], bad: [Int], crlf: Bool = false, _ comment: Comment) throws {
        let eol = crlf ? "\r\n" : "\n"
        let ds = try TempDataset(["cases.csv": lines.joined(separator: eol) + eol])
        let (store, report) = try DatasetLoader.load(ds.path, options: lenient(ds))
        let f = report.files[0]
        #expect(store.cases.count == lines.count - 1 - bad.count, comment)
        #expect(f.rows + f.rejectedLines + 1 == lines.count, comment)
        #expect(f.rejected == bad.count && f.rejectedLines == bad.count, comment)
        if bad.isEmpty {
            #expect(!FileManager.default.fileExists(atPath: ds.path + "/cases.rejects.csv"), comment)
        } else {
            // Each malformed line is written a field per comma, its stray quote as text: read
            // back, its fields joined again are the line as it was.
            let rejects = try rejectsText(ds.path + "/cases.rejects.csv")
            #expect(try records(rejects) == [lines[0]] + bad.map { lines[$0 + 1] }, comment)
        }
        let ids = Set((0..<store.cases.count).map { store.cases.text("id")[$0] })
        for (k, line) in lines.dropFirst().enumerated() {
            let id = String(line.prefix { $0 != "," })
            #expect(ids.contains(id) == !bad.contains(k), "\(comment): row \(k)")
        }
    }

    @Test func aStrayQuoteBeforeATitleRejectsOnlyItsLine() throws {
        var lines = rows(1270)
        lines[100] = lines[100].replacingOccurrences(of: ",张三,", with: ",\"张三,")   // a quote that never closes on line 101
        try check(lines, bad: [99], "one stray quote before a proposer")
        // Strict: the error is at the quote, on its line.
        let e = try loadError(["cases.csv": lines.joined(separator: "\n") + "\n"])
        let column = lines[100].components(separatedBy: ",\"张三,")[0].count + 2
        #expect(e.issues.count == 1)
        #expect(e.issues[0].description.hasPrefix("cases.csv:101:\(column): a quote opens a field here and is not closed on its line (the next quote, 1 line further on, is followed by text)"))
    }

    @Test func aQuoteOpenToTheEndOfTheFileRejectsOnlyItsLine() throws {
        var lines = rows(50)
        lines[20] = lines[20].replacingOccurrences(of: ",new", with: ",\"new")
        for k in 21..<lines.count {   // no quote after it
            lines[k] = lines[k].replacingOccurrences(of: "\"关于“午餐”, 课后服务的提案\"", with: "关于午餐的提案")
        }
        try check(lines, bad: [19], "a quote open to the end of the file")
        let e = try loadError(["cases.csv": lines.joined(separator: "\n") + "\n"])
        #expect(e.issues[0].line == 21)
        #expect(e.issues[0].message.contains("never closed (it runs over the 30 lines after it to the end of the file)"))
    }

    /// A family: stray quotes at the start of a random field of random rows, seed printed.
    @Test(arguments: [17, 2020, 86_400]) func strayQuotesAnywhere(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for round in 0..<6 {
            var lines = rows(200)
            var bad: [Int] = []
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let k = 1 + Int(rng.next() % 200)
                guard !bad.contains(k - 1) else { continue }
                // A field start that is not quoted already: after one of the row's commas.
                var cells = lines[k].components(separatedBy: ",")
                let at = 1 + Int(rng.next() % UInt64(cells.count - 1))
                guard !cells[at].hasPrefix("\""), !cells[at - 1].hasPrefix("\"") || cells[at - 1].hasSuffix("\"") else { continue }
                cells[at] = "\"" + cells[at]
                lines[k] = cells.joined(separator: ",")
                bad.append(k - 1)
            }
            try check(lines, bad: bad.sorted(), crlf: round % 2 == 1, "seed \(seed) round \(round)")
        }
    }

    @Test func textAfterAClosingQuoteRejectsOnlyItsLine() throws {
        var lines = rows(30)
        lines[7] = lines[7].replacingOccurrences(of: ",张三,", with: ",\"张三\"x,")
        try check(lines, bad: [6], "text after a closing quote")
    }
}

@Suite struct RejectsFile {
    let bad = goodRow1.replacingOccurrences(of: "C-1,", with: "C-3,").replacingOccurrences(of: ",closed,", with: ",bogus,")

    @Test func anExistingRejectsFileIsKeptAndTheRowsGoToANewNameSaidAloud() throws {
        let ds = try TempDataset(["cases.csv": header + goodRow1 + bad, "cases.rejects.csv": "mine\n", "cases.rejects.2.csv": "mine too\n"])
        let (_, report) = try DatasetLoader.load(ds.path, options: lenient(ds))
        #expect(try String(contentsOfFile: ds.path + "/cases.rejects.csv", encoding: .utf8) == "mine\n")
        #expect(try String(contentsOfFile: ds.path + "/cases.rejects.2.csv", encoding: .utf8) == "mine too\n")
        #expect(try rejectsText(ds.path + "/cases.rejects.3.csv") == header + bad)
        #expect(report.files[0].rejectsFile == ds.path + "/cases.rejects.3.csv")
        #expect(report.warnings.map(\.en).contains("cases.csv: \(ds.path)/cases.rejects.csv exists (kept): the 1 rejected row went to \(ds.path)/cases.rejects.3.csv"))
    }

    @Test func aRejectsFileThatCannotBeWrittenIsAnError() throws {
        // A folder, a FIFO and a link in the rejects file's place; a missing folder.
        for what in ["folder", "fifo", "link", "no folder"] {
            let ds = try TempDataset(["cases.csv": header + goodRow1 + bad])
            var options = lenient(ds)
            let target = ds.path + "/cases.rejects.csv"
            switch what {
            case "folder": try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            case "fifo": #expect(mkfifo(target, 0o644) == 0)
            case "link": try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: "/nonexistent")
            default: options.rejectsDirectory = ds.path + "/missing"
            }
            let e: LoadError
            do { _ = try DatasetLoader.load(ds.path, options: options); Issue.record("\(what): loaded"); continue } catch let x as LoadError { e = x }
            #expect(e.issues.count == 1, "\(what)")
            #expect(e.issues[0].message.hasPrefix("1 rejected row could not be written (cannot write "), "\(what): \(e)")
            #expect(e.issues[0].message.hasSuffix("nothing was loaded, so that no row is lost unseen"), "\(what)")
            #expect(!e.description.contains("--lenient"), "\(what)")
        }
    }
}

@Test func aDuplicateUnitIsAPositionedError() throws {
    let units = "name,type\n教育局,department\n财政局,department\n 教育局 ,district\n"
    let e = try loadError(["cases.csv": header + goodRow1, "units.csv": units])
    #expect(e.issues.map(\.description) == ["units.csv:4:1: name: duplicate unit \"教育局\" (first at 2:1)"])
    // --lenient: the second row is rejected; the first stands.
    let ds = try TempDataset(["cases.csv": header + goodRow1, "units.csv": units])
    let (store, report) = try DatasetLoader.load(ds.path, options: lenient(ds))
    #expect(store.units.count == 2)
    #expect(report.rejectedTotal == 1)
    #expect(try rejectsText(ds.path + "/units.rejects.csv") == "name,type\n 教育局 ,district\n")
}
