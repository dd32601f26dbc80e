import CaseStore

/// What a query reads: a table, and for suggestions/proposals the kind it keeps.
public struct SourceInfo {
    public let name: String
    public let table: Table
    public let kind: Kind?
    /// Fields computed from a stored number rather than read from a column: the groups' time
    /// buckets (`GroupedQuery.source`), compared as `where` compares them.
    var computed: [String: Computed] = [:]
    /// Names an unknown field may have meant beyond the table's fields: for the groups, the
    /// result's aliases and the aggregates (`cuont` → `count`).
    var otherNames: [String] = []

    public static let spellings: [(names: [String], table: String, kind: Kind?)] = [
        (["cases", "case", Schema.tableLabels["cases"]!, "全部", "建议提案", "all"], "cases", nil),
        (["suggestions", "suggestion", "建议", "人大建议", "人大代表建议"], "cases", .suggestion),
        (["proposals", "proposal", "提案", "政协提案", "政协委员提案"], "cases", .proposal),
        (["units", "unit", Schema.tableLabels["units"]!, "承办单位"], "units", nil),
        (["events", "event", Schema.tableLabels["events"]!, "记录", "history"], "events", nil),
    ]

    /// Every source name, for completion.
    public static var allNames: [String] { spellings.flatMap(\.names) }

    static func resolve(_ id: Identifier, store: CaseStore) throws -> SourceInfo {
        let key = id.text.lowercased()
        guard let s = spellings.first(where: { $0.names.contains(key) }) else {
            let primary = spellings.map { $0.names[0] }
            let list = primary.joined(separator: ", ")
            throw QueryError(Message(en: "unknown source `\(id.text)` (the sources are \(list))",
                                     zh: "没有数据源 `\(id.text)`（可用：\(list)）"),
                             at: id.range,
                             suggestion: Suggest.closest(to: id.text, in: allNames).map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") })
        }
        return SourceInfo(name: s.names[0], table: store.table(s.table)!, kind: s.kind)
    }

    public var isCases: Bool { table.name == "cases" }
    /// The groups of a grouped query, which `having` is bound over.
    var isGroups: Bool { name == GroupedQuery.sourceName }

    /// Default columns when a query names none.
    var defaultFields: [String] {
        switch table.name {
        case "cases": return [FieldName.id, .kind, .unit, .status, .deadline, .title].map(\.rawValue)
        default: return table.specs.filter { !$0.derived }.map(\.name)
        }
    }
}
