import Foundation

/// Errors of the dataset generator.
public enum DatasetGeneratorError: Error, CustomStringConvertible, Equatable, Bilingual {
    /// A path that cannot be written, and why (the system's reason, in both languages).
    case cannotWrite(String, Message)
    case badCount(Int)

    public var description: String { text(chinese: false) }

    public func text(chinese: Bool) -> String {
        switch self {
        case .cannotWrite(let path, let why):
            return Message(en: "cannot write \(path): \(why.en)", zh: "无法写入 \(path)：\(why.zh)").text(chinese: chinese)
        case .badCount(let n):
            return Message(en: "the number of cases must be at least 1 (got \(n))", zh: "案件数至少为 1（给的是 \(n)）").text(chinese: chinese)
        }
    }
}

/// Writes a synthetic dataset of cases, units and events that agrees with every figure of the
/// notice 郑政文〔2020〕102号 (see datasets/zhengzhou-2020/README.md). For N = 1270 the counts are
/// the notice's own; any other N keeps the same proportions. The same (cases, seed, profile)
/// always yields byte-identical files.
public struct DatasetGenerator: Sendable {
    public let cases: Int
    public let seed: UInt64
    public let profile: Profile
    /// The fields of cases.csv and events.csv, in file order (Schema's; tests insert others).
    var caseFields = Schema.cases
    var eventFields = Schema.events

    /// How titles, people and caseloads are drawn (the notice's figures hold in both).
    public enum Profile: String, Sendable, CaseIterable {
        /// As real case lists are (datasets/zhengzhou-2020/README.md, "Generated data"): titles
        /// nearly all distinct, people who file a few cases each and cosign with their own
        /// delegation, unit caseloads by Zipf's law.
        case realistic
        /// The shipped dataset's (datasets/zhengzhou-2020): titles from about 1,000 templates,
        /// every proposer and cosigner drawn afresh, unit caseloads by flat weights. Kept so that
        /// `--cases 1270 --seed 2020 --profile shipped` rewrites the shipped files byte for byte.
        case shipped
    }

    /// The notice's date: the dataset's as-of date.
    public static let asOf = Day(year: 2020, month: 9, day: 17)!
    /// 9月底前务必完成办理任务.
    public static let cutoff = Day(year: 2020, month: 9, day: 30)!
    /// The case count of the notice.
    public static let noticeCases = 1270
    /// The parts of the total as the notice gives them (they add to 1265, 5 short of its total):
    /// (its words, the kind/level they count, the count).
    static let noticeParts: [(label: String, of: String, count: Int)] = [
        ("省人大建议、政协提案", "province", 88), ("市人大建议", "suggestion/city", 367), ("市政协提案", "proposal/city", 810),
    ]

    public init(cases: Int, seed: UInt64 = 2020, profile: Profile = .realistic) {
        self.cases = cases
        self.seed = seed
        self.profile = profile
    }

    /// How the cases split, computed from N by the notice's proportions.
    public struct Plan: Sendable, Equatable {
        public var provincial = 0
        public var suggestions = 0
        public var proposals = 0
        /// Cases beyond the notice's breakdown: its parts (88 + 367 + 810 = 1265) fall 5 short of its
        /// total (1270). They are generated as city proposals of year 2019 carried over (结转) into
        /// 2020, so that the total and every 2020 figure hold at once (see the README).
        public var carriedOver = 0
        public var recessSuggestions = 0
        public var recessProposals = 0
        public var keySuggestions = 0
        public var keyProposals = 0
        /// School-lunch and after-school cases per group (provincial, suggestions, proposals).
        public var lunch = [0, 0, 0]
        /// City proposals of 教育局 left open past their deadline as of 2020-09-17.
        public var educationOverdue = 0
        public var lunchTotal: Int { lunch.reduce(0, +) }
    }

    public var plan: Plan { DatasetGenerator.plan(for: cases) }

