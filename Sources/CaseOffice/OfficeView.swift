// The columns the office's rules read, fetched once, and the order units are listed in.

import CaseQuery
import CaseStore

/// A text column read as Strings, each distinct one made once: row → pool code → name.
struct Names: RandomAccessCollection {
    let codes: [UInt32]
    /// The name of each pool code, made on first use.
    private let names: NameTable
    init(_ column: TextColumn) {
        codes = column.codes
        names = NameTable(column.pool)
    }
    var startIndex: Int { 0 }
    var endIndex: Int { codes.count }
    subscript(row: Int) -> String { names[codes[row]] }
    /// The pool code of a row's name (equal names, equal codes).
    func code(_ row: Int) -> UInt32 { codes[row] }
    func name(code: UInt32) -> String { names[code] }

    final class NameTable {
        let pool: StringPool
        var made: [String?]
        init(_ pool: StringPool) { self.pool = pool; made = Array(repeating: nil, count: pool.count) }
        subscript(code: UInt32) -> String {
            if let s = made[Int(code)] { return s }
            let s = pool[code]
            made[Int(code)] = s
            return s
        }
    }
}

/// The columns the office features read, fetched once, and the unit order.
public struct OfficeView {
    let store: CaseStore
    let unit: Names
    let status: [UInt8], resolution: [UInt8], form: [UInt8]
    let satisfaction: [UInt8], contact: [UInt8], kind: [UInt8], level: [UInt8]
    let assigned: [Int32], signed: [Int32], deadline: [Int32], replied: [Int32], closed: [Int32]
    /// The first deadlines (the current ones when no event moved them).
    let originalDeadline: [Int32]
    let evUnit: Names, evNote: Names
    let evAction: [UInt8]
    let evDate: [Int32]
    /// units.csv order, then units that only appear in cases (lead or co-units) or events, in
    /// order of first appearance.
    public let unitOrder: [String]
    /// units.csv rows by name.
    let unitRow: [String: Int]

    public init(_ s: CaseStore) {
        store = s
        let c = s.cases
        let unitNames = Names(c.text(.unit))
        unit = unitNames
        status = c.code(.status).codes
        resolution = c.code(.resolution).codes
        form = c.code(.form).codes
        satisfaction = c.code(.satisfaction).codes
        contact = c.code(.contact).codes
        kind = c.code(.kind).codes
        level = c.code(.level).codes
        assigned = c.day(.assignedOn).values
        signed = c.day(.signedOn).values
        deadline = c.day(.deadline).values
        originalDeadline = c.day(.originalDeadline).values
        replied = c.day(.repliedOn).values
        closed = c.day(.closedOn).values
        let e = s.events
        let evUnitNames = Names(e.text(.unit))
        evUnit = evUnitNames
        evNote = Names(e.text(.note))
        evAction = e.code(.action).codes
        evDate = e.day(.date).values
        var order: [String] = []
        var seen = Set<String>()
        var rows: [String: Int] = [:]
        if s.units.count > 0 {
            let names = s.units.text(.name)
            for r in 0..<s.units.count where !names[r].isEmpty && !seen.contains(names[r]) {
                seen.insert(names[r]); order.append(names[r]); rows[names[r]] = r
            }
        }
        // By code first (a name is met once per distinct code, not once per row).
        let co = c.list(.coUnits)
        var metCode = [Bool](repeating: false, count: c.text(.unit).pool.count)
        func meet(_ code: UInt32, _ name: () -> String) {
            guard Int(code) >= metCode.count || !metCode[Int(code)] else { return }
            if Int(code) < metCode.count { metCode[Int(code)] = true }
            let u = name()
            if !u.isEmpty && !seen.contains(u) { seen.insert(u); order.append(u) }
        }
        let coPool = co.pool
        for r in 0..<c.count {
            meet(unitNames.code(r)) { unitNames[r] }
            if co.pool === c.text(.unit).pool {
                for i in co.range(r) { meet(co.values[i]) { coPool[co.values[i]] } }
            } else {
                for u in co[r] where !u.isEmpty && !seen.contains(u) { seen.insert(u); order.append(u) }
            }
        }
        if e.text(.unit).pool === c.text(.unit).pool {
            for r in 0..<evUnitNames.count { meet(evUnitNames.code(r)) { evUnitNames[r] } }
        } else {
            for u in evUnitNames where !u.isEmpty && !seen.contains(u) { seen.insert(u); order.append(u) }
        }
        unitOrder = order
        unitRow = rows
    }

    func isOverdue(_ row: Int, asOf: Day) -> Bool {
        DomainRules.isOverdue(deadline: deadline[row], status: status[row], asOf: asOf.raw)
    }

    /// The current deadline, and the first one when events moved it: 2020-09-08（原期限 2020-08-09）.
    func deadlineText(_ row: Int) -> String {
        let d = Day(raw: deadline[row])
        guard originalDeadline[row] != deadline[row], originalDeadline[row] != Day.none else { return d.description }
        return "\(d)（原期限 \(Day(raw: originalDeadline[row]))）"
    }

    /// A spell of a case with one unit: from its assignment (or reassignment) to the next
    /// reassignment or the as-of date, and the unit's first sign in it.
    struct Assignment {
        let unit: String
        let on: Day
        let reassigned: Bool
        let signed: Day?
        /// The end of the spell: the next reassignment, else the as-of date.
        let until: Day
        let endedByReassign: Bool
    }

    func assignments(ofCase row: Int, asOf: Day) -> [Assignment] {
        let evs = store.events(ofCase: row).map(Int.init)
        var starts: [(unit: String, on: Day, re: Bool, k: Int)] = []
        for (k, e) in evs.enumerated() {
            let a = evAction[e]
            if (a == EventAction.assign.rawValue || a == EventAction.reassign.rawValue) && !evUnit[e].isEmpty {
                starts.append((evUnit[e], Day(raw: evDate[e]), a == EventAction.reassign.rawValue, k))
            }
        }
        if starts.isEmpty {
            // No history: the case's own fields.
            guard assigned[row] != Day.none, !unit[row].isEmpty else { return [] }
            let s = signed[row] == Day.none ? nil : Day(raw: signed[row])
            return [Assignment(unit: unit[row], on: Day(raw: assigned[row]), reassigned: false, signed: s, until: asOf, endedByReassign: false)]
        }
        var out: [Assignment] = []
        for (i, st) in starts.enumerated() {
            let endK = i + 1 < starts.count ? starts[i + 1].k : evs.count
            var sign: Day?
            for k in st.k..<endK {
                let e = evs[k]
                if evAction[e] == EventAction.sign.rawValue && evUnit[e] == st.unit && evDate[e] >= st.on.raw {
                    sign = Day(raw: evDate[e]); break
                }
            }
            let next = i + 1 < starts.count ? starts[i + 1].on : nil
            out.append(Assignment(unit: st.unit, on: st.on, reassigned: st.re, signed: sign,
                                  until: next ?? asOf, endedByReassign: next != nil))
        }
        return out
    }
}
