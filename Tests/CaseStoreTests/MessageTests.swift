import Testing
import Foundation
@testable import CaseStore

@Suite struct MessageTests {
    @Test func picksTheLanguage() {
        let m = Message(en: "no case X9", zh: "没有案件 X9")
        #expect(m.text(chinese: false) == "no case X9")
        #expect(m.text(chinese: true) == "没有案件 X9")
        #expect("\(m)" == "no case X9")
        #expect(Message.same("a.csv").text(chinese: true) == "a.csv")
    }

    @Test func joinsEachLanguageWithItsOwn() {
        let m = Message(en: "no rule x", zh: "没有规则 x") + Message(en: "; the rules are a, b", zh: "；可用的规则：a, b")
        #expect(m.en == "no rule x; the rules are a, b")
        #expect(m.zh == "没有规则 x；可用的规则：a, b")
    }

    @Test func countsInTheSingularAndThePlural() {
        #expect(Message.count(1, "row", zh: "行").en == "1 row")
        #expect(Message.count(3, "row", zh: "行").en == "3 rows")
        #expect(Message.count(0, "row", zh: "行").en == "0 rows")
        #expect(Message.count(3, "row", zh: "行").zh == "3 行")
        #expect(Message.count(2, "entry", "entries", zh: "条").en == "2 entries")
    }

    @Test func loadErrorsSayPositionsTheSameInBothLanguages() {
        let issue = LoadIssue(file: "cases.csv", line: 4, column: 17, field: "deadline",
                              message: Message(en: "\"2020-02-30\" is not a date", zh: "\"2020-02-30\" 不是日期"))
        let e = LoadError([issue, issue], total: 25)
        let en = e.text(chinese: false), zh = e.text(chinese: true)
        #expect(en == e.description)
        #expect(en.hasPrefix("cases.csv:4:17: deadline: \"2020-02-30\" is not a date\n"))
        #expect(zh.hasPrefix("cases.csv:4:17: deadline: \"2020-02-30\" 不是日期\n"))
        #expect(en.hasSuffix("… and 5 more errors (25 in all)\n25 errors: nothing was loaded (use --lenient to load the good rows)"))
        #expect(zh.hasSuffix("… 另有 5 个错误（共 25 个）\n25 个错误：什么都没有加载（用 --lenient 加载没有问题的行）"))
        // A message that is the same in both languages (a path, the system's words) reads so.
        let plain = LoadError(.same("[Errno 5]"), file: "x.json")
        #expect(plain.text(chinese: true) == "x.json: [Errno 5]")
    }

    @Test func aMissingPathSaysSoInBothLanguages() throws {
        let path = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/cases.csv"
        do {
            _ = try DatasetLoader.load(path)
            Issue.record("loaded a missing path")
        } catch let e as LoadError {
            #expect(e.text(chinese: false) == "\(path): no such file or folder")
            #expect(e.text(chinese: true) == "\(path): 没有这个文件或文件夹")
        }
    }

    @Test func fileWriteErrorsSayWhyInBothLanguages() throws {
        let folder = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))"
        do {
            _ = try SafeFileWriter(path: folder + "/a.csv")
            Issue.record("opened a file in a missing folder")
        } catch {
            #expect(error.description == "cannot write \(folder)/a.csv: no such folder \(folder)")
            #expect(error.text(chinese: true) == "无法写入 \(folder)/a.csv：没有文件夹 \(folder)")
        }
        // The system's own words read the same in both.
        let e = FileWriteError(path: "x.csv", why: .same("input/output error"))
        #expect(e.text(chinese: true) == "无法写入 x.csv：input/output error")
    }
}


/// The loader's own messages (a bad cell at file:line:column, a missing column) are written in
/// both languages; the positions and the field read the same.
@Suite struct LoaderMessageTests {
    func loadError(_ csv: String) throws -> LoadError {
        let dir = NSTemporaryDirectory() + "caseql-loadmsg-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try csv.write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        do {
            _ = try DatasetLoader.load(dir + "/cases.csv")
        } catch let e as LoadError {
            return e
        }
        Issue.record("loaded a file with errors")
        throw CancellationError()
    }

    @Test func badCellsInBothLanguages() throws {
        let e = try loadError("""
        id,kind,title,unit,assigned_on,deadline,status,key_supervised,year
        Q1,proposal,关于午餐的提案,教育局,2020-02-30,2020-06-10,assigned,否,2020
        Q2,proposal,关于道路的提案,城建局,2020-03-10,2020-06-10,finished,否,2020
        Q3,proposal,关于公交的提案,交通局,2020-03-10,2020-06-10,assigned,maybe,2020
        Q4,proposal,关于绿化的提案,园林局,2020-03-10,2020-06-10,assigned,否,二〇二〇

        """)
        let en = e.text(chinese: false).split(separator: "\n").map(String.init)
        let zh = e.text(chinese: true).split(separator: "\n").map(String.init)
        #expect(en.count == zh.count)
        let wanted: [(String, String)] = [
            ("cases.csv:2:", "\"2020-02-30\" is not a date (2020-02 has 29 days)"),
            ("cases.csv:3:", "\"finished\" is not a status (expected one of "),
            ("cases.csv:4:", "\"maybe\" is not a yes/no value (expected true/false, 是/否, 有/无 or 1/0)"),
            ("cases.csv:5:", "\"二〇二〇\" is not a whole number"),
        ]
        let wantedZh = ["\"2020-02-30\" 不是日期（2020-02 只有 29 天）", "\"finished\" 不是办理状态的取值（应为以下之一：",
                        "\"maybe\" 不是是/否值（应为 true/false、是/否、有/无 或 1/0）", "\"二〇二〇\" 不是整数"]
        for ((at, message), chinese) in zip(wanted, wantedZh) {
            let e1 = en.first { $0.hasPrefix(at) }, z1 = zh.first { $0.hasPrefix(at) }
            #expect(e1?.contains(message) == true, "\(at) \(e1 ?? "none")")
            #expect(z1?.contains(chinese) == true, "\(at) \(z1 ?? "none")")
            // The same position and field before the message.
            #expect(e1.map { String($0.prefix { $0 != "\"" }) } == z1.map { String($0.prefix { $0 != "\"" }) })
        }
    }

    @Test func aMissingColumnInBothLanguages() throws {
        let e = try loadError("""
        主办单位,交办日期
        教育局,2020-03-10

        """)
        #expect(e.text(chinese: false).contains("missing a column for title (案由) or id (编号)"), "\(e)")
        #expect(e.text(chinese: true).contains("缺少列：title (案由) 或 id (编号)（表头，第 1 行：主办单位, 交办日期）"), "\(e.text(chinese: true))")
    }
}