    public static func plan(for n: Int) -> Plan {
        var p = Plan()
        let groups = largestRemainder(n, weights: [88, 367, 810, 5])
        p.provincial = groups[0]; p.suggestions = groups[1]; p.proposals = groups[2]; p.carriedOver = groups[3]
        func scale(_ count: Int, _ of: Int, _ base: Int) -> Int { (2 * count * of + base) / (2 * base) }
        p.recessSuggestions = scale(p.suggestions, 33, 367)
        p.recessProposals = scale(p.proposals, 5, 810)
        p.keySuggestions = min(scale(p.suggestions, 25, 367), p.suggestions - p.recessSuggestions)
        p.keyProposals = min(scale(p.proposals, 8, 810), p.proposals - p.recessProposals)
        let lunchTotal = scale(n, 14, 1270)
        p.lunch = largestRemainder(lunchTotal, weights: Array(groups[0..<3]))
        p.lunch[0] = min(p.lunch[0], p.provincial)
        p.lunch[1] = min(p.lunch[1], p.suggestions - p.recessSuggestions - p.keySuggestions)
        p.lunch[2] = min(p.lunch[2], p.proposals - p.recessProposals - p.keyProposals)
        let free = p.proposals - p.recessProposals - p.keyProposals - p.lunch[2]
        p.educationOverdue = min(max(1, scale(p.proposals, 3, 810)), max(0, free))
        return p
    }

