extension String {
    /// This string as an error message or a log line may repeat it when a peer chose it: at
    /// most `maxBytes` UTF-8 bytes, cut at a character boundary, noting how much was left out,
    /// so a 16 MiB environment id is not echoed whole into a reply and the log.
    public func clippedForEcho(maxBytes: Int = 200) -> String {
        let total = utf8.count
        guard total > maxBytes else { return self }
        var kept = 0
        var end = startIndex
        for character in self {
            let size = character.utf8.count
            guard kept + size <= maxBytes else { break }
            kept += size
            end = index(after: end)
        }
        return "\(self[..<end])… (\(total - kept) more bytes)"
    }
}
