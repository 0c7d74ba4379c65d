#if os(Linux)
/// glibc's `malloc_trim` (malloc.h, which Swift's Glibc module does not export).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Hands the pages of freed heap memory back to the system, also those between live blocks,
/// which glibc otherwise keeps resident. A service calls it after it let go of much memory
/// at once (a reset table), not on every request: a trim walks the whole heap.
public func returnFreedMemoryToTheSystem() {
    #if os(Linux)
    _ = glibcMallocTrim(0)
    #endif
}