    /// Splits `total` by `weights`: floors, then the largest remainders (ties to the earlier one).
    static func largestRemainder(_ total: Int, weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return weights.map { _ in 0 } }
        var parts = weights.map { total * $0 / sum }
        let rems = weights.map { total * $0 % sum }
        var left = total - parts.reduce(0, +)
        let order = rems.indices.sorted { rems[$0] != rems[$1] ? rems[$0] > rems[$1] : $0 < $1 }
        var k = 0
        while left > 0 { parts[order[k % order.count]] += 1; left -= 1; k += 1 }
        return parts
    }

    /// The remit (职能范围) of every unit, as canonical category tokens, in unit order.
    public static var remits: [(unit: String, categories: [String])] {
        GeneratorTables.units.map { ($0.name, $0.remit.map(\.token)) }
    }

    /// The 30 units the notice names as good, in its order.
    public static var goodUnits: [String] { GeneratorTables.units.filter(\.good).map(\.name) }

    /// Every unit name, in units.csv order.
    public static var unitNames: [String] { GeneratorTables.units.map(\.name) }

    /// Writes cases.csv, units.csv, events.csv and manifest.json into `directory` (created if
    /// needed), each through a temporary file beside it (`SafeFileWriter`), all four put in place
    /// only once all are written: a full disk leaves no partial file, and files there before as
    /// they were.
    /// - Throws: `DatasetGeneratorError` (`badCount`, `cannotWrite` naming the file and why).
    public func write(to directory: String) throws {
        guard cases >= 1 else { throw DatasetGeneratorError.badCount(cases) }
        try makeFolders(directory)
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        let units = try writeWholeFile(dir + "units.csv", unitsCSV())
        let manifest = try writeWholeFile(dir + "manifest.json", Array(manifestJSON().utf8))
        var casesOut = try FileSink(path: dir + "cases.csv")
        var eventsOut = try FileSink(path: dir + "events.csv")
        var emitter = CaseEmitter(seed: seed, plan: plan, profile: profile, caseFields: caseFields, eventFields: eventFields)
        casesOut.header(emitter.caseRow.specs)
        eventsOut.header(emitter.eventRow.specs)
        emitter.run(cases: &casesOut, events: &eventsOut)
        try casesOut.finish()
        try eventsOut.finish()
        for (w, name) in [(units, "units.csv"), (manifest, "manifest.json")] {
            do { try w.commit() } catch { throw DatasetGeneratorError.cannotWrite(dir + name, error.why) }
        }
        try casesOut.commit()
        try eventsOut.commit()
    }

    func unitsCSV() -> [UInt8] {
        var w = CSVWriter()
        w.row(Schema.units.filter { !$0.derived }.map(\.name))
        for u in GeneratorTables.units {
            w.row([u.name, u.type.token, u.receptionDay?.description ?? "", u.mediaSubmitted ? "true" : "false"])
        }
        return w.bytes
    }

    func manifestJSON() -> String {
        func q(_ s: String) -> String {
            var out = "\""
            for ch in s.unicodeScalars {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(ch)
                }
            }
            return out + "\""
        }
        let p = plan
        let name = profile == .realistic ? "zhengzhou-2020-n\(cases)-s\(seed)-realistic"
            : cases == DatasetGenerator.noticeCases && seed == 2020 ? "zhengzhou-2020" : "zhengzhou-2020-n\(cases)-s\(seed)"
        let description = "Synthetic cases (no case list was published) built to agree with every figure of "
            + "郑政文〔2020〕102号, the Zhengzhou government's notice on its 2020 handling of NPC suggestions "
            + "(人大代表建议) and CPPCC proposals (政协委员提案): \(cases) cases, \(p.provincial) provincial, "
            + "\(p.suggestions) city suggestions (\(p.recessSuggestions) recess), \(p.proposals) city proposals "
            + "(\(p.recessProposals) recess), and \(p.carriedOver) city proposals of 2019 carried over (结转), which "
            + "close the gap between the notice's total and the sum of its parts. People's names are invented; "
            + "officials appear by role."
        var s = "{\n"
        s += "  \"name\": \(q(name)),\n"
        s += "  \"as_of\": \"\(DatasetGenerator.asOf)\",\n"
        s += "  \"cutoff\": \"\(DatasetGenerator.cutoff)\",\n"
        s += "  \"targets\": {\"completion_rate\": 1.0, \"face_to_face_rate\": 1.0, \"satisfaction_rate\": 0.985},\n"
        s += "  \"description\": \(q(description)),\n"
        s += "  \"source\": \"郑政文〔2020〕102号\",\n"
        s += "  \"generator\": {\"cases\": \(cases), \"seed\": \(seed)"
            + (profile == .shipped ? "" : ", \"profile\": \"\(profile.rawValue)\"") + "},\n"
        s += "  \"rules\": {\"categories\": \"\(Schemes.caseqlCategories)\"},\n"
        // What the notice itself states, for the report to set beside the data.
        s += "  \"notice\": {\n"
        s += "    \"total\": \(DatasetGenerator.noticeCases),\n"
        s += "    \"parts\": [" + DatasetGenerator.noticeParts.map { "{\"label\": \(q($0.label)), \"of\": \(q($0.of)), \"count\": \($0.count)}" }
            .joined(separator: ", ") + "],\n"
        s += "    \"topics\": [{\"name\": \"中小学午餐供餐和课后延时服务\", \"count\": \(GeneratorTables.lunchTopics.count), "
            + "\"title_words\": [\"午餐\", \"课后\"], \"unit\": \"教育局\"}],\n"
        s += "    \"named\": [" + [(GeneratorTables.greenTitle, GeneratorTables.greenProposer), (GeneratorTables.digitalTitle, GeneratorTables.digitalProposer)]
            .map { "{\"title\": \(q($0.0)), \"proposer\": \(q($0.1))}" }.joined(separator: ", ") + "]\n"
        s += "  },\n"
        s += "  \"good_units\": [" + DatasetGenerator.goodUnits.map(q).joined(separator: ", ") + "],\n"
        s += "  \"remits\": {\n"
        s += DatasetGenerator.remits.map { "    \(q($0.unit)): [" + $0.categories.map(q).joined(separator: ", ") + "]" }
            .joined(separator: ",\n")
        s += "\n  }\n}\n"
        return s
    }
}
