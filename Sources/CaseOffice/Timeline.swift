// Each case as its events make it: the current deadline (re-handling and extensions move it),
// and every case as it stood on a date (time travel), so that a month-end report can be made
// again later and give the same figures (DOMAIN.md, "The workflow of one case" and the as-of date).

import CaseQuery
import CaseStore
import Foundation

public enum Timeline {
    private static let lock = NSLock()

    /// Moves each case's `deadline` to its current one, from its first deadline and its events:
    /// a `rehandle` event sets it to the re-handling period after that event (重新办理: one more
    /// month after the 不满意 answer); an `extend` event (延期) to the date its note names, else on
    /// by the extension period. The first deadlines are kept in `store.originalDeadlines`
    /// (queryable as `original_deadline`). Does nothing the second time.
    public static func prepare(_ store: CaseStore) {
        lock.lock(); defer { lock.unlock() }
        guard store.originalDeadlines == nil else { return }
        let column = store.cases.day("deadline")
        let original = column.values
        store.originalDeadlines = original
        guard store.events.count > 0 else { return }
        column.values = currentDeadlines(store, original: original, through: nil)
    }

    /// The current deadline of every case from the first ones and the events dated on or before
    /// `through` (all when nil).
    static func currentDeadlines(_ store: CaseStore, original: [Int32], through: Day?) -> [Int32] {
        var out = original
        guard store.events.count > 0 else { return out }
        let settings = store.manifest.office
        let calendar = WorkingCalendar(settings: settings)
        let action = store.events.code("action").codes, date = store.events.day("date").values
        let notes = store.events.text("note")
        let rehandle = EventAction.rehandle.rawValue, extend = EventAction.extend.rawValue
        for row in 0..<store.cases.count {
            for e in store.events(ofCase: row) {
                let e = Int(e)
                let a = action[e]
                guard a == rehandle || a == extend, date[e] != Day.none else { continue }
                if let t = through, date[e] > t.raw { break }
                if a == rehandle {
                    out[row] = calendar.end(of: settings.rehandle, after: Day(raw: date[e])).raw
                } else if let named = dateNamed(in: notes[e]) {
                    out[row] = named.raw
                } else if out[row] != Day.none {
                    out[row] = calendar.end(of: settings.extension_, after: Day(raw: out[row])).raw
                }
            }
        }
        return out
    }

    /// The first date written in a note (延期至2020-10-31, 延期至 2020年10月31日), if any.
    static func dateNamed(in note: String) -> Day? {
        let scalars = Array(note.unicodeScalars)
        var i = 0
        while i + 8 <= scalars.count {
            if scalars[i].properties.numericType != nil, let y = Int(String(String.UnicodeScalarView(scalars[i..<min(i + 4, scalars.count)]))), y > 1900 {
                // Try the longest date text from here.
                for len in stride(from: min(11, scalars.count - i), through: 8, by: -1) {
                    if let d = Day(String(String.UnicodeScalarView(scalars[i..<(i + len)]))) { return d }
                }
            }
            i += 1
        }
        return nil
    }

    /// The latest date anywhere in the store (events, case dates, reception days).
    static func latestDate(_ store: CaseStore) -> Int32 {
        var m = Int32.min
        for f in ["assigned_on", "signed_on", "replied_on", "closed_on"] {
            for v in store.cases.day(f).values where v > m { m = v }
        }
        if store.events.count > 0 { for v in store.events.day("date").values where v > m { m = v } }
        if store.units.count > 0 { for v in store.units.day("reception_day_on").values where v > m { m = v } }
        return m
    }

