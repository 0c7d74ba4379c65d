import ArgumentParser

/// The seeds of `gym train --seeds`: comma-separated seeds and inclusive ranges (`1,2,3`, `1-5`,
/// `1-3,10`), in the order given, each once.
struct SeedList: Equatable {
    /// Most seeds one command runs: far more than any study needs, few enough to list.
    static let maxCount = 1000

    /// The seeds, in order.
    let seeds: [UInt64]

    /// Parses `text`; an empty item, a reversed range, a repeated seed or more than `maxCount`
    /// seeds is an error naming the item.
    init(_ text: String) throws {
        var seeds: [UInt64] = []
        var seen = Set<UInt64>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = UInt64(bounds[0]), let high = UInt64(bounds[bounds.count - 1]) else {
                throw ValidationError("--seeds takes seeds and ranges like 1,2,3 or 1-5; \(String(item).debugDescription) is neither")
            }
            guard low <= high else { throw ValidationError("--seeds: the range \(item) runs backwards") }
            guard high - low < UInt64(Self.maxCount), seeds.count + Int(high - low) < Self.maxCount else {
                throw ValidationError("--seeds names more than \(Self.maxCount) seeds")
            }
            for seed in low...high {
                guard seen.insert(seed).inserted else { throw ValidationError("--seeds names seed \(seed) twice") }
                seeds.append(seed)
            }
        }
        self.seeds = seeds
    }
}
