/// Notes of one kind, capped with a count: a file of a hundred thousand odd columns or rows gets
/// a few notes and "… and N more", never a note for each (issue 17).
public enum Notes {
    /// Notes of one kind shown before the count.
    public static let shownPerKind = 5
    /// Items shown in one note that lists them (the columns that name no field).
    public static let shownItems = 20

    /// The first `shown` notes, then `more(n)` for the n left out.
    public static func capped<Note>(_ notes: [Note], shown: Int = shownPerKind, more: (Int) -> Note) -> [Note] {
        notes.count <= shown ? notes : Array(notes.prefix(shown)) + [more(notes.count - shown)]
    }
}
