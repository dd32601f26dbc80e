import CaseStore

extension Session {
    /// Writes a long text (a report, the findings of .check) in pieces of
    /// `linesPerPiece` lines; in the interactive shell Ctrl-C stops it
    /// between two pieces and says so, as it stops a long result.
    func writeInterruptibly(_ text: String, linesPerPiece: Int = 64) {
        guard interactive else { output.write(text); return }
        let utf8 = text.utf8
        var start = utf8.startIndex
        var lines = 0
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let isNewline = utf8[i] == UInt8(ascii: "\n")
            i = utf8.index(after: i)
            guard isNewline else { continue }
            lines += 1
            if lines == linesPerPiece || i == utf8.endIndex {
                if LineEditor.interruptRequested { break }
                output.write(String(text[start..<i]))
                output.flush()
                start = i
                lines = 0
            }
        }
        if LineEditor.interruptRequested {
            LineEditor.clearInterrupt()
            say(Session.outputCancelled)
            return
        }
        if start != utf8.endIndex { output.write(String(text[start...])) }
    }
}
