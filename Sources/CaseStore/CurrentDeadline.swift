// A case's deadline (办理期限) follows its events: re-handling after a 不满意 answer (重新办理:
// answered again within one more month of it) and extensions (延期) move it, and the first one
// stays on record (DOMAIN.md, "Time limits"). The loader settles it once every table is in, so
// that every consumer (queries, `.report`, `.check`, exports) sees one current deadline.

extension CaseStore {
    /// Sets `deadline` to each case's current deadline and `original_deadline` to its first one.
    ///
    /// The first deadline is the file's `original_deadline` where it has one (a caseql export
    /// read back), else the file's `deadline`. A case whose events include a `rehandle` or an
    /// `extend` has its deadline worked out from the first one: a `rehandle` sets it to the
    /// re-handling period (manifest `rules.rehandle`, default 1 month) after that event; an
    /// `extend` to the date its note names (延期至2020-10-31), else on by the extension period
    /// (`rules.extension`). Periods in working days count on the official calendar
    /// (`WorkingCalendar`, with the manifest's days). A case whose events do not move it keeps
    /// the file's `deadline` (an export read back without events keeps its current deadline).
    /// Settling twice gives the same columns.
    public func settleDeadlines() {
        guard case .day(let deadline)? = cases.column(.deadline),
              case .day(let original)? = cases.column(.originalDeadline) else { return }
        let n = cases.count
        if original.values.count != n { original.values = Array(repeating: Day.none, count: n) }
        for r in 0..<n where original.values[r] == Day.none { original.values[r] = deadline.values[r] }
        if cases.absentFields.contains(FieldName.originalDeadline.rawValue) && !cases.absentFields.contains(FieldName.deadline.rawValue) {
            cases.absentFields.remove(FieldName.originalDeadline.rawValue)
        }
        guard events.count > 0 else { return }
        let action = events.code(.action).codes, date = events.day(.date).values
        let rehandle = EventAction.rehandle.rawValue, extend = EventAction.extend.rawValue
        // Most datasets have few such events: the notes (kept unread until asked for) are read
        // only when an extension needs its note.
        guard action.contains(where: { $0 == rehandle || $0 == extend }) else { return }
        let notes: TextColumn? = action.contains(extend) ? events.text(.note) : nil
        let settings = manifest.office
        let calendar = WorkingCalendar(settings: settings)
        for row in 0..<n {
            var current = original.values[row]
            var moved = false
            for e in self.events(ofCase: row) {
                let e = Int(e)
                let a = action[e]
                guard a == rehandle || a == extend, date[e] != Day.none else { continue }
                moved = true
                if a == rehandle {
                    current = calendar.end(of: settings.rehandle, after: Day(raw: date[e])).raw
                } else if let named = Self.dateNamed(in: notes![e]) {
                    current = named.raw
                } else if current != Day.none {
                    current = calendar.end(of: settings.extension_, after: Day(raw: current)).raw
                }
            }
            if moved { deadline.values[row] = current }
        }
    }

    /// The first date written in a note (延期至2020-10-31, 延期至 2020年10月31日), if any.
    static func dateNamed(in note: String) -> Day? {
        let scalars = Array(note.unicodeScalars)
        var i = 0
        while i + 8 <= scalars.count {
            if scalars[i].properties.numericType != nil,
               let y = Int(String(String.UnicodeScalarView(scalars[i..<min(i + 4, scalars.count)]))), y > 1900 {
                // The longest date text from here.
                for len in stride(from: min(11, scalars.count - i), through: 8, by: -1) {
                    if let d = Day(String(String.UnicodeScalarView(scalars[i..<(i + len)]))) { return d }
                }
            }
            i += 1
        }
        return nil
    }
}