    /// The store as it stood on `day`: cases not yet assigned are absent, events after it unseen,
    /// and each case's status, unit, sign, reply, close, feedback (satisfaction, form), class,
    /// contact and current deadline rebuilt from the events up to it; a reception day after it
    /// not yet held. The store itself when nothing in it is dated after `day`.
    public static func asOf(_ store: CaseStore, _ day: Day) -> CaseStore {
        prepare(store)
        guard latestDate(store) > day.raw else { return store }
        let c = store.cases
        let assigned = c.day("assigned_on").values
        let keepCases = assigned.map { $0 == Day.none || $0 <= day.raw }
        let evDate = store.events.count > 0 ? store.events.day("date").values : []
        let keepEvents = evDate.map { $0 == Day.none || $0 <= day.raw }
        // Which kept cases have something after the day (only those are rebuilt).
        let s = store.copy(keepingCases: keepCases, events: keepEvents)
        var oldRow: [Int] = []
        for r in 0..<c.count where keepCases[r] { oldRow.append(r) }
        var changed = [Bool](repeating: false, count: s.cases.count)
        for (r, old) in oldRow.enumerated() {
            for f in ["signed_on", "replied_on", "closed_on"] where c.day(f).values[old] > day.raw { changed[r] = true }
            for e in store.events(ofCase: old) where evDate[Int(e)] > day.raw { changed[r] = true }
        }
        rebuild(s, changed: changed, day: day)
        s.cases.day("deadline").values = currentDeadlines(s, original: s.originalDeadlines!, through: day)
        if s.units.count > 0 {
            let rec = s.units.day("reception_day_on"), media = s.units.bool("media_submitted")
            for r in 0..<s.units.count where rec.values[r] != Day.none && rec.values[r] > day.raw {
                rec.values[r] = Day.none
                media.values[r] = false
            }
        }
        return s
    }

    /// Rewrites the changed cases of `s` (whose events already end on `day`) from their events.
    static func rebuild(_ s: CaseStore, changed: [Bool], day: Day) {
        let c = s.cases
        let status = c.code("status"), unit = c.text("unit")
        let signed = c.day("signed_on"), replied = c.day("replied_on"), closed = c.day("closed_on")
        let satisfaction = c.code("satisfaction"), form = c.code("form"), resolution = c.code("resolution"), contact = c.code("contact")
        let co = c.list("co_units")
        let ev = s.events
        let action = ev.count > 0 ? ev.code("action").codes : [], date = ev.count > 0 ? ev.day("date").values : []
        let evUnit = ev.count > 0 ? ev.text("unit").codes : [], notes = ev.count > 0 ? ev.text("note") : nil
        let samePool = ev.count > 0 && ev.text("unit").pool === unit.pool
        for r in 0..<c.count where changed[r] {
            var st: Status = .assigned
            var leadUnit = unit.codes[r]
            var sign = Int32(Day.none), reply = Int32(Day.none), close = Int32(Day.none)
            var feedback: String?
            for e in s.events(ofCase: r) {
                let e = Int(e)
                guard let a = EventAction(rawValue: action[e]) else { continue }
                if (a == .assign || a == .reassign) && samePool && !ev.text("unit").pool[evUnit[e]].isEmpty { leadUnit = evUnit[e] }
                let isCoUnitOpinion = a == .reply && (notes![e].hasPrefix("会办意见")
                    || (samePool && evUnit[e] != leadUnit && co.range(r).contains { co.values[$0] == evUnit[e] }))
                if isCoUnitOpinion { continue }
                switch a {
                case .sign: if sign == Day.none { sign = date[e] }
                case .reply: reply = date[e]
                case .close: close = date[e]
                case .feedback: feedback = notes![e]
                case .reassign: sign = Day.none
                default: break
                }
                if let next = DomainRules.status(after: a) { st = next }
            }
            if sign == Day.none, signed.values[r] != Day.none, signed.values[r] <= day.raw { sign = signed.values[r] }
            unit.codes[r] = leadUnit
            status.codes[r] = st.rawValue
            signed.values[r] = sign
            replied.values[r] = reply
            closed.values[r] = close
            if reply == Day.none {
                resolution.codes[r] = EnumInfo.none
                contact.codes[r] = EnumInfo.none
            }
            if let f = feedback {
                if let answer = satisfactionNamed(in: f) { satisfaction.codes[r] = answer }
                if f.contains("旧表") { form.codes[r] = FormVersion.old.rawValue } else if f.contains("新表") { form.codes[r] = FormVersion.new.rawValue }
            } else {
                satisfaction.codes[r] = EnumInfo.none
                form.codes[r] = EnumInfo.none
            }
        }
    }

    /// The satisfaction answer a feedback note names (不满意 before 基本满意 before 满意).
    static func satisfactionNamed(in note: String) -> UInt8? {
        let byLength = Satisfaction.allCases.sorted { $0.label.count > $1.label.count }
        return byLength.first { note.contains($0.label) }?.rawValue
    }
}
